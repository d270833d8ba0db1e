"""Moderation through the admin: the domain's services run as `Role.MODERATOR`.

Each function checks `policy.is_moderator`, changes one object per
transaction through the same service an API would call, and records the
change in the admin's history (`LogEntry`) in that transaction, with who did
it and why. The reads serve the conversation page, which shows a bounded
window of a conversation and never loads all of it.
"""

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.db import transaction

from conversations import exceptions, policy, services
from conversations.models import Conversation, Message, Participant
from conversations.policy import Role

MESSAGES_PER_PAGE = 20
PARTICIPANTS_PER_PAGE = 50


def require_moderator(user) -> None:
    if not policy.is_moderator(user):
        raise exceptions.PermissionDenied("Only moderators may moderate conversations.")


def _log(moderator, objects, flag: int, message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=moderator.pk, queryset=list(objects), action_flag=flag, change_message=message
    )


def participant_label(participant: Participant) -> str:
    """A user's name, or a character's (needs `user` and `character__entity` loaded)."""
    if participant.user_id:
        user = participant.user
        return f"{user.name} ({user.username})" if user.name != user.username else user.username
    return f"{participant.character.entity.name} (character)"


def message_author_label(message: Message) -> str:
    """Who the message is written as, else who posted it (needs those relations loaded)."""
    if message.author_character_id:
        return f"{message.author_character.entity.name} (character)"
    user = message.author_user or message.created_by
    return user.username if user else "unknown"


def _change_each(moderator, conversations, reason: str, *, needed, change, done: str) -> int:
    """Run `change(conversation)` on each conversation for which `needed` holds.

    One transaction per conversation, with its LogEntry; returns how many changed.
    """
    require_moderator(moderator)
    changed = 0
    for conversation in conversations:
        if not needed(conversation):
            continue
        with transaction.atomic():
            change(actor=moderator, role=Role.MODERATOR, conversation=conversation)
            _log(moderator, [conversation], CHANGE, f"{done} Reason: {reason}")
        changed += 1
    return changed


def conversations_set_closed(*, moderator, conversations, closed: bool, reason: str) -> int:
    """Close or reopen each conversation not already so; returns how many changed."""
    return _change_each(
        moderator,
        conversations,
        reason,
        needed=lambda conversation: conversation.is_closed != closed,
        change=lambda **kw: services.conversation_set_closed(closed=closed, **kw),
        done="Closed the conversation." if closed else "Reopened the conversation.",
    )


def conversations_delete(*, moderator, conversations, reason: str) -> int:
    """Soft-delete each live conversation (restorable); returns how many changed."""
    return _change_each(
        moderator,
        conversations,
        reason,
        needed=lambda conversation: not conversation.is_deleted,
        change=services.conversation_delete,
        done="Deleted the conversation.",
    )


def conversations_restore(*, moderator, conversations, reason: str) -> int:
    """Undo the soft delete of each deleted conversation; returns how many changed."""
    return _change_each(
        moderator,
        conversations,
        reason,
        needed=lambda conversation: conversation.is_deleted,
        change=services.conversation_restore,
        done="Restored the conversation.",
    )


def _remove_each(moderator, objects, reason: str, *, describe, remove) -> int:
    """Remove each object through `remove`, logged on it and on its conversation.

    One transaction per object; returns how many were removed.
    """
    require_moderator(moderator)
    removed = 0
    for obj in objects:
        note = f"{describe(obj)} Reason: {reason}"
        with transaction.atomic():
            _log(moderator, [obj], DELETION, note)
            _log(moderator, [obj.conversation], CHANGE, note)
            remove(obj)
        removed += 1
    return removed


def messages_remove(*, moderator, messages, reason: str) -> int:
    """Delete each message for good, logged on the message and on its conversation.

    `messages` should have `conversation` and the author relations loaded.
    """
    return _remove_each(
        moderator,
        messages,
        reason,
        describe=lambda m: f"Removed message #{m.obj_index} by {message_author_label(m)}.",
        remove=lambda m: services.message_remove(actor=moderator, role=Role.MODERATOR, message=m),
    )


def participants_remove(*, moderator, participants, reason: str) -> int:
    """Remove each participant row, logged on the participant and on its conversation.

    `participants` should have `conversation`, `user` and `character__entity` loaded.
    """
    return _remove_each(
        moderator,
        participants,
        reason,
        describe=lambda p: f"Removed participant {participant_label(p)}.",
        remove=lambda p: services.participant_remove(
            actor=moderator, role=Role.MODERATOR, participant=p
        ),
    )


def messages_window(
    conversation: Conversation, *, before: int | None = None, after: int | None = None
) -> tuple[list[Message], bool, bool]:
    """Up to MESSAGES_PER_PAGE messages, newest first, with whether older/newer ones exist.

    Without a key: the newest page. `before=N`: the page just older than
    obj_index N; `after=N`: the page just newer. A key range on the
    (conversation, obj_index) index with a LIMIT, never an OFFSET.
    """
    queryset = Message.objects.filter(conversation=conversation).select_related(
        "author_user", "author_character__entity", "created_by"
    )
    if after is not None:
        rows = list(
            queryset.filter(obj_index__gt=after).order_by("obj_index")[: MESSAGES_PER_PAGE + 1]
        )
        has_newer = len(rows) > MESSAGES_PER_PAGE
        rows = rows[:MESSAGES_PER_PAGE][::-1]
        has_older = bool(rows) and queryset.filter(obj_index__lt=rows[-1].obj_index).exists()
        return rows, has_older, has_newer
    queryset_page = queryset if before is None else queryset.filter(obj_index__lt=before)
    rows = list(queryset_page.order_by("-obj_index")[: MESSAGES_PER_PAGE + 1])
    has_older = len(rows) > MESSAGES_PER_PAGE
    rows = rows[:MESSAGES_PER_PAGE]
    has_newer = (
        before is not None
        and bool(rows)
        and queryset.filter(obj_index__gt=rows[0].obj_index).exists()
    )
    return rows, has_older, has_newer


def participants_window(
    conversation: Conversation, *, after: int | None = None
) -> tuple[list[Participant], bool]:
    """Up to PARTICIPANTS_PER_PAGE participants in id order after `after`; whether more exist."""
    queryset = Participant.objects.filter(conversation=conversation).select_related(
        "user", "character__entity"
    )
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset.order_by("pk")[: PARTICIPANTS_PER_PAGE + 1])
    return rows[:PARTICIPANTS_PER_PAGE], len(rows) > PARTICIPANTS_PER_PAGE
