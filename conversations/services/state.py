"""A participant's own state: read marker, archive flag, mute."""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from conversations import exceptions
from conversations.models import Conversation, Participant
from events import outbox


def _own_participant_rows(actor, conversation: Conversation) -> QuerySet[Participant]:
    """The actor's participant row as a queryset to update; not a participant is NotFound."""
    rows = Participant.objects.filter(conversation=conversation, user=actor)
    if not rows.exists():
        raise exceptions.ConversationNotFound(object_id=conversation.pk)
    return rows


def _set_read_marker(actor, conversation: Conversation, last_read_obj_index: int) -> bool:
    """Move the actor's read marker and its `unread` flag in one statement; False if it was there.

    The flag compares against the conversation's `last_obj_index` as stored,
    read under a key-share lock: a post in flight holds the conversation's
    row lock, so this waits for it and sees its message instead of clearing
    the flag over it. Not a participant is NotFound.
    """
    participant, conversation_table = Participant._meta.db_table, Conversation._meta.db_table
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {participant} SET last_read_obj_index = %s, unread = ("
            f"SELECT last_obj_index FROM {conversation_table} WHERE id = %s{lock}) > %s"
            " WHERE conversation_id = %s AND user_id = %s AND last_read_obj_index <> %s",
            [
                *(last_read_obj_index, conversation.pk, last_read_obj_index),
                *(conversation.pk, actor.pk, last_read_obj_index),
            ],
        )
        if cursor.rowcount:
            return True
    _own_participant_rows(actor, conversation)  # not a participant is NotFound
    return False


def _require_index(conversation: Conversation, obj_index: int) -> None:
    if not 0 <= obj_index <= conversation.last_obj_index:
        raise exceptions.InvalidArgument(
            "obj_index is not a message of this conversation.", field="obj_index"
        )


@transaction.atomic
def conversation_mark_read(
    *, actor: User, conversation: Conversation, obj_index: int | None = None
) -> None:
    """Everything up to and including `obj_index` is read; later messages stay unread.

    An exact set (it may move the marker back), as Twist's "will become the
    last read message" says. Without `obj_index`, the whole conversation is read.
    """
    if obj_index is None:
        obj_index = conversation.last_obj_index
    else:
        _require_index(conversation, obj_index)
    if _set_read_marker(actor, conversation, obj_index):
        outbox.record(conversation, ["conversation.read_updated"], actor=actor)


@transaction.atomic
def conversation_mark_unread(
    *, actor: User, conversation: Conversation, obj_index: int | None = None
) -> None:
    """`obj_index` and every later message become unread for the actor.

    Without `obj_index`, the newest message (an empty conversation stays as it is).
    """
    if obj_index is None:
        obj_index = max(conversation.last_obj_index, 0)
    else:
        _require_index(conversation, obj_index)
    if _set_read_marker(actor, conversation, obj_index - 1):
        outbox.record(conversation, ["conversation.read_updated"], actor=actor)


@transaction.atomic
def conversation_set_archived(*, actor: User, conversation: Conversation, archived: bool) -> None:
    """Archive or unarchive for the actor only; a new message un-archives it again."""
    _own_participant_rows(actor, conversation).update(archived=archived)
    outbox.record(conversation, ["conversation.state_updated"], actor=actor)


@transaction.atomic
def conversation_mute(*, actor: User, conversation: Conversation, minutes: int) -> None:
    """Mute for the actor for `minutes` (> 0) from now."""
    if minutes <= 0:
        raise exceptions.InvalidArgument("minutes must be positive.", field="minutes")
    until = timezone.now() + timedelta(minutes=minutes)
    _own_participant_rows(actor, conversation).update(muted_until=until)
    outbox.record(conversation, ["conversation.state_updated"], actor=actor)


@transaction.atomic
def conversation_unmute(*, actor: User, conversation: Conversation) -> None:
    _own_participant_rows(actor, conversation).update(muted_until=None)
    outbox.record(conversation, ["conversation.state_updated"], actor=actor)
