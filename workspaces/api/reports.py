"""Parley's reports of messages in the Twist dialect (not in Twist's API).

`conversation_messages/report` reports a message the caller can see to the
moderators; `reports/get` lists the caller's own reports and their state.
Twist's error bodies and rate limit, like every other method; documented
under their own tag (config/schema.py).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conversations import selectors
from conversations.models import Report
from conversations.services.reports import report_submit
from workspaces.api.base import READ, WRITE, MessageMethod, WorkspaceMethod
from workspaces.api.params import TwistIntegerField
from workspaces.api.timestamps import TimestampField


class TwistReportInput(serializers.Serializer):
    id = TwistIntegerField(help_text="The message to report.")
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    text = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=1000, trim_whitespace=True
    )


class TwistReportsGetInput(serializers.Serializer):
    workspace_id = TwistIntegerField()
    limit = TwistIntegerField(required=False, min_value=1, max_value=None)

    def validate(self, attrs):
        default, maximum = selectors.REPORTS_LIMIT
        attrs["limit"] = min(attrs.get("limit") or default, maximum)
        return attrs


class TwistReportOutput(serializers.Serializer):
    """A report as its reporter sees it: never who else reported, nor the moderator."""

    id = serializers.IntegerField()
    message_id = serializers.IntegerField()
    conversation_id = serializers.IntegerField(source="message.conversation_id")
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=Report.Status.choices)
    created_ts = TimestampField(source="created_at")
    updated_ts = TimestampField(source="updated_at")
    resolved_ts = serializers.SerializerMethodField()

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_resolved_ts(self, report):
        return int(report.resolved_at.timestamp()) if report.resolved_at else None


class MessageReport(MessageMethod):
    """Report a message of a conversation the caller takes part in to the moderators.

    Reporting the same message again updates the caller's one report (and
    reopens it). A message the caller cannot see is "Message not found".
    """

    scope = WRITE
    input_serializer = TwistReportInput
    output_serializer = TwistReportOutput

    def perform(self, request, params, message, role):
        return report_submit(
            reporter=request.user, message=message, reason=params["reason"], text=params["text"]
        )


class ReportsGet(WorkspaceMethod):
    """The caller's own reports in a workspace, newest change first, with their state."""

    scope = READ
    input_serializer = TwistReportsGetInput
    output_serializer = TwistReportOutput
    many = True

    def perform(self, request, params, workspace, role):
        reports = selectors.reports_of_user(user=request.user, workspace=workspace)
        return reports[: params["limit"]]


METHODS = {
    "conversation_messages/report": MessageReport,
    "reports/get": ReportsGet,
}
