"""Webhook management in the Twist dialect (events.md §4.2): Twist's REST hooks, Parley's extras.

`hooks/subscribe` and `hooks/unsubscribe` as Twist's REST hooks (one hook
per workspace and URL: a new URL is 201 with the secret, a known one gains
the types); `hooks/get|update|rotate_secret|test|get_deliveries` are
Parley's. Workspace admins only (else 403 code 109).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from conversations.policy import Role
from events import webhooks
from events.models import Webhook, WebhookDelivery
from workspaces.api.base import TwistView
from workspaces.api.errors import Code, TwistError, twist_exception_handler
from workspaces.api.params import TwistBooleanField, TwistIntegerField, merged_params
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


def hook_output(webhook: Webhook, *, secret: bool = False) -> dict:
    data = {
        "id": webhook.pk,
        "workspace_id": webhook.workspace_id,
        "target_url": webhook.url,
        "event_types": webhook.events,
        "conversation_id": webhook.conversation_id,
        "active": webhook.is_active,
        "disabled_reason": webhook.disabled_reason,
        "consecutive_failures": webhook.consecutive_failures,
        "creator": webhook.created_by_id,
        "created_ts": int(webhook.created_at.timestamp()),
    }
    if secret:
        data["secret"] = webhook.secret
    return data


def _ts(value):
    return int(value.timestamp()) if value else None


def delivery_output(delivery: WebhookDelivery) -> dict:
    return {
        "id": delivery.pk,
        "hook_id": delivery.webhook_id,
        "event_id": delivery.event_cursor,
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_ts": _ts(delivery.next_attempt_at),
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "response_excerpt": delivery.response_excerpt,
        "attempt_log": delivery.attempt_log,
        "created_ts": _ts(delivery.created_at),
        "finished_ts": _ts(delivery.finished_at),
    }


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


@extend_schema(exclude=True)
class _HookView(TwistView):
    scope = "workspaces:write"

    def get_exception_handler(self):
        return _handler

    def admin_workspace(self, request, workspace_id):
        workspace, role = access_workspace(user=request.user, workspace_id=workspace_id)
        if role != Role.ADMIN:
            raise TwistError(Code.FORBIDDEN)
        return workspace

    def render(self, result, params: dict):
        """Hook objects are built JSON-ready by hook_output / delivery_output."""
        return result

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
        raise HookArgumentError(
            "event_type" if error.field.startswith("events") else "target_url"
        ) from None


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
            return Response(hook_output(hook))
        hook = _checked(
            lambda: webhooks.webhook_create(
                actor=request.user,
                url=params["target_url"],
                events=types,
                workspace_id=workspace.pk,
            )
        )
        if params.get("conversation_id"):
            Webhook.objects.filter(pk=hook.pk).update(conversation_id=params["conversation_id"])
            hook.conversation_id = params["conversation_id"]
        return Response(hook_output(hook, secret=True), status=201)


class Unsubscribe(_HookView):
    input_serializer = UnsubscribeInput

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
    scope = "workspaces:read"
    input_serializer = WorkspaceIdInput

    def perform(self, request, params):
        workspace = self.admin_workspace(request, params["workspace_id"])
        return [
            hook_output(h) for h in Webhook.objects.filter(workspace_id=workspace.pk).order_by("id")
        ]


class Update(_HookView):
    input_serializer = UpdateInput

    def perform(self, request, params):
        hook = self.hook(request, params["id"])
        types = (
            [ALIASES.get(t, t) for t in params["event_types"]] if "event_types" in params else None
        )
        hook = _checked(
            lambda: webhooks.webhook_update(
                webhook=hook, events=types, is_active=params.get("active")
            )
        )
        if "conversation_id" in params:
            Webhook.objects.filter(pk=hook.pk).update(conversation_id=params["conversation_id"])
            hook.conversation_id = params["conversation_id"]
        return hook_output(hook)


class RotateSecret(_HookView):
    input_serializer = HookIdInput

    def perform(self, request, params):
        hook = webhooks.webhook_rotate_secret(webhook=self.hook(request, params["id"]))
        return hook_output(hook, secret=True)


class Test(_HookView):
    input_serializer = HookIdInput

    def perform(self, request, params):
        return delivery_output(webhooks.webhook_ping(webhook=self.hook(request, params["id"])))


class GetDeliveries(_HookView):
    scope = "workspaces:read"
    input_serializer = DeliveriesInput

    def perform(self, request, params):
        hook = self.hook(request, params["id"])
        rows = WebhookDelivery.objects.filter(webhook=hook).order_by("-id")
        if params.get("before_id"):
            rows = rows.filter(id__lt=params["before_id"])
        return [delivery_output(d) for d in rows[: params.get("limit", 20)]]


METHODS = {
    "hooks/subscribe": Subscribe,
    "hooks/unsubscribe": Unsubscribe,
    "hooks/get": Get,
    "hooks/update": Update,
    "hooks/rotate_secret": RotateSecret,
    "hooks/test": Test,
    "hooks/get_deliveries": GetDeliveries,
}
