"""Creating, changing, closing and deleting conversations."""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from conversations import policy
from conversations.models import Conversation, Participant
from conversations.policy import Role
from conversations.scope import (
    Campaign,
    Entity,
    Workspace,
    require_campaign_character,
    require_scope_users,
)
from conversations.services.bookkeeping import (
    participant_key_for,
    refresh_participant_key,
    touch_all,
)
from conversations.services.unset import UNSET
from events import outbox


@transaction.atomic
def conversation_create(
    *,
    actor: User,
    role: Role,
    campaign: Campaign | None = None,
    workspace: Workspace | None = None,
    title: str = "",
    target: str = Conversation.Target.MEMBERS,
    is_private: bool = False,
    is_closed: bool = False,
    entity: Entity | None = None,
    user_ids=(),
    character_ids=(),
    participant_key: str | None = None,
) -> Conversation:
    """Create a conversation in exactly one scope, with its first participants.

    `role` is the actor's role in that scope (from the adapter's `access_*`).
    Campaign conversations need their Kanka `entity` (the campaign adapter
    keeps its name and privacy in step). `participant_key` is get_or_create's:
    inserting the key with the row makes a concurrent duplicate fail loudly.
    """
    policy.require_can_create(role, is_private=is_private)
    if is_closed:
        policy.require_can_close(role)
    now = timezone.now()
    conversation = Conversation(
        campaign=campaign,
        workspace=workspace,
        entity=entity,
        title=title,
        target=target,
        is_private=is_private,
        is_closed=is_closed,
        created_by=actor,
        updated_by=actor,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
        participant_key=participant_key,
    )
    require_scope_users(conversation, user_ids)
    characters = [
        require_campaign_character(conversation, pk) for pk in dict.fromkeys(character_ids)
    ]
    conversation.save()
    Participant.objects.bulk_create(
        [
            Participant(conversation=conversation, user_id=pk, created_by=actor)
            for pk in dict.fromkeys(user_ids)
        ]
        + [
            Participant(conversation=conversation, character=c, created_by=actor)
            for c in characters
        ]
    )
    if participant_key is None:
        refresh_participant_key(conversation)
    outbox.record(conversation, ["conversation.created"], actor=actor)
    return conversation


def conversation_get_or_create(
    *, actor: User, role: Role, workspace: Workspace, user_ids
) -> tuple[Conversation, bool]:
    """The workspace conversation whose participants are exactly `user_ids` plus the actor.

    Safe under concurrent calls: the set's key is unique per workspace, so the
    loser of a race gets an IntegrityError, rolls back its savepoint and reads
    the winner's conversation.
    """
    policy.require_writer(role)
    members = {int(pk) for pk in user_ids} | {actor.pk}
    key = participant_key_for(members)
    probe = Conversation(workspace=workspace)
    require_scope_users(probe, members)
    existing = _keyed_conversation(workspace, key)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            conversation = conversation_create(
                actor=actor,
                role=role,
                workspace=workspace,
                user_ids=sorted(members),
                participant_key=key,
            )
    except IntegrityError:
        existing = _keyed_conversation(workspace, key)
        if existing is None:
            raise
        return existing, False
    return conversation, True


def _keyed_conversation(workspace, key: str) -> Conversation | None:
    return Conversation.objects.filter(
        workspace=workspace, participant_key=key, deleted_at__isnull=True
    ).first()


@transaction.atomic
def conversation_update(
    *,
    actor: User,
    role: Role,
    conversation: Conversation,
    title=UNSET,
    target=UNSET,
    is_private=UNSET,
    is_closed=UNSET,
) -> Conversation:
    """Change the shared attributes of a conversation (not anyone's personal state)."""
    before = conversation_change(
        actor=actor,
        role=role,
        conversation=conversation,
        title=title,
        target=target,
        is_private=is_private,
        is_closed=is_closed,
    )
    outbox.record(conversation, outbox.conversation_changes(before, conversation), actor=actor)
    return conversation


def conversation_change(
    *,
    actor: User,
    role: Role,
    conversation: Conversation,
    title=UNSET,
    target=UNSET,
    is_private=UNSET,
    is_closed=UNSET,
) -> dict:
    """`conversation_update`'s checks and writes without its events, in the caller's
    transaction; the shared state before, for a caller that records the events itself
    with changes of its own (the campaign API's entity fields)."""
    sets_private = is_private is not UNSET and bool(is_private) != conversation.is_private
    policy.require_can_update(role, conversation, actor, sets_private=sets_private)
    if is_closed is not UNSET and bool(is_closed) != conversation.is_closed:
        policy.require_can_close(role)
    changes = {
        "title": title,
        "target": target,
        "is_private": is_private,
        "is_closed": is_closed,
    }
    before = outbox.shared_state(conversation)
    for field, value in changes.items():
        if value is not UNSET:
            setattr(conversation, field, value)
    conversation.updated_by = actor
    conversation.updated_at = timezone.now()
    conversation.save(
        update_fields=[f for f, v in changes.items() if v is not UNSET]
        + ["updated_by", "updated_at"]
    )
    return before


@transaction.atomic
def conversation_set_closed(*, actor: User, role: Role, conversation: Conversation, closed: bool):
    """Close (no new messages or participant changes) or reopen a conversation."""
    return conversation_update(actor=actor, role=role, conversation=conversation, is_closed=closed)


@transaction.atomic
def conversation_delete(*, actor: User, role: Role, conversation: Conversation) -> None:
    """Soft-delete: gone from both APIs, kept with its messages for a moderator to restore."""
    policy.require_can_delete(role, conversation, actor)
    conversation.deleted_at = timezone.now()
    conversation.deleted_by = actor
    conversation.participant_key = None
    conversation.save(update_fields=["deleted_at", "deleted_by", "participant_key"])
    outbox.record(conversation, [outbox.conversation_deleted(conversation)], actor=actor)


@transaction.atomic
def conversation_restore(*, actor: User, role: Role, conversation: Conversation) -> None:
    """Undo a soft delete (moderators and admins)."""
    policy.require_can_close(role)
    conversation.deleted_at = None
    conversation.deleted_by = None
    conversation.updated_at = timezone.now()
    conversation.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    refresh_participant_key(conversation)
    outbox.record(conversation, ["conversation.restored"], actor=actor)


@transaction.atomic
def conversations_touch(
    *, actor: User | None = None, conversations: QuerySet[Conversation]
) -> None:
    """Something these conversations show changed elsewhere (a tag, a character): bump them.

    `updated_at` is what Kanka's `lastSync` filters on.
    """
    touch_all(conversations, actor=actor)
