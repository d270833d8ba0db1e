"""Moderation through the admin: the domain's services run as `Role.MODERATOR`.

Each function checks `policy.is_moderator`, changes one object per
transaction through the same service an API would call, and records the
change in the admin's history (`LogEntry`) in that transaction, with who did
it and why. The reads serve the conversation page, which shows a bounded
window of a conversation and never loads all of it.
"""

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.db import transaction
from django.db.models import Count, Min, Prefetch, Q

from accounts import services as account_services
from conversations import exceptions, policy, services
from conversations.models import Conversation, Message, Participant, Report
from conversations.policy import Role
from conversations.services import removal
from conversations.services.reports import reports_resolve

MESSAGES_PER_PAGE = 20
PARTICIPANTS_PER_PAGE = 50
QUEUE_PER_PAGE = 20
# The queue shows a reported message with this many messages before and after it.
CONTEXT_AROUND = 2


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


def _on_message(moderator, message: Message, reason: str, *, done: str, status, act) -> None:
    """Run `act()` on a message, resolve its open reports as `status`, log it: one transaction.

    Logged on the message and on its conversation, with who and why.
    """
    note = f"{done} Reason: {reason}"
    with transaction.atomic():
        act()
        reports_resolve(moderator=moderator, message=message, status=status, resolution=note)
        _log(moderator, [message], CHANGE, note)
        _log(moderator, [message.conversation], CHANGE, note)


def messages_remove(*, moderator, messages, reason: str) -> int:
    """Hide each message from every API (restorable within the retention period).

    Resolves the message's open reports. `messages` should have
    `conversation` and the author relations loaded; removed ones are skipped.
    """
    require_moderator(moderator)
    removed = 0
    for message in messages:
        if message.is_removed:
            continue
        _on_message(
            moderator,
            message,
            reason,
            done=f"Removed message #{message.obj_index} by {message_author_label(message)}.",
            status=Report.Status.RESOLVED,
            act=lambda m=message: removal.message_hide(
                moderator=moderator, message=m, reason=reason
            ),
        )
        removed += 1
    return removed


def messages_restore(*, moderator, messages, reason: str) -> int:
    """Bring back each removed message (same `obj_index` and content); returns how many."""
    require_moderator(moderator)
    restored = 0
    for message in messages:
        if not message.is_removed:
            continue
        note = f"Restored message #{message.obj_index}. Reason: {reason}"
        with transaction.atomic():
            removal.message_unhide(moderator=moderator, message=message)
            _log(moderator, [message], CHANGE, note)
            _log(moderator, [message.conversation], CHANGE, note)
        restored += 1
    return restored


def reports_dismiss(*, moderator, message: Message, reason: str) -> None:
    """Close the message's open reports without acting on the message."""
    require_moderator(moderator)
    _on_message(
        moderator,
        message,
        reason,
        done=f"Dismissed the reports of message #{message.obj_index}.",
        status=Report.Status.DISMISSED,
        act=lambda: None,
    )


def author_remove_from_conversation(*, moderator, message: Message, reason: str) -> None:
    """Remove the message's poster from its conversation; resolves the message's reports."""
    require_moderator(moderator)
    participant = (
        Participant.objects.filter(conversation=message.conversation, user=message.created_by_id)
        .select_related("user", "character__entity", "conversation")
        .first()
        if message.created_by_id
        else None
    )
    if participant is None:
        raise exceptions.ParticipantNotFound("The author is no longer a participant.")
    _on_message(
        moderator,
        message,
        reason,
        done=f"Removed {participant_label(participant)} from the conversation.",
        status=Report.Status.RESOLVED,
        act=lambda: (
            # Logged first: the row has no pk once removed.
            _log(moderator, [participant], DELETION, f"Removed. Reason: {reason}"),
            services.participant_remove(
                actor=moderator, role=Role.MODERATOR, participant=participant
            ),
        ),
    )


