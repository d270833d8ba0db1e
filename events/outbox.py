"""Recording events in the writing transaction, and reading them back in commit order.

Every write service of `conversations.services` ends with one `record(...)`
call, after its row locks (events.md §1.2). A rollback takes the rows with
it; the wake-up (PostgreSQL NOTIFY, sent only at commit, or a post-commit
poke of the local hub) never fires for a change that did not happen.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

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
    `removed_user_ids`; the actor alone for their own state. Two or three
    queries whatever the participants: the audience, the transaction id and
    NOTIFY (PostgreSQL), one bulk insert.
    """
    changes = [Change(c) if isinstance(c, str) else c for c in changes]
    if not changes:
        return
    audience = None
    if conversation.workspace_id and any(c.type not in ACTOR_ONLY for c in changes):
        from conversations.models import Participant

        present = Participant.objects.filter(
            conversation_id=conversation.pk, user__isnull=False
        ).values_list("user_id", flat=True)
        audience = sorted(set(present) | {int(pk) for pk in removed_user_ids})
    xact_id = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The NOTIFY is queued with the transaction and sent only if it commits.
            cursor.execute(
                "SELECT pg_current_xact_id()::text::bigint, pg_notify(%s, '')", [NOTIFY_CHANNEL]
            )
            xact_id = cursor.fetchone()[0]
    private = bool(conversation.campaign_id and conversation.is_private)
    rows = []
    for change in changes:
        role_filter = change.role_filter
        if role_filter is None and private:
            role_filter = Event.RoleFilter.ADMINS
        rows.append(
            Event(
                type=change.type,
                campaign_id=conversation.campaign_id,
                workspace_id=conversation.workspace_id,
                conversation_id=conversation.pk,
                object_id=change.object_id,
                actor_id=getattr(actor, "pk", None),
                audience=[actor.pk] if change.type in ACTOR_ONLY else audience,
                role_filter=role_filter,
                snapshot=change.snapshot or {},
                xact_id=xact_id,
            )
        )
    Event.objects.bulk_create(rows)
    _queue_deliveries(conversation, rows)
    transaction.on_commit(wakeup.poke_after_commit)


def _queue_deliveries(conversation, events) -> None:
    """One delivery per matching active webhook of the scope; tasks queued on commit."""
    hooked = [event for event in events if event.type in HOOK_TYPES]
    if not hooked:
        return
    scope = (
        {"campaign_id": conversation.campaign_id}
        if conversation.campaign_id
        else {"workspace_id": conversation.workspace_id}
    )
    webhooks = Webhook.objects.filter(is_active=True, **scope).filter(
        Q(conversation_id__isnull=True) | Q(conversation_id=conversation.pk)
    )
    deliveries = [
        WebhookDelivery(
            webhook=webhook,
            event_id=event.pk,
            event_cursor=format_cursor(position_of(event)),
            event_type=event.type,
        )
        for webhook in webhooks
        for event in hooked
        if event.type in webhook.events
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
