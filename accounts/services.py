"""Writes on accounts: suspension (the moderation action is conversations.moderation)."""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from accounts.models import User


@transaction.atomic
def user_suspend(*, user: User, reason: str, until=None) -> None:
    """Suspend the user: their tokens only read from now on and their browser sessions end.

    `until` None: until a moderator lifts it. Suspending a suspended user
    replaces the reason and the end.
    """
    now = timezone.now()
    if until is not None and until <= now:
        raise ValueError("A suspension ends in the future.")
    User.objects.filter(pk=user.pk).update(
        suspended_at=now, suspended_until=until, suspension_reason=reason
    )
    user.suspended_at, user.suspended_until, user.suspension_reason = now, until, reason
    sessions_end(user=user)


@transaction.atomic
def user_unsuspend(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(
        suspended_at=None, suspended_until=None, suspension_reason=""
    )
    user.suspended_at, user.suspended_until, user.suspension_reason = None, None, ""


def sessions_end(*, user: User) -> int:
    """Delete the user's live browser sessions; returns how many.

    Only the admin and the browsable API use sessions (both APIs take bearer
    tokens), so the live sessions are few and decoding each is affordable.
    `accounts.backends` also refuses a suspended user's session on its next
    request, whatever the session engine.
    """
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)
