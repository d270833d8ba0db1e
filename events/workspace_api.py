"""Webhook management in the Twist dialect (events.md §4.2): Twist's REST hooks, Parley's extras.

`hooks/subscribe` and `hooks/unsubscribe` as Twist's REST hooks (one hook
per workspace and URL: a new URL is 201 with the secret, a known one gains
the types); `hooks/get|update|rotate_secret|test|get_deliveries` are
Parley's. Workspace admins only (else 403 code 109).
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from conversations.policy import Role
from conversations.services import UNSET
from events import webhooks
from events.models import Webhook, WebhookDelivery
from workspaces.api.base import ERROR_RESPONSES, TwistView
from workspaces.api.errors import Code, TwistError, twist_exception_handler
from workspaces.api.params import TwistBooleanField, TwistIntegerField, merged_params
from workspaces.api.serializers import TwistStatusOutput
from workspaces.api.timestamps import TimestampField
from workspaces.selectors import access_workspace

# Twist's REST-hook names for the message events.
ALIASES = {
    "message_added": "conversation_message.added",
    "message_updated": "conversation_message.edited",
    "message_deleted": "conversation_message.removed",
}


class HookArgumentError(TwistError):
    """400 code 20 naming the argument (`error_extra: {"argument": …}`)."""

    def __init__(self, argument: str):
        super().__init__(Code.INVALID_ARGUMENT)
        self.argument = argument


def _handler(exc, context):
    response = twist_exception_handler(exc, context)
    if isinstance(exc, HookArgumentError):
        response.data["error_extra"] = {"argument": exc.argument}
    return response


def _types(params) -> list[str]:
    names = list(params.get("event_types") or [])
    for key in ("event_type", "event"):
        if params.get(key):
            names.append(params[key])
    if not names:
        raise HookArgumentError("event_type")
    return [ALIASES.get(name, name) for name in names]


class TwistHookOutput(serializers.Serializer):
    id = serializers.IntegerField()
    workspace_id = serializers.IntegerField()
    target_url = serializers.CharField(source="url")
    event_types = serializers.ListField(child=serializers.CharField(), source="events")
    conversation_id = serializers.IntegerField(allow_null=True)
    active = serializers.BooleanField(source="is_active")
    disabled_reason = serializers.CharField(allow_null=True)
    consecutive_failures = serializers.IntegerField()
    creator = serializers.IntegerField(source="created_by_id")
    created_ts = TimestampField(source="created_at")


class TwistHookWithSecretOutput(TwistHookOutput):
    secret = serializers.CharField(help_text="`whsec_…`: shown only in this answer.")


class TwistDeliveryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    hook_id = serializers.IntegerField(source="webhook_id")
    event_id = serializers.CharField(source="event_cursor")
    event_type = serializers.CharField()
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    next_attempt_ts = TimestampField(source="next_attempt_at", allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    response_excerpt = serializers.CharField()
    attempt_log = serializers.JSONField()
    created_ts = TimestampField(source="created_at", allow_null=True)
    finished_ts = TimestampField(source="finished_at", allow_null=True)


class SubscribeInput(serializers.Serializer):
    workspace_id = TwistIntegerField()
    target_url = serializers.CharField(max_length=2000)
    event_type = serializers.CharField(required=False, max_length=64)
    event = serializers.CharField(required=False, max_length=64)
    event_types = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    conversation_id = TwistIntegerField(required=False)


class UnsubscribeInput(serializers.Serializer):
    target_url = serializers.CharField(max_length=2000)
    workspace_id = TwistIntegerField(required=False)


class WorkspaceIdInput(serializers.Serializer):
    workspace_id = TwistIntegerField()


class HookIdInput(serializers.Serializer):
    id = TwistIntegerField()


class UpdateInput(HookIdInput):
    event_types = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    active = TwistBooleanField(required=False)
    conversation_id = TwistIntegerField(required=False, allow_null=True)


class DeliveriesInput(HookIdInput):
    limit = TwistIntegerField(required=False, min_value=1, max_value=100)
    before_id = TwistIntegerField(required=False)


class _HookView(TwistView):
    scope = "workspaces:write"
    output_serializer = TwistHookOutput

    def get_exception_handler(self):
        return _handler

    def admin_workspace(self, request, workspace_id):
        workspace, role = access_workspace(user=request.user, workspace_id=workspace_id)
        if role != Role.ADMIN:
            raise TwistError(Code.FORBIDDEN)
        return workspace

    def hook(self, request, hook_id) -> Webhook:
        webhook = Webhook.objects.filter(pk=hook_id, workspace_id__isnull=False).first()
        if webhook is None:
            raise TwistError(Code.RESOURCE_NOT_FOUND)
        try:
            self.admin_workspace(request, webhook.workspace_id)
        except Exception:
            raise TwistError(Code.RESOURCE_NOT_FOUND) from None
        return webhook


def _checked(call):
    try:
        return call()
    except webhooks.InvalidWebhook as error:
        if error.field.startswith("events"):
            raise HookArgumentError("event_type") from None
        raise HookArgumentError(
            "conversation_id" if error.field == "conversation_id" else "target_url"
        ) from None


@extend_schema(
    responses={
        201: OpenApiResponse(TwistHookWithSecretOutput, description="A new hook, with its secret."),
        200: OpenApiResponse(TwistHookOutput, description="A known URL: it gained the types."),
        **ERROR_RESPONSES,
    }
)
class Subscribe(_HookView):
    """Twist's REST hook: subscribe a URL to event types (201 new, 200 known)."""

    input_serializer = SubscribeInput

    def answer(self, request) -> Response:
        """Like every method's answer, but 201 for a new subscription."""
        serializer = self.input_serializer(data=merged_params(request))
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        workspace = self.admin_workspace(request, params["workspace_id"])
        types = _types(params)
        known = Webhook.objects.filter(workspace_id=workspace.pk, url=params["target_url"]).first()
        if known is not None:
            merged = list(dict.fromkeys(known.events + types))
            hook = _checked(lambda: webhooks.webhook_update(webhook=known, events=merged))
            return Response(TwistHookOutput(hook).data)
        hook = _checked(
            lambda: webhooks.webhook_create(
                actor=request.user,
                url=params["target_url"],
                events=types,
                workspace_id=workspace.pk,
                conversation_id=params.get("conversation_id"),
            )
        )
        return Response(TwistHookWithSecretOutput(hook).data, status=201)