def author_suspend(*, moderator, message: Message, reason: str, until=None) -> None:
    """Suspend the message's poster; resolves the message's reports."""
    require_moderator(moderator)
    if not message.created_by_id:
        raise exceptions.UserNotFound("The message has no author to suspend.")
    author = message.created_by
    _on_message(
        moderator,
        message,
        reason,
        done=f"Suspended {author.username}{_until(until)}.",
        status=Report.Status.RESOLVED,
        act=lambda: users_suspend(moderator=moderator, users=[author], reason=reason, until=until),
    )


def _until(until) -> str:
    return f" until {until:%Y-%m-%d %H:%M} UTC" if until else ""


def users_suspend(*, moderator, users, reason: str, until=None) -> int:
    """Suspend each user not already suspended: tokens only read, sessions end. Logged."""
    require_can_suspend(moderator)
    count = 0
    for user in users:
        with transaction.atomic():
            account_services.user_suspend(user=user, reason=reason, until=until)
            _log(moderator, [user], CHANGE, f"Suspended{_until(until)}. Reason: {reason}")
        count += 1
    return count


def users_unsuspend(*, moderator, users, reason: str) -> int:
    """Lift each running suspension; returns how many were lifted."""
    require_can_suspend(moderator)
    count = 0
    for user in users:
        if user.suspended_at is None:
            continue
        with transaction.atomic():
            account_services.user_unsuspend(user=user)
            _log(moderator, [user], CHANGE, f"Lifted the suspension. Reason: {reason}")
        count += 1
    return count


def require_can_suspend(user) -> None:
    if not (policy.is_moderator(user) and user.has_perm("accounts.suspend_user")):
        raise exceptions.PermissionDenied("Only moderators may suspend users.")


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
    (conversation, obj_index) index with a LIMIT, never an OFFSET. Removed
    messages are included (moderators see them, marked, and may restore them).
    """
    queryset = Message.all_objects.filter(conversation=conversation).select_related(
        "author_user", "author_character__entity", "created_by", "removed_by"
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


# --- the reports queue ------------------------------------------------------


def open_reports_count() -> int:
    """How many messages wait in the queue (the admin index shows it)."""
    return Report.objects.filter(status=Report.Status.OPEN).values("message").distinct().count()


def report_queue(*, page: int = 1) -> tuple[list[Message], bool]:
    """One page of reported messages, most reported first, then the longest waiting.

    Each message carries `open_reports` (its open reports with their
    reporters), `open_count` and `context` (up to CONTEXT_AROUND messages
    before and after it, itself included, oldest first). A constant number of
    queries whatever the page holds: the page, the reports, the context.
    """
    open_ = Q(reports__status=Report.Status.OPEN)
    offset = (max(page, 1) - 1) * QUEUE_PER_PAGE
    rows = list(
        Message.objects.filter(open_)
        .annotate(
            open_count=Count("reports", filter=open_),
            first_report=Min("reports__created_at", filter=open_),
        )
        .order_by("-open_count", "first_report", "pk")
        .select_related(
            "conversation__campaign",
            "conversation__workspace",
            "created_by",
            "author_user",
            "author_character__entity",
        )
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=Report.objects.filter(status=Report.Status.OPEN)
                .select_related("reporter")
                .order_by("created_at"),
                to_attr="open_reports",
            )
        )[offset : offset + QUEUE_PER_PAGE + 1]
    )
    has_more = len(rows) > QUEUE_PER_PAGE
    rows = rows[:QUEUE_PER_PAGE]
    _attach_context(rows)
    return rows, has_more


def _attach_context(messages: list[Message]) -> None:
    if not messages:
        return
    around = Q()
    for message in messages:
        around |= Q(
            conversation_id=message.conversation_id,
            obj_index__gte=message.obj_index - CONTEXT_AROUND,
            obj_index__lte=message.obj_index + CONTEXT_AROUND,
        )
    nearby = (
        Message.objects.filter(around)
        .select_related("created_by", "author_user", "author_character__entity")
        .order_by("conversation_id", "obj_index")
    )
    by_conversation: dict[int, list[Message]] = {}
    for row in nearby:
        by_conversation.setdefault(row.conversation_id, []).append(row)
    for message in messages:
        message.context = [
            row
            for row in by_conversation.get(message.conversation_id, [])
            if abs(row.obj_index - message.obj_index) <= CONTEXT_AROUND
        ]
