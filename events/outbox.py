"""Recording events in the writing transaction, and reading them back in commit order.

Every write service of `conversations.services` ends with one `record(...)`
call, after its row locks (events.md §1.2). A rollback takes the rows with
it; the wake-up (PostgreSQL NOTIFY, sent only at commit, or a post-commit
poke of the local hub) never fires for a change that did not happen.
"""

import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from events import wakeup
from events.models import Event, OutboxState, Webhook, WebhookDelivery

NOTIFY_CHANNEL = "parley_events"

# Types a stream or webhook may ask for (events.md §2); `stream.*` frames are always sent.
CONVERSATION_TYPES = (
    "conversation.created",
    "conversation.updated",
    "conversation.closed",
    "conversation.reopened",
    "conversation.deleted",
    "conversation.restored",
    "conversation.removed",
    "conversation.state_updated",
    "conversation.read_updated",
)
OBJECT_TYPES = (
    "conversation_participant.added",
    "conversation_participant.updated",
    "conversation_participant.removed",
    "conversation_message.added",
    "conversation_message.edited",
    "conversation_message.removed",
)
TYPES = CONVERSATION_TYPES + OBJECT_TYPES
# Tombstones: rendered from the row's ids and snapshot, the subject being gone.
TOMBSTONES = {
    "conversation.deleted",
    "conversation.removed",
    "conversation_participant.removed",
    "conversation_message.removed",
}
# A user's own state: only they get it (audience = the actor).
ACTOR_ONLY = {"conversation.state_updated", "conversation.read_updated"}
# What a webhook may subscribe to (events.md §2, column "hook").
HOOK_TYPES = tuple(t for t in TYPES if t not in ACTOR_ONLY and t != "conversation.removed")


@dataclass(frozen=True)
class Change:
    """One event of a `record` call: its type, subject and tombstone data."""

    type: str
    object_id: int | None = None
    snapshot: dict | None = None
    role_filter: str | None = None


def record(conversation, changes, *, actor=None, removed_user_ids=()) -> None:
    """Write `changes` (Change or type names) of `conversation` as outbox rows.

    Audience: a campaign's readers (null; admins only while private); a
    workspace conversation's participants after the change plus
    `removed_user_ids`; the actor alone for their own state.

    Hot path (every write ends here): one statement whatever the participants
    and webhooks. The INSERT computes the audience as a subquery of the
    participant rows, takes the transaction id and queues the NOTIFY as an
    expression (PostgreSQL; sent only if the transaction commits), and
    returns the scope's active webhooks beside the new ids: the deliveries
    are a second statement only when one of them wants an event.
    """
    changes = [Change(c) if isinstance(c, str) else c for c in changes]
    if not changes:
        return
    private = bool(conversation.campaign_id and conversation.is_private)
    now = timezone.now()
    rows = []
    for change in changes:
        role_filter = change.role_filter
        if role_filter is None and private:
            role_filter = Event.RoleFilter.ADMINS
        rows.append(
            Event(
                created_at=now,
                type=change.type,
                campaign_id=conversation.campaign_id,
                workspace_id=conversation.workspace_id,
                conversation_id=conversation.pk,
                object_id=change.object_id,
                actor_id=getattr(actor, "pk", None),
                audience=[actor.pk] if change.type in ACTOR_ONLY else None,
                role_filter=role_filter,
                snapshot=change.snapshot or {},
            )
        )
    hooked = any(row.type in HOOK_TYPES for row in rows)
    webhooks = _insert(conversation, rows, removed_user_ids, with_webhooks=hooked)
    _queue_deliveries(rows, webhooks)
    transaction.on_commit(wakeup.poke_after_commit)


_COLUMNS = (
    "created_at",
    "type",
    "campaign_id",
    "workspace_id",
    "conversation_id",
    "object_id",
    "actor_id",
    "audience",
    "role_filter",
    "snapshot",
)