class Unsubscribe(_HookView):
    """Twist's REST hook: delete the caller's hook of a URL."""

    input_serializer = UnsubscribeInput
    output_serializer = TwistStatusOutput

    def perform(self, request, params):
        hooks = Webhook.objects.filter(url=params["target_url"], workspace_id__isnull=False)
        if params.get("workspace_id"):
            hooks = hooks.filter(workspace_id=params["workspace_id"])
        for hook in hooks:
            try:
                self.admin_workspace(request, hook.workspace_id)
            except Exception:
                continue
            hook.delete()
            return {"status": "ok"}
        raise TwistError(Code.RESOURCE_NOT_FOUND)


class Get(_HookView):
    """The workspace's hooks, oldest first (never their secrets)."""

    scope = "workspaces:read"
    input_serializer = WorkspaceIdInput
    many = True

    def perform(self, request, params):
        workspace = self.admin_workspace(request, params["workspace_id"])
        return Webhook.objects.filter(workspace_id=workspace.pk).order_by("id")


class Update(_HookView):
    """Change what a hook receives; `active: true` re-enables it and zeroes its failures."""

    input_serializer = UpdateInput

    def perform(self, request, params):
        hook = self.hook(request, params["id"])
        types = (
            [ALIASES.get(t, t) for t in params["event_types"]] if "event_types" in params else None
        )
        hook = _checked(
            lambda: webhooks.webhook_update(
                webhook=hook,
                events=types,
                is_active=params.get("active"),
                conversation_id=params.get("conversation_id", UNSET),
            )
        )
        return hook


class RotateSecret(_HookView):
    """A new signing secret, shown once; the old one also signs for 24 hours."""

    input_serializer = HookIdInput
    output_serializer = TwistHookWithSecretOutput

    def perform(self, request, params):
        return webhooks.webhook_rotate_secret(webhook=self.hook(request, params["id"]))


class Test(_HookView):
    """Queue a `webhook.ping` delivery to the hook's URL."""

    input_serializer = HookIdInput
    output_serializer = TwistDeliveryOutput

    def perform(self, request, params):
        return webhooks.webhook_ping(webhook=self.hook(request, params["id"]))


class GetDeliveries(_HookView):
    """A hook's deliveries, newest first, with their attempt log."""

    scope = "workspaces:read"
    input_serializer = DeliveriesInput
    output_serializer = TwistDeliveryOutput
    many = True

    def perform(self, request, params):
        hook = self.hook(request, params["id"])
        rows = WebhookDelivery.objects.filter(webhook=hook).order_by("-id")
        if params.get("before_id"):
            rows = rows.filter(id__lt=params["before_id"])
        return rows[: params.get("limit", 20)]


METHODS = {
    "hooks/subscribe": Subscribe,
    "hooks/unsubscribe": Unsubscribe,
    "hooks/get": Get,
    "hooks/update": Update,
    "hooks/rotate_secret": RotateSecret,
    "hooks/test": Test,
    "hooks/get_deliveries": GetDeliveries,
}
