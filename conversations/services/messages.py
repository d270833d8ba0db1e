"""Posting, editing and removing messages; `obj_index` allocation lives here."""

from django.db import connection, transaction
from django.db.models import F, JSONField
from django.utils import timezone

from accounts.models import User
from conversations import exceptions, policy
from conversations.attachments import attachments_resolved
from conversations.models import Conversation, Mention, Message, Participant
from conversations.policy import Role
from conversations.scope import require_campaign_character, require_scope_users
from conversations.services.bookkeeping import lock_conversation, touch
from conversations.services.unset import UNSET
from events import outbox
from events.outbox import Change

SNIPPET_CREATORS = 5


def message_add(
    *,
    actor: User,
    role: Role,
    conversation: Conversation,
    locked: bool = False,
    content: str,
    attachments=(),
    actions=(),
    author_user_id=None,
    author_character_id=None,
    mentioned_user_ids=(),
    direct_group_mentions=(),
    system_message=None,
) -> Message:
    """Post a message at the next `obj_index`.

    The conversation row is locked for the rest of the transaction, so
    concurrent posters queue on it: numbering is gap-free and unique, and the
    counters (`message_count`, `last_obj_index`, `last_message`, snippet
    creators) agree with the rows. The sender's read marker moves to the new
    message, and the conversation is un-archived and unread for everyone else.
    `mentioned_user_ids` are the users the message mentions (the adapter
    parses its dialect's markup); only participants are recorded.

    `locked`: the caller read `conversation` with a posting access check
    (`access_*_to_post`: FOR UPDATE) in its own open transaction, which this
    write joins without a savepoint (an error fails the caller's transaction,
    theirs to roll back): the row is fresh and locked, and is not read again.

    Four statements without mentions (lock, insert, counters and participants
    in one on PostgreSQL, the outbox's INSERT); three when `locked`.
    The message comes back ready to render: its conversation (counters
    updated), its creator and its mentions are attached, so an adapter needs
    no query to answer with it.
    """
    if locked and not connection.in_atomic_block:
        raise transaction.TransactionManagementError("locked=True needs the caller's transaction.")
    with transaction.atomic(savepoint=not locked):
        policy.require_can_post(role, conversation)
        _validate_author(conversation, author_user_id, author_character_id, role=role)
        attachments = attachments_resolved(actor=actor, attachments=attachments)
        if not locked:
            conversation = lock_conversation(conversation, role)
            policy.require_can_post(role, conversation)
        now = timezone.now()
        message = Message(
            conversation=conversation,
            obj_index=conversation.last_obj_index + 1,
            content=content,
            attachments=attachments,
            actions=list(actions or ()),
            direct_group_mentions=list(direct_group_mentions or ()),
            system_message=system_message,
            author_user_id=author_user_id,
            author_character_id=author_character_id,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        _insert(message)
        mentions = _store_mentions(message, mentioned_user_ids)
        creators = [actor.pk] + [pk for pk in conversation.recent_creator_ids if pk != actor.pk]
        counters = {
            "message_count": conversation.message_count + 1,
            "last_obj_index": message.obj_index,
            "last_message": message,
            "recent_creator_ids": creators[:SNIPPET_CREATORS],
            "last_activity_at": now,
            "updated_at": now,
        }
        # Plain values, not F(): the row is locked, so what it read is what it holds.
        _write_post(conversation, counters, actor, message.obj_index)
        for field, value in counters.items():
            setattr(conversation, field, value)
        outbox.record(conversation, [Change("conversation_message.added", message.pk)], actor=actor)
        message._prefetched_objects_cache = {"mentions": mentions}
        return message


def _insert(instance) -> None:
    """INSERT a new row and set its `pk`: what `Model.save()` does for it (no signals are
    connected to these models), minus compiling the statement. Hot path (posting).

    The JSON columns come back as stored (PostgreSQL's jsonb keeps keys in its
    own order), so the instance renders the bytes a re-read would. RETURNING:
    PostgreSQL, SQLite 3.35 or later (as the outbox's INSERT).
    """
    meta = type(instance)._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    stored = [field for field in fields if isinstance(field, JSONField)]
    quote = connection.ops.quote_name
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    returning = ", ".join(quote(field.column) for field in [meta.pk, *stored])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
            f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {returning}",
            params,
        )
        instance.pk, *values = cursor.fetchone()
    for field, value in zip(stored, values, strict=True):
        setattr(instance, field.attname, field.from_db_value(value, None, connection))
    instance._state.adding, instance._state.db = False, connection.alias


def _write_post(conversation: Conversation, counters: dict, actor: User, obj_index: int) -> None:
    """The conversation's counters and every participant a post changes, in one statement
    on PostgreSQL (a data-modifying WITH), two elsewhere.

    The sender has read up to the new message; every other user now has
    unread messages; every other row (characters too) is un-archived. Rows
    already unread and unarchived are not written again. Hot path: written
    SQL, the values prepared by their fields, not two ORM updates.
    """
    fields = [Conversation._meta.get_field(name) for name in counters]
    assignments = ", ".join(f"{field.column} = %s" for field in fields)
    counters_sql = f"UPDATE {Conversation._meta.db_table} SET {assignments} WHERE id = %s"
    counters_params = []
    for field in fields:
        value = counters[field.name]
        value = value.pk if isinstance(value, Message) else value  # last_message
        counters_params.append(field.get_db_prep_save(value, connection))
    counters_params.append(conversation.pk)
    participants_sql = (
        f"UPDATE {Participant._meta.db_table} SET"
        " last_read_obj_index = CASE WHEN user_id = %s THEN %s ELSE last_read_obj_index END,"
        " unread = CASE WHEN user_id = %s OR user_id IS NULL THEN %s ELSE %s END,"
        " archived = CASE WHEN user_id = %s THEN archived ELSE %s END"
        " WHERE conversation_id = %s"
        " AND (user_id = %s OR archived OR (user_id IS NOT NULL AND NOT unread))"
    )
    participants_params = [
        *(actor.pk, obj_index, actor.pk, False, True, actor.pk, False),
        *(conversation.pk, actor.pk),
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH counters AS ({counters_sql}) {participants_sql}",
                counters_params + participants_params,
            )
        else:
            cursor.execute(counters_sql, counters_params)
            cursor.execute(participants_sql, participants_params)


