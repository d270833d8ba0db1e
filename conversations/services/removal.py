"""A moderator's reversible removal of messages, their restoration and their purge.

Removal keeps the row and hides it (`Message.objects` skips removed messages),
so the counters are kept as if it were gone: `message_count` drops, the
snippet and last activity are recomputed from the remaining messages, and
`last_obj_index` stays (it allocates the next `obj_index`, and the removed
row keeps its own). Restoration undoes exactly that, with the same
`obj_index` and content.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from conversations import exceptions
from conversations.models import Conversation, Message, Participant
from conversations.policy import Role
from conversations.services.bookkeeping import lock_conversation, touch
from conversations.services.messages import SNIPPET_CREATORS

# The newest messages a snippet is recomputed from (as message_remove does).
SNIPPET_WINDOW = 50


def refresh_snippet(conversation: Conversation) -> None:
    """Recompute `last_message`, its recent creators and last activity from visible messages.

    A bounded walk down the (conversation, obj_index) index; the caller holds
    the conversation's lock.
    """
    recent = list(
        Message.objects.filter(conversation=conversation)
        .order_by("-obj_index")
        .values_list("pk", "created_by_id", "created_at")[:SNIPPET_WINDOW]
    )
    creators = list(dict.fromkeys(pk for _, pk, _ in recent if pk is not None))
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_id=recent[0][0] if recent else None,
        recent_creator_ids=creators[:SNIPPET_CREATORS],
        last_activity_at=recent[0][2] if recent else conversation.created_at,
    )


def _newest_visible_obj_index(conversation: Conversation) -> int:
    newest = (
        Message.objects.filter(conversation=conversation)
        .order_by("-obj_index")
        .values_list("obj_index", flat=True)
        .first()
    )
    return -1 if newest is None else newest


@transaction.atomic
def message_hide(*, moderator: User, message: Message, reason: str) -> Message:
    """Hide a message from every API, keeping it (who, when, why) for moderators.

    Participants who had read every message still visible get their read
    marker moved past the hidden ones, so a removal never leaves a
    conversation unread with nothing to read.
    """
    conversation = lock_conversation(message.conversation, Role.MODERATOR)
    now = timezone.now()
    hidden = Message.objects.filter(pk=message.pk).update(
        removed_at=now, removed_by=moderator, removal_reason=reason, updated_at=now
    )
    if not hidden:
        raise exceptions.MessageNotFound(object_id=message.pk)
    Conversation.objects.filter(pk=conversation.pk).update(message_count=F("message_count") - 1)
    refresh_snippet(conversation)
    Participant.objects.filter(
        conversation=conversation,
        last_read_obj_index__gte=_newest_visible_obj_index(conversation),
        last_read_obj_index__lt=conversation.last_obj_index,
    ).update(last_read_obj_index=conversation.last_obj_index)
    touch(conversation, actor=moderator)
    message.removed_at, message.removed_by, message.removal_reason = now, moderator, reason
    return message


def restore_deadline(message: Message):
    """Until when a removed message can be restored (after that it may be purged)."""
    return message.removed_at + timedelta(days=settings.MODERATION_RETENTION_DAYS)


@transaction.atomic
def message_unhide(*, moderator: User, message: Message) -> Message:
    """Bring a removed message back, same `obj_index` and content, within the retention period."""
    conversation = lock_conversation(message.conversation, Role.MODERATOR)
    message = Message.all_objects.removed().select_for_update().filter(pk=message.pk).first()
    if message is None:
        raise exceptions.MessageNotFound()
    if restore_deadline(message) <= timezone.now():
        raise exceptions.InvalidArgument("The retention period of this removal is over.")
    now = timezone.now()
    Message.all_objects.filter(pk=message.pk).update(
        removed_at=None, removed_by=None, removal_reason="", updated_at=now
    )
    Conversation.objects.filter(pk=conversation.pk).update(message_count=F("message_count") + 1)
    refresh_snippet(conversation)
    touch(conversation, actor=moderator)
    message.removed_at, message.removed_by, message.removal_reason = None, None, ""
    return message


def messages_purge(*, now=None) -> int:
    """Delete for good the messages removed longer ago than the retention period.

    Their counters were settled at removal, so this only deletes rows (and
    their mentions and reports, by cascade). Returns how many were deleted.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.MODERATION_RETENTION_DAYS)
    _, deleted = Message.all_objects.removed().filter(removed_at__lte=cutoff).delete()
    return deleted.get(Message._meta.label, 0)
