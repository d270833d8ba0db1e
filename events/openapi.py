"""The webhook deliveries in the OpenAPI document: what a receiver gets (events.md §2, §4.3).

OpenAPI 3.1 has a root `webhooks` object (drf-spectacular's `WEBHOOKS`
setting), but Parley's document is 3.0.3: the generated clients, schemathesis
and the validator all read 3.0, and moving every nullable field to 3.1's type
lists is a change of its own. So the deliveries are described with the same
machinery (`OpenApiWebhook`, one per dialect and event type, bodies as named
components that clients can generate from) and placed under `x-webhooks`,
the 3.0 extension ReDoc shows as webhooks; their bodies reuse the show
endpoints' components, as the deliveries reuse their serializers.
"""

from drf_spectacular.plumbing import process_webhooks
from drf_spectacular.utils import (
    OpenApiResponse,
    OpenApiWebhook,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

from campaigns.api import serializers as kanka
from events.outbox import HOOK_TYPES
from workspaces.api import serializers as twist

# process_webhooks leaves parameters out, so the request headers are added as they are.
HEADERS = [
    {
        "name": name,
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": text,
    }
    for name, text in [
        ("webhook-id", "`evt_<cursor>`: the same on every attempt; the idempotency key."),
        ("webhook-timestamp", "Unix seconds of this attempt."),
        (
            "webhook-signature",
            "Standard Webhooks: `v1,` + base64 HMAC-SHA256, keyed with the decoded `whsec_` "
            "part of the secret, over `webhook-id.webhook-timestamp.body`; two values, "
            "space-separated, for 24 h after a rotation.",
        ),
        ("parley-event-type", "The event type."),
        ("parley-delivery-attempt", "1 for the first attempt."),
    ]
] + [
    {
        "name": "parley-payload",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "enum": ["thin"]},
        "description": "`thin` when the rendering was over `PARLEY_WEBHOOK_MAX_PAYLOAD_BYTES` "
        "(64 KiB): the body then carries only the object's tombstone ids (in the campaign "
        'dialect as `data`, with `"thin": true` in `event`); read the object through the API.',
    }
]
ANSWER = {
    200: OpenApiResponse(
        description="Any 2xx: delivered. Anything else fails, 3xx included (not followed): "
        "retried after 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, 12 h (`Retry-After` on 429 and "
        "503 honoured up to 1 h); 5 failed deliveries in a row, or one 410, disable the webhook."
    )
}
ID = serializers.IntegerField


def _tombstone(name: str, **fields) -> serializers.Serializer:
    return inline_serializer(name, fields)


KANKA_DATA = {
    "conversation.deleted": _tombstone("KankaConversationDeletedData", id=ID(), entity_id=ID()),
    "conversation_participant.removed": _tombstone(
        "KankaParticipantRemovedData",
        id=ID(),
        conversation_id=ID(),
        character_id=ID(allow_null=True),
        user_id=ID(allow_null=True),
    ),
    "conversation_message.removed": _tombstone(
        "KankaMessageRemovedData", id=ID(), conversation_id=ID()
    ),
    "webhook.ping": _tombstone("KankaWebhookPingData", webhook_id=ID()),
}
TWIST_DATA = {
    "conversation.deleted": _tombstone("TwistConversationDeletedData", id=ID(), workspace_id=ID()),
    "conversation_message.removed": _tombstone(
        "TwistMessageRemovedData",
        id=ID(),
        conversation_id=ID(),
        workspace_id=ID(),
        obj_index=serializers.IntegerField(),
    ),
    "webhook.ping": _tombstone("TwistHookPingData", hook_id=ID()),
}
KANKA_EVENT = inline_serializer(
    "KankaWebhookEvent",
    {
        "id": serializers.CharField(help_text="`evt_<cursor>`, as the `webhook-id` header."),
        "type": serializers.CharField(),
        "webhook_id": ID(),
        "timestamp": serializers.CharField(help_text="`YYYY-MM-DD HH:MM:SS`, UTC."),
        "campaign_id": ID(),
        "thin": serializers.BooleanField(
            required=False, help_text="Present when `data` carries ids only (over 64 KiB)."
        ),
    },
)


def _kanka_data(type_: str):
    if type_ in KANKA_DATA:
        return KANKA_DATA[type_]
    if type_.startswith("conversation_participant."):
        return kanka.ParticipantOutput()
    if type_.startswith("conversation_message."):
        return kanka.MessageOutput()
    return kanka.ConversationOutput()


def _twist_data(type_: str):
    if type_ in TWIST_DATA:
        return TWIST_DATA[type_]
    if type_.startswith("conversation_message."):
        return twist.TwistMessageOutput()
    return twist.TwistConversationOutput()


def _component_name(type_: str) -> str:
    return "".join(part.capitalize() for part in type_.replace(".", "_").split("_"))


def _webhooks() -> list[OpenApiWebhook]:
    types = [*HOOK_TYPES, "webhook.ping"]
    hooks = []
    for type_ in types:
        envelope = inline_serializer(
            f"KankaWebhook{_component_name(type_)}",
            {"event": KANKA_EVENT, "data": _kanka_data(type_)},
        )
        hooks.append(_hook(f"campaign {type_}", type_, envelope, "Kanka's envelope"))
    for type_ in types:
        if type_ == "conversation_participant.updated":
            continue  # Kanka's participant PUT/PATCH only (events.md §2)
        hooks.append(_hook(f"workspace {type_}", type_, _twist_data(type_), "the bare object"))
    return hooks


def _hook(name: str, type_: str, body, shape: str) -> OpenApiWebhook:
    return OpenApiWebhook(
        name=name,
        decorator=extend_schema(
            summary=f"`{type_}` to a {name.split()[0]} webhook",
            description=f"POSTed to the registered URL; the body is {shape}, rendered once "
            "as the webhook's owner sees it and resent unchanged on each attempt. Over 64 KiB "
            "it carries only `id` and `conversation_id`.",
            request=body,
            responses=ANSWER,
        ),
    )


def postprocess(result, generator, request, public):
    """Adds `x-webhooks` and the components their bodies name (see the module docstring)."""
    webhooks = process_webhooks(_webhooks(), generator.registry)
    for item in webhooks.values():
        item["post"]["parameters"] = HEADERS
    result["x-webhooks"] = webhooks
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    built = generator.registry.build({}).get("schemas", {})
    for name, schema in built.items():
        schemas.setdefault(name, schema)
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result
