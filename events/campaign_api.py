"""`/api/1.0/campaigns/{campaign}/webhooks…`: webhook management in the Kanka dialect (§4.1).

Campaign admins only (players and visitors 403; non-members of a private
campaign 404, by `access_campaign`), Kanka's envelopes, pagination and 422s.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers

from campaigns.api.fields import KankaDateTimeField
from campaigns.api.openapi import ERRORS, WRITE_ERRORS, crud_schema, envelope, path_ids
from campaigns.api.views.base import InCampaignViewSet
from conversations import exceptions
from conversations.ids import row_by_id
from conversations.policy import ADMINS
from events import webhooks
from events.models import Webhook, WebhookDelivery


class WebhookNotFound(exceptions.NotFound):
    resource = "webhook"


class WebhookInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000)
    events = serializers.ListField(child=serializers.CharField(max_length=64), allow_empty=False)
    is_active = serializers.BooleanField(required=False)


class WebhookOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    disabled_reason = serializers.CharField(allow_null=True)
    consecutive_failures = serializers.IntegerField()
    last_success_at = KankaDateTimeField(allow_null=True)
    last_failure_at = KankaDateTimeField(allow_null=True)
    created_at = KankaDateTimeField()
    created_by = serializers.IntegerField(source="created_by_id")
    updated_at = KankaDateTimeField()


class WebhookWithSecretOutput(WebhookOutput):
    secret = serializers.CharField()


class DeliveryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    webhook_id = serializers.IntegerField()
    event_id = serializers.CharField(source="event_cursor")
    event_type = serializers.CharField()
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = KankaDateTimeField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    response_excerpt = serializers.CharField()
    attempt_log = serializers.JSONField()
    created_at = KankaDateTimeField()
    finished_at = KankaDateTimeField(allow_null=True)


TAG = "campaign webhooks"  # config/schema.py lists it under the campaign API
ADMIN_ERRORS = {**ERRORS, 403: WRITE_ERRORS[403]}
ITEM = path_ids("campaign_id", "id")
WITH_SECRET = envelope("KankaWebhookWithSecretEnvelope", WebhookWithSecretOutput())


@extend_schema_view(
    **crud_schema(TAG, WebhookOutput, WebhookInput)
    | {
        "create": extend_schema(
            tags=[TAG],
            parameters=path_ids("campaign_id"),
            request={"application/json": WebhookInput, "multipart/form-data": WebhookInput},
            responses={
                200: WITH_SECRET,
                **WRITE_ERRORS,
            },
            description="The answer carries the signing `secret`, the only time it is shown.",
        ),
    }
)
class CampaignWebhookViewSet(InCampaignViewSet):
    """A campaign's outgoing webhooks (events.md §4.1): campaign admins only, players 403."""

    noun = "Webhook"
    queryset = Webhook.objects.none()
    serializer_class = WebhookInput

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.role not in ADMINS:
            raise exceptions.PermissionDenied()

    def one(self, pk) -> Webhook:
        webhooks_ = Webhook.objects.filter(campaign_id=self.campaign.pk)
        return row_by_id(webhooks_, pk, WebhookNotFound)

    def _validated(self, *, partial=False) -> dict:
        data = self.validated(WebhookInput, partial=partial)
        return data

    def _refused(self, error: webhooks.InvalidWebhook):
        return serializers.ValidationError({error.field: [error.message]})

    def list(self, request, **kwargs):
        rows = Webhook.objects.filter(campaign_id=self.campaign.pk).order_by("id")
        return self.render_page(rows, WebhookOutput)

    def create(self, request, **kwargs):
        data = self._validated()
        try:
            webhook = webhooks.webhook_create(
                actor=request.user,
                url=data["url"],
                events=data["events"],
                campaign_id=self.campaign.pk,
            )
            if data.get("is_active") is False:
                webhook = webhooks.webhook_update(webhook=webhook, is_active=False)
        except webhooks.InvalidWebhook as error:
            raise self._refused(error) from None
        return self.render_one(webhook, WebhookWithSecretOutput)

    def retrieve(self, request, pk, **kwargs):
        return self.render_one(self.one(pk), WebhookOutput)

    def update(self, request, pk, **kwargs):
        webhook = self.one(pk)
        data = self._validated(partial=True)
        try:
            webhook = webhooks.webhook_update(
                webhook=webhook,
                url=data.get("url"),
                events=data.get("events"),
                is_active=data.get("is_active"),
            )
        except webhooks.InvalidWebhook as error:
            raise self._refused(error) from None
        return self.render_one(webhook, WebhookOutput)

    def partial_update(self, request, pk, **kwargs):
        return self.update(request, pk, **kwargs)

    def destroy(self, request, pk, **kwargs):
        webhook = self.one(pk)
        webhook.delete()
        return self.render_deleted(pk)

    @extend_schema(
        tags=[TAG],
        parameters=ITEM,
        request=None,
        responses={
            200: WITH_SECRET,
            **ADMIN_ERRORS,
        },
        description="A new secret, shown once; the old one also signs for 24 hours.",
    )
    def rotate_secret(self, request, pk, **kwargs):
        webhook = webhooks.webhook_rotate_secret(webhook=self.one(pk))
        return self.render_one(webhook, WebhookWithSecretOutput)

    @extend_schema(
        tags=[TAG],
        parameters=ITEM,
        request=None,
        responses={200: envelope("KankaDeliveryEnvelope", DeliveryOutput()), **ADMIN_ERRORS},
        description="Queues a `webhook.ping` delivery to the webhook's URL.",
    )
    def test(self, request, pk, **kwargs):
        delivery = webhooks.webhook_ping(webhook=self.one(pk))
        return self.render_one(delivery, DeliveryOutput)

    @extend_schema(
        tags=[TAG],
        parameters=[
            *ITEM,
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=WebhookDelivery.Status.values,
                description="Only the deliveries in this state.",
            ),
        ],
        responses={200: DeliveryOutput(many=True), **WRITE_ERRORS},
    )
    def deliveries(self, request, pk, **kwargs):
        webhook = self.one(pk)
        rows = WebhookDelivery.objects.filter(webhook=webhook).order_by("-id")
        status = request.query_params.get("status")
        if status:
            if status not in WebhookDelivery.Status.values:
                raise serializers.ValidationError({"status": ["The selected status is invalid."]})
            rows = rows.filter(status=status)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(DeliveryOutput(page, many=True).data)
