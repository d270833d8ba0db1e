"""What every write keeps right beside its own rows: the lock order, `updated_at`, the key.

Used by the service modules only; adapters call the services.
"""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from conversations import exceptions
from conversations.models import Conversation, Participant
from conversations.policy import Role


def lock_conversation(conversation: Conversation, role: Role) -> Conversation:
    """Lock the conversation row for this transaction and return it fresh.

    Every write that changes a conversation's messages, counters or participant
    set takes this lock first, and message and participant rows only after it:
    one fixed order, so concurrent writers queue instead of deadlocking. A
    conversation soft-deleted meanwhile is gone for everyone but moderators.
    """
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.deleted_at is not None and role != Role.MODERATOR:
        raise exceptions.ConversationNotFound(object_id=conversation.pk)
    return locked


def participant_key_for(user_ids) -> str:
    return ",".join(str(pk) for pk in sorted({int(pk) for pk in user_ids}))


def refresh_participant_key(conversation: Conversation) -> None:
    """Re-key a workspace conversation after its participant set changed.

    The key makes get_or_create find this conversation for its set. When another
    conversation of the workspace already has that set, it keeps the key and
    this one goes unkeyed: get_or_create keeps answering with the older one.
    """
    if not conversation.workspace_id or conversation.deleted_at:
        return
    user_ids = Participant.objects.filter(
        conversation=conversation, user__isnull=False
    ).values_list("user_id", flat=True)
    key = participant_key_for(user_ids)
    taken = (
        Conversation.objects.filter(workspace_id=conversation.workspace_id, participant_key=key)
        .exclude(pk=conversation.pk)
        .exists()
    )
    new_key = None if taken else key
    if new_key is not None:
        try:
            with transaction.atomic():
                Conversation.objects.filter(pk=conversation.pk).update(participant_key=new_key)
        except IntegrityError:
            new_key = None
    if new_key is None:
        Conversation.objects.filter(pk=conversation.pk).update(participant_key=None)
    conversation.participant_key = new_key


def touch_all(conversations: QuerySet[Conversation], *, actor: User | None = None):
    """Bump `updated_at` of these conversations (Kanka's lastSync sees what changed in them)."""
    now = timezone.now()
    fields = {"updated_at": now}
    if actor is not None:
        fields["updated_by"] = actor
    conversations.update(**fields)
    return now


def touch(conversation: Conversation, *, actor: User | None = None) -> None:
    """Bump one conversation's `updated_at`, on the row and on this instance."""
    conversation.updated_at = touch_all(
        Conversation.objects.filter(pk=conversation.pk), actor=actor
    )