@transaction.atomic
def message_update(
    *,
    actor: User,
    role: Role,
    message: Message,
    content=UNSET,
    attachments=UNSET,
    actions=UNSET,
    author_user_id=UNSET,
    author_character_id=UNSET,
    mentioned_user_ids=None,
) -> Message:
    """Edit a message: bumps `version` and `edited_at`; only the poster or an admin.

    `mentioned_user_ids` replaces the recorded mentions; None keeps them.
    """
    policy.require_can_change_message(role, message, actor)
    conversation = message.conversation
    # A character the message already names stays valid, even one the actor cannot see.
    new_character = None if author_character_id is UNSET else author_character_id
    _validate_author(
        conversation,
        None if author_user_id is UNSET else author_user_id,
        new_character,
        role=None if new_character == message.author_character_id else role,
    )
    if attachments is not UNSET:
        kept = {item.get("attachment_id") for item in message.attachments}
        attachments = attachments_resolved(actor=actor, attachments=attachments, kept=kept)
    # Conversation first, then the message: the order message_remove and
    # message_add take their locks in, so an edit racing a removal queues
    # instead of deadlocking.
    lock_conversation(conversation, role)
    message = Message.objects.select_for_update().filter(pk=message.pk).first()
    if message is None:  # removed while we waited for the lock
        raise exceptions.MessageNotFound()
    changes = {
        "content": content,
        "attachments": attachments,
        "actions": actions if actions is UNSET else list(actions or ()),
        "author_user_id": author_user_id,
        "author_character_id": author_character_id,
    }
    for field, value in changes.items():
        if value is not UNSET:
            setattr(message, field, value)
    now = timezone.now()
    message.edited_at = now
    message.updated_at = now
    message.updated_by = actor
    message.version += 1
    message.save()
    if mentioned_user_ids is not None:
        message.mentions.all().delete()
        _store_mentions(message, mentioned_user_ids)
    touch(conversation, actor=actor)
    outbox.record(conversation, [Change("conversation_message.edited", message.pk)], actor=actor)
    return message


@transaction.atomic
def message_remove(*, actor: User, role: Role, message: Message) -> None:
    """Delete a message for good; `message_count` drops, `last_obj_index` stays.

    The snippet (last message and its recent creators) and the last activity
    are recomputed from the newest remaining messages, a bounded walk down the
    (conversation, obj_index) index.
    """
    policy.require_can_change_message(role, message, actor)
    conversation = lock_conversation(message.conversation, role)
    _, deleted = Message.objects.filter(pk=message.pk).delete()
    if not deleted.get(Message._meta.label):
        # Another request removed it while we waited for the lock: counting
        # it twice would make message_count disagree with the rows.
        raise exceptions.MessageNotFound()
    recent = list(
        Message.objects.filter(conversation=conversation)
        .order_by("-obj_index")
        .values_list("pk", "created_by_id", "created_at")[:50]
    )
    creators = list(dict.fromkeys(pk for _, pk, _ in recent if pk is not None))
    Conversation.objects.filter(pk=conversation.pk).update(
        message_count=F("message_count") - 1,
        last_message_id=recent[0][0] if recent else None,
        recent_creator_ids=creators[:SNIPPET_CREATORS],
        # Last activity is the newest message's time, or the creation time.
        last_activity_at=recent[0][2] if recent else conversation.created_at,
    )
    touch(conversation, actor=actor)
    outbox.record(conversation, [outbox.message_removed(message)], actor=actor)


def _validate_author(conversation, author_user_id, author_character_id, *, role=None) -> None:
    """Kanka authors: a campaign member and/or a character of the campaign (one `role` may see)."""
    if author_user_id is not None:
        require_scope_users(conversation, [author_user_id], field="user_id")
    if author_character_id is not None:
        require_campaign_character(conversation, author_character_id, role=role)


def _store_mentions(message: Message, mentioned_user_ids) -> list[Mention]:
    """Record the mentioned participants in one statement; the new rows, in id order.

    The INSERT selects the participant rows among `mentioned_user_ids`, in the
    order they were given (ids follow it: `direct_mentions` render in id order).
    """
    wanted = list(dict.fromkeys(int(pk) for pk in mentioned_user_ids))
    if not wanted:
        return []
    ids = ", ".join(["%s"] * len(wanted))
    order = " ".join(["WHEN %s THEN %s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Mention._meta.db_table} (message_id, user_id)"
            f" SELECT %s, user_id FROM {Participant._meta.db_table}"
            f" WHERE conversation_id = %s AND user_id IN ({ids})"
            f" ORDER BY CASE user_id {order} END RETURNING id, user_id",
            [
                *(message.pk, message.conversation_id, *wanted),
                *(value for position, pk in enumerate(wanted) for value in (pk, position)),
            ],
        )
        rows = sorted(cursor.fetchall())
    mentions = [Mention(pk=pk, message=message, user_id=user_id) for pk, user_id in rows]
    for mention in mentions:
        mention._state.adding, mention._state.db = False, connection.alias
    return mentions
