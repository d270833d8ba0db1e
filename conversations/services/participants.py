"""Adding, changing and removing the people (and characters) in a conversation."""

from django.db import transaction

from accounts.models import User
from conversations import exceptions, policy
from conversations.models import Conversation, Participant
from conversations.policy import Role
from conversations.scope import require_campaign_character, require_scope_users
from conversations.services.bookkeeping import lock_conversation, refresh_participant_key, touch
from conversations.services.unset import UNSET
from events import outbox
from events.outbox import Change


@transaction.atomic
def participant_add(
    *, actor: User, role: Role, conversation: Conversation, user_id=None, character_id=None
):
    """Add one user or one character (campaign API); a duplicate is AlreadyParticipant."""
    policy.require_can_manage_participants(role, conversation)
    conversation = lock_conversation(conversation, role)
    policy.require_can_manage_participants(role, conversation)
    user_id, character = _validated_subject(conversation, user_id, character_id, role=role)
    existing = Participant.objects.filter(conversation=conversation)
    if existing.filter(user_id=user_id, character=character).exists():
        field = "user_id" if user_id else "character_id"
        raise exceptions.AlreadyParticipant(field=field)
    participant = Participant.objects.create(
        conversation=conversation,
        user_id=user_id,
        character=character,
        created_by=actor,
        unread=user_id is not None and conversation.last_obj_index >= 0,
    )
    refresh_participant_key(conversation)
    touch(conversation, actor=actor)
    outbox.record(
        conversation, [Change("conversation_participant.added", participant.pk)], actor=actor
    )
    return participant


@transaction.atomic
def participant_update(
    *, actor: User, role: Role, participant: Participant, user_id=UNSET, character_id=UNSET
):
    """Point a participant row at another user or character (Kanka PUT/PATCH)."""
    conversation = participant.conversation
    policy.require_can_manage_participants(role, conversation)
    conversation = lock_conversation(conversation, role)
    new_user = participant.user_id if user_id is UNSET else user_id
    new_character = participant.character_id if character_id is UNSET else character_id
    if user_id is not UNSET and user_id is not None and character_id is UNSET:
        new_character = None
    if character_id is not UNSET and character_id is not None and user_id is UNSET:
        new_user = None
    # A character the row already names stays valid, even one the actor cannot see.
    unchanged = new_character is not None and new_character == participant.character_id
    new_user, character = _validated_subject(
        conversation, new_user, new_character, role=None if unchanged else role
    )
    clash = (
        Participant.objects.filter(conversation=conversation, user_id=new_user, character=character)
        .exclude(pk=participant.pk)
        .exists()
    )
    if clash:
        raise exceptions.AlreadyParticipant(field="user_id" if new_user else "character_id")
    participant.user_id = new_user
    participant.character = character
    participant.unread = (
        new_user is not None and conversation.last_obj_index > participant.last_read_obj_index
    )
    participant.save(update_fields=["user", "character", "unread", "updated_at"])
    refresh_participant_key(conversation)
    touch(conversation, actor=actor)
    outbox.record(
        conversation, [Change("conversation_participant.updated", participant.pk)], actor=actor
    )
    return participant


@transaction.atomic
def participant_remove(*, actor: User, role: Role, participant) -> None:
    """Remove one participant row (campaign API; moderators in the admin)."""
    conversation = participant.conversation
    policy.require_can_manage_participants(role, conversation)
    conversation = lock_conversation(conversation, role)
    removed = outbox.participant_removed(participant)
    participant.delete()
    refresh_participant_key(conversation)
    touch(conversation, actor=actor)
    outbox.record(conversation, [removed], actor=actor, removed_user_ids=[participant.user_id or 0])


@transaction.atomic
def participants_add_missing(
    *, actor: User, role: Role, conversation: Conversation, user_ids
) -> None:
    """Add users (workspace API); already present ones are left as they are.

    Every id is checked before anything changes, so a bad id adds no one.
    """
    policy.require_can_manage_participants(role, conversation)
    conversation = lock_conversation(conversation, role)
    wanted = list(dict.fromkeys(int(pk) for pk in user_ids))
    require_scope_users(conversation, wanted)
    present = set(
        Participant.objects.filter(conversation=conversation, user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )
    new = [pk for pk in wanted if pk not in present]
    if not new:
        return
    added = Participant.objects.bulk_create(
        [
            Participant(
                conversation=conversation,
                user_id=pk,
                created_by=actor,
                unread=conversation.last_obj_index >= 0,
            )
            for pk in new
        ]
    )
    refresh_participant_key(conversation)
    touch(conversation, actor=actor)
    outbox.record(
        conversation, [Change("conversation_participant.added", p.pk) for p in added], actor=actor
    )


@transaction.atomic
def participants_remove(*, actor: User, role: Role, conversation: Conversation, user_ids) -> None:
    """Remove users (workspace API); at least one participant must remain.

    Ids must be workspace members (else UserNotFound); members who are not
    participants are skipped.
    """
    policy.require_can_manage_participants(role, conversation)
    conversation = lock_conversation(conversation, role)
    wanted = {int(pk) for pk in user_ids}
    require_scope_users(conversation, wanted)
    rows = Participant.objects.filter(conversation=conversation)
    if not rows.exclude(user_id__in=wanted).exists():
        raise exceptions.InvalidArgument(
            "A conversation keeps at least one participant.", field="user_ids"
        )
    leaving = list(rows.filter(user_id__in=wanted))
    deleted, _ = rows.filter(pk__in=[p.pk for p in leaving]).delete()
    if deleted:
        refresh_participant_key(conversation)
        touch(conversation, actor=actor)
        outbox.record(
            conversation,
            [outbox.participant_removed(p) for p in leaving],
            actor=actor,
            removed_user_ids=[p.user_id for p in leaving],
        )


def _validated_subject(conversation, user_id, character_id, *, role: Role | None = None):
    """Exactly one of a scope member's user id or a campaign character (one `role` may see)."""
    if (user_id is None) == (character_id is None):
        raise exceptions.InvalidArgument(
            "Give exactly one of user_id and character_id.", field="user_id"
        )
    if user_id is not None:
        require_scope_users(conversation, [user_id])
        return int(user_id), None
    return None, require_campaign_character(conversation, character_id, role=role)
