"""Users' reports of messages to the moderators, and their resolution."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from conversations import exceptions
from conversations.models import Message, Report


def report_submit(*, reporter: User, message: Message, reason: str, text: str = "") -> Report:
    """Report a message the reporter can see (the adapter resolved it through `access_*`).

    One report per reporter and message: reporting again updates its reason
    and text and reopens it if a moderator had closed it. One's own message
    cannot be reported.
    """
    if reason not in Report.Reason.values:
        raise exceptions.InvalidArgument("Unknown reason.", field="reason")
    if message.created_by_id == reporter.pk:
        raise exceptions.InvalidArgument("You cannot report your own message.", field="id")
    fields = {
        "reason": reason,
        "text": text,
        "status": Report.Status.OPEN,
        "updated_at": timezone.now(),
        "resolved_at": None,
        "resolved_by": None,
        "resolution": "",
    }
    try:
        with transaction.atomic():
            report, _ = Report.objects.update_or_create(
                message=message, reporter=reporter, defaults=fields
            )
    except IntegrityError:
        # Two first reports raced: the other created the row, update it.
        with transaction.atomic():
            report, _ = Report.objects.update_or_create(
                message=message, reporter=reporter, defaults=fields
            )
    return report


def reports_resolve(*, moderator: User, message: Message, status: str, resolution: str) -> int:
    """Close every open report of the message as `status`; returns how many were open.

    Runs inside the moderator action's transaction.
    """
    return Report.objects.filter(message=message, status=Report.Status.OPEN).update(
        status=status,
        resolved_at=timezone.now(),
        resolved_by=moderator,
        resolution=resolution,
    )
