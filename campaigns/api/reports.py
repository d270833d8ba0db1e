"""Parley's reports of messages in the Kanka dialect (not in Kanka's API).

`POST …/conversations/{id}/conversation_messages/{m}/report` reports a message
the caller can see to the moderators; `GET /campaigns/{c}/reports` pages the
caller's own reports in the campaign. Kanka's error bodies and rate limit,
like every other campaign-API route.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from campaigns.api.fields import KankaDateTimeField, laravel
from campaigns.api.openapi import ERRORS, WRITE_ERRORS, envelope, path_ids
from campaigns.api.views.base import InCampaignViewSet, InConversationViewSet
from conversations import selectors
from conversations.models import Report
from conversations.services.reports import report_submit

TAG = "campaign reports"  # config/schema.py lists it under the campaign API


class ReportInput(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=Report.Reason.choices, error_messages=laravel("reason")
    )
    text = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=1000,
        error_messages=laravel("text"),
    )


class ReportOutput(serializers.Serializer):
    """A report as its reporter sees it: never who else reported, nor the moderator."""

    id = serializers.IntegerField()
    conversation_id = serializers.IntegerField(source="message.conversation_id")
    message_id = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=Report.Status.choices)
    created_at = KankaDateTimeField()
    updated_at = KankaDateTimeField()
    resolved_at = KankaDateTimeField(allow_null=True)


class MessageReportView(InConversationViewSet):
    """Report a message to the moderators; reporting again updates the caller's one report."""

    noun = "Report"
    queryset = Report.objects.none()
    serializer_class = ReportInput

    def get_view_name(self) -> str:
        return "Report message"

    @extend_schema(
        tags=[TAG],
        parameters=path_ids("campaign_id", "conversation_id", "message_id"),
        request=ReportInput,
        responses={200: envelope("KankaReportEnvelope", ReportOutput()), **WRITE_ERRORS},
    )
    def create(self, request, **kwargs):
        message = selectors.message_in_conversation(
            conversation=self.conversation, message_id=kwargs["message_id"]
        )
        data = self.validated(ReportInput)
        report = report_submit(
            reporter=request.user, message=message, reason=data["reason"], text=data["text"]
        )
        return self.render_one(report, ReportOutput)


class ReportListView(InCampaignViewSet):
    """The caller's own reports in the campaign, newest change first, with their state."""

    noun = "Report"
    queryset = Report.objects.none()

    @extend_schema(
        tags=[TAG],
        parameters=path_ids("campaign_id"),
        responses={200: ReportOutput(many=True), **ERRORS},
    )
    def list(self, request, **kwargs):
        reports = selectors.reports_of_user(user=request.user, campaign=self.campaign)
        return self.render_page(reports, ReportOutput)