def _insert(conversation, rows, removed_user_ids, *, with_webhooks: bool) -> list:
    """INSERT `rows` in one statement and set their `pk` and `xact_id` (a workspace's rows
    without an audience get the participants'); the scope's active webhooks as `(id, events)`."""
    postgres = connection.vendor == "postgresql"
    fields = [Event._meta.get_field(name) for name in _COLUMNS]
    audience_sql, audience_params = None, []
    if conversation.workspace_id:
        audience_sql, audience_params = _audience_sql(conversation.pk, removed_user_ids, postgres)
    values, params = [], []
    for row in rows:
        placeholders = []
        for field in fields:
            if field.name == "audience" and row.audience is None and audience_sql:
                placeholders.append(audience_sql)
                params.extend(audience_params)
            else:
                placeholders.append("%s")
                params.append(field.get_db_prep_save(getattr(row, field.attname), connection))
        # The NOTIFY is queued with the transaction and sent only if it commits.
        placeholders.append(
            "(SELECT pg_current_xact_id()::text::bigint FROM pg_notify(%s, ''))"
            if postgres
            else "NULL"
        )
        if postgres:
            params.append(NOTIFY_CHANNEL)
        values.append(f"({', '.join(placeholders)})")
    returning = "id, xact_id"
    if with_webhooks:
        webhooks_sql, webhooks_params = _webhooks_sql(conversation, postgres)
        returning += f", {webhooks_sql}"
        params.extend(webhooks_params)
    table, columns = Event._meta.db_table, ", ".join((*_COLUMNS, "xact_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {', '.join(values)} RETURNING {returning}",
            params,
        )
        returned = cursor.fetchall()
    for row, (pk, xact_id, *_) in zip(rows, returned, strict=True):
        row.pk, row.xact_id = pk, xact_id
        row._state.adding, row._state.db = False, connection.alias
    hooks = returned[0][2] if with_webhooks else None
    return [tuple(pair) for pair in json.loads(hooks)] if hooks else []


def _audience_sql(conversation_id, removed_user_ids, postgres: bool) -> tuple[str, list]:
    """The participants' user ids (plus `removed_user_ids`), sorted, as a JSON array."""
    from conversations.models import Participant

    present = (
        f"SELECT user_id AS u FROM {Participant._meta.db_table}"
        " WHERE conversation_id = %s AND user_id IS NOT NULL"
    )
    params = [conversation_id]
    removed = sorted({int(pk) for pk in removed_user_ids})
    if removed:
        present += (
            " UNION SELECT unnest(%s::bigint[])"
            if postgres
            else " UNION SELECT value FROM json_each(%s)"
        )
        params.append(removed if postgres else json.dumps(removed))
    if postgres:
        return f"(SELECT COALESCE(jsonb_agg(u ORDER BY u), '[]'::jsonb) FROM ({present}) a)", params
    return f"(SELECT json_group_array(u) FROM ({present} ORDER BY u))", params


def _webhooks_sql(conversation, postgres: bool) -> tuple[str, list]:
    """The scope's active webhooks for this conversation as a JSON array of `[id, events]`."""
    scope = "campaign_id" if conversation.campaign_id else "workspace_id"
    if postgres:
        pair = "json_agg(json_build_array(id, events))::text"
    else:
        pair = "json_group_array(json_array(id, json(events)))"
    sql = (
        f"(SELECT {pair} FROM {Webhook._meta.db_table} WHERE is_active = %s AND {scope} = %s"
        " AND (conversation_id IS NULL OR conversation_id = %s))"
    )
    return sql, [True, conversation.campaign_id or conversation.workspace_id, conversation.pk]


def _queue_deliveries(events, webhooks) -> None:
    """One delivery per matching active webhook (`(id, events)` pairs); tasks queued on commit."""
    deliveries = [
        WebhookDelivery(
            webhook_id=webhook_id,
            event_id=event.pk,
            event_cursor=format_cursor(position_of(event)),
            event_type=event.type,
        )
        for webhook_id, types in webhooks
        for event in events
        if event.type in HOOK_TYPES and event.type in types
    ]
    if not deliveries:
        return
    WebhookDelivery.objects.bulk_create(deliveries)
    ids = [delivery.pk for delivery in deliveries]

    def enqueue():
        from events.tasks import enqueue_delivery

        for pk in ids:
            enqueue_delivery(pk)

    transaction.on_commit(enqueue)


def message_removed(message) -> Change:
    return Change("conversation_message.removed", message.pk, {"obj_index": message.obj_index})


def participant_removed(participant) -> Change:
    return Change(
        "conversation_participant.removed",
        participant.pk,
        {"user_id": participant.user_id, "character_id": participant.character_id},
    )


def conversation_deleted(conversation) -> Change:
    return Change("conversation.deleted", snapshot={"entity_id": conversation.entity_id})


SHARED_FIELDS = ("title", "target", "is_private", "is_closed")


def shared_state(conversation) -> dict:
    """The fields every reader shares, before an update (`conversation_changes` compares)."""
    return {field: getattr(conversation, field) for field in SHARED_FIELDS}


def conversation_changes(before: dict, conversation, *, also=()) -> list[Change]:
    """What an update emits: nothing for a no-op; closing has its own types.

    `also`: other shared fields the update changed (a campaign conversation's entity:
    entry, type, tags, image), which the conversation's show endpoint renders too.
    Made private, a campaign conversation is gone for non-admins:
    `conversation.removed` (reason `private`) for them, the update for admins.
    """
    changed = [f for f in SHARED_FIELDS if getattr(conversation, f) != before[f]]
    changed += [f for f in also if f not in changed]
    changes = []
    if "is_closed" in changed:
        changes.append(
            Change("conversation.closed" if conversation.is_closed else "conversation.reopened")
        )
    shared = [f for f in changed if f != "is_closed"]
    if shared:
        changes.append(Change("conversation.updated", snapshot={"changed": shared}))
    if "is_private" in changed and conversation.is_private and conversation.campaign_id:
        changes.append(
            Change(
                "conversation.removed",
                snapshot={"reason": "private", "entity_id": conversation.entity_id},
                role_filter=Event.RoleFilter.NON_ADMINS,
            )
        )
    return changes


# --- reading in commit order ------------------------------------------------------


def uses_xact_order() -> bool:
    return connection.vendor == "postgresql"


def position_of(event: Event) -> tuple[int, int]:
    return (event.xact_id or 0, event.pk)


def format_cursor(position: tuple[int, int]) -> str:
    """The opaque cursor sent as `id:` (events.md §3.1): `id`, or `xact.id` on PostgreSQL."""
    xact, pk = position
    return f"{xact}.{pk}" if uses_xact_order() else str(pk)


def parse_cursor(raw: str) -> tuple[int, int] | None:
    """A client's cursor as a position; None when it is not one of ours."""
    raw = (raw or "").strip()
    parts = raw.split(".")
    if not raw or len(parts) > 2 or not all(p.isdigit() and len(p) <= 19 for p in parts):
        return None
    if len(parts) == 1:
        return (0, int(parts[0]))
    return (int(parts[0]), int(parts[1]))


def _committed() -> "Q":
    """Rows every reader agrees on: PostgreSQL's, below the oldest running transaction."""
    if not uses_xact_order():
        return Q()
    return Q(xact_id__lt=RawSQL("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", []))


def events_after(position: tuple[int, int], *, limit: int, **scope) -> list[Event]:
    """Up to `limit` committed events after `position`, in cursor order (one query)."""
    xact, pk = position
    queryset = Event.objects.filter(_committed(), **scope)
    if uses_xact_order():
        queryset = queryset.filter(Q(xact_id__gt=xact) | Q(xact_id=xact, id__gt=pk))
        queryset = queryset.order_by("xact_id", "id")
    else:
        queryset = queryset.filter(id__gt=pk).order_by("id")
    return list(queryset[:limit])


def has_pending(position: tuple[int, int]) -> bool:
    """PostgreSQL: rows after `position` that an older running transaction still holds back."""
    if not uses_xact_order():
        return False
    xact, pk = position
    return Event.objects.filter(Q(xact_id__gt=xact) | Q(xact_id=xact, id__gt=pk)).exists()


def head_position() -> tuple[int, int]:
    """The position of the newest committed event ((0, 0) before the first)."""
    queryset = Event.objects.filter(_committed())
    order = ("-xact_id", "-id") if uses_xact_order() else ("-id",)
    newest = queryset.order_by(*order).only("id", "xact_id").first()
    return position_of(newest) if newest else (0, 0)


def pruned_through() -> int:
    state = OutboxState.objects.first()
    return state.pruned_through if state else 0
