"""Helpers shared by the service modules."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import CampaignMember, Character
from conversations import exceptions
from conversations.models import Conversation, Participant
from conversations.policy import Role, can_see_private
from workspaces.models import WorkspaceMember


class _Unset:
    """Marks a keyword argument the caller did not pass (None is a real value)."""

    def __repr__(self):
        return "UNSET"

    def __bool__(self):
        return False


UNSET = _Unset()


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


def require_scope_users(conversation: Conversation, user_ids, *, field: str = "user_id") -> None:
    """Every id must be a member of the conversation's campaign or workspace."""
    wanted = {int(pk) for pk in user_ids}
    if not wanted:
        return
    if conversation.campaign_id:
        members = CampaignMember.objects.filter(campaign_id=conversation.campaign_id)
    else:
        members = WorkspaceMember.objects.filter(workspace_id=conversation.workspace_id)
    found = set(members.filter(user_id__in=wanted).values_list("user_id", flat=True))
    missing = sorted(wanted - found)
    if missing:
        raise exceptions.UserNotFound(field=field, object_id=missing[0])


def require_campaign_character(
    conversation: Conversation, character_id, *, field="character_id", role: Role | None = None
):
    """The character, which must belong to the conversation's campaign.

    With a `role` that does not see private entities, a private character is
    missing too (referencing it must not reveal that it exists).
    """
    if not conversation.campaign_id:
        raise exceptions.CharacterNotFound(field=field, object_id=character_id)
    characters = Character.objects.filter(campaign_id=conversation.campaign_id)
    if role is not None and not can_see_private(role):
        characters = characters.filter(entity__is_private=False)
    character = characters.filter(pk=character_id).first()
    if character is None:
        raise exceptions.CharacterNotFound(field=field, object_id=character_id)
    return character


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


def touch(conversation: Conversation, *, actor=None) -> None:
    """Bump `updated_at` (Kanka's lastSync sees participant and message changes)."""
    now = timezone.now()
    fields = {"updated_at": now}
    if actor is not None:
        fields["updated_by"] = actor
    Conversation.objects.filter(pk=conversation.pk).update(**fields)
    conversation.updated_at = now
