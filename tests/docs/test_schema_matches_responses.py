"""The OpenAPI schema describes what each API really sends: real responses validate against it."""

import copy
import json

import pytest
from jsonschema import Draft202012Validator

from conversations import services
from conversations.policy import Role
from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
    ParticipantFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)

pytestmark = pytest.mark.django_db


def _json_schema(node):
    """OpenAPI 3.0 → JSON Schema: `nullable` becomes a null alternative; objects are closed."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    if "properties" in node and "additionalProperties" not in node:
        # An undocumented key on the wire is a schema defect too.
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture
def assert_documented(client):
    document = client.get("/api/schema/", {"format": "json"}).json()
    components = _json_schema(copy.deepcopy(document["components"]))

    def template(url):
        """The schema's path for a real URL (/api/v3/ is documented once, under /api/v1/)."""
        real = url.split("?")[0].replace("/api/v3/", "/api/v1/").strip("/").split("/")
        for path in document["paths"]:
            parts = path.strip("/").split("/")
            if len(parts) == len(real) and all(
                p == r or p.startswith("{") for p, r in zip(parts, real, strict=True)
            ):
                return path
        raise AssertionError(f"{url} is not in the schema")

    def check(response, url, method="post"):
        path = template(url)
        operation = document["paths"][path][method]
        documented = operation["responses"][str(response.status_code)]
        schema = _json_schema(documented["content"]["application/json"]["schema"])
        validator = Draft202012Validator({**schema, "components": components})
        errors = [
            f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())
        ]
        assert errors == [], f"{method.upper()} {path} {response.status_code}"

    return check


def test_campaign_api_responses_match_the_schema(client, bearer, assert_documented):
    member = CampaignMemberFactory(role="admin")
    conversation = CampaignConversationFactory(campaign=member.campaign)
    ParticipantFactory(conversation=conversation, user=member.user)
    services.message_add(
        actor=member.user,
        role=Role.ADMIN,
        conversation=conversation,
        content="hello",
        author_user_id=member.user.pk,
    )
    base = f"/api/1.0/campaigns/{member.campaign_id}/conversations"
    as_member = bearer(member.user)

    urls = [
        "/api/1.0/campaigns",
        base,
        f"{base}/{conversation.pk}",
        f"{base}/{conversation.pk}/conversation_messages",
        f"{base}/{conversation.pk}/conversation_participants",
        f"{base}/0",
        f"/api/1.0/campaigns/{member.campaign_id}/characters",
        "/api/1.0/profile",
    ]
    for url in urls:
        assert_documented(client.get(url, **as_member), url, "get")
    assert_documented(client.get(base), base, "get")


def test_workspace_api_responses_match_the_schema(client, bearer, assert_documented):
    member = WorkspaceMemberFactory()
    conversation = WorkspaceConversationFactory(workspace=member.workspace)
    ParticipantFactory(conversation=conversation, user=member.user)
    message = services.message_add(
        actor=member.user, role=Role.MEMBER, conversation=conversation, content="hello"
    )
    as_member = bearer(member.user)

    cases = [
        ("/api/v1/conversations/get", {"workspace_id": member.workspace_id}),
        ("/api/v1/conversations/getone", {"id": conversation.pk}),
        ("/api/v1/conversations/getone", {"id": "abc"}),
        ("/api/v1/conversations/get_unread", {"workspace_id": member.workspace_id}),
        ("/api/v1/conversation_messages/get", {"conversation_id": conversation.pk}),
        ("/api/v1/conversation_messages/getone", {"id": message.pk}),
        ("/api/v1/conversation_messages/getone", {"id": 0}),
        ("/api/v1/users/get_session_user", {}),
        ("/api/v3/workspaces/getone", {"id": member.workspace_id}),
    ]
    for path, params in cases:
        assert_documented(client.get(path, params, **as_member), path)
    assert_documented(client.get("/api/v3/workspaces/get"), "/api/v3/workspaces/get")


@pytest.mark.parametrize(
    "path",
    ["characters", "tags", "conversations/{conversation}/conversation_participants", ""],
)
def test_a_page_size_over_100_is_a_documented_422_on_every_list(
    client, bearer, assert_documented, path
):
    """Issue 9 §7: the four lists that declared no 422 answer one to `per_page=101`."""
    member = CampaignMemberFactory(role="admin")
    conversation = CampaignConversationFactory(campaign=member.campaign)
    base = f"/api/1.0/campaigns/{member.campaign_id}/"
    url = (
        (base + path.format(conversation=conversation.pk)).rstrip("/")
        if path
        else "/api/1.0/campaigns"
    )
    response = client.get(url, {"per_page": 101}, **bearer(member.user))
    assert response.status_code == 422
    assert_documented(response, url, "get")


def test_the_shared_refusals_of_a_campaign_write_are_documented(
    client, bearer, assert_documented, settings
):
    """Malformed JSON 400, another media type 415, a body over the limit 413, another method
    405 and the rate limit's 429: each a status the operation's schema names, in its body."""
    member = CampaignMemberFactory(role="admin")
    url = f"/api/1.0/campaigns/{member.campaign_id}/tags"
    auth = bearer(member.user)
    cases = [
        (400, {"data": "{", "content_type": "application/json"}),
        (415, {"data": "name=x", "content_type": "text/plain"}),
        (
            413,
            {
                "data": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
                "content_type": "application/json",
            },
        ),
    ]
    for status, body in cases:
        response = client.post(url, **body, **auth)
        assert response.status_code == status
        assert_documented(response, url)
    response = client.post(f"{url}/1", {}, **auth)
    assert response.status_code == 405
    assert_documented(response, f"{url}/1", "get")
    settings.CAMPAIGN_API_RATE_LIMIT = 1
    client.get(url, **auth)
    response = client.get(url, **auth)
    assert response.status_code == 429
    assert_documented(response, url, "get")


def test_the_shared_refusals_of_a_workspace_method_are_documented(
    client, bearer, assert_documented, settings
):
    member = WorkspaceMemberFactory()
    auth = bearer(member.user)
    url = "/api/v1/conversations/get"
    response = client.post(
        url, "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "application/json", **auth
    )
    assert response.status_code == 413
    assert_documented(response, url)
    settings.WORKSPACE_API_RATE_LIMIT = 1
    client.post(url, {"workspace_id": member.workspace_id}, **auth)
    response = client.post(url, {"workspace_id": member.workspace_id}, **auth)
    assert response.status_code == 429
    assert_documented(response, url)


def test_campaign_webhook_management_matches_the_schema(client, bearer, assert_documented):
    member = CampaignMemberFactory(role="admin")
    base = f"/api/1.0/campaigns/{member.campaign_id}/webhooks"
    auth = bearer(member.user)
    body = {"url": "https://hooks.example.com/p", "events": ["conversation_message.added"]}
    created = client.post(base, body, content_type="application/json", **auth)
    assert created.status_code == 200
    assert_documented(created, base)
    item = f"{base}/{created.json()['data']['id']}"

    for url, method in [
        (base, "get"),
        (item, "get"),
        (f"{item}/rotate_secret", "post"),
        (f"{item}/test", "post"),
        (f"{item}/deliveries", "get"),
    ]:
        response = getattr(client, method)(url, **auth)
        assert response.status_code == 200, url
        assert_documented(response, url, method)
    response = client.patch(item, {"is_active": False}, content_type="application/json", **auth)
    assert_documented(response, item, "patch")
    response = client.post(
        base, {"url": "http://x.example"}, content_type="application/json", **auth
    )
    assert response.status_code == 422
    assert_documented(response, base)
    assert_documented(client.delete(item, **auth), item, "delete")


def test_workspace_hook_methods_match_the_schema(client, bearer, assert_documented):
    admin = WorkspaceMemberFactory(role="admin")
    auth = bearer(admin.user, ["workspaces:read", "workspaces:write"])
    target = "https://hooks.example.com/t"

    def call(method, status=200, **params):
        url = f"/api/v1/hooks/{method}"
        response = client.post(url, params, content_type="application/json", **auth)
        assert response.status_code == status, (method, response.content)
        assert_documented(response, url)
        return response.json()

    subscribe = {"workspace_id": admin.workspace_id, "target_url": target}
    hook = call("subscribe", 201, **subscribe, event_type="message_added")
    call("subscribe", **subscribe, event_type="message_deleted")
    call("get", workspace_id=admin.workspace_id)
    call("update", id=hook["id"], active=False)
    call("rotate_secret", id=hook["id"])
    call("test", id=hook["id"])
    call("get_deliveries", id=hook["id"])
    call("unsubscribe", target_url=target)
    call("unsubscribe", 404, target_url=target)


def test_webhook_delivery_bodies_match_the_documented_payloads(client, bearer):
    """What a receiver gets, as `x-webhooks` describes it (events/openapi.py), in each dialect."""
    from events import webhooks
    from events.models import Event, Webhook, WebhookDelivery

    document = client.get("/api/schema/", {"format": "json"}).json()
    components = _json_schema(copy.deepcopy(document["components"]))
    kanka = CampaignMemberFactory(role="admin")
    twist = WorkspaceMemberFactory(role="admin")
    hook_types = ["conversation_message.added", "conversation.deleted"]
    for owner, scope in [(kanka, "campaign_id"), (twist, "workspace_id")]:
        webhooks.webhook_create(
            actor=owner.user,
            url="https://hooks.example.com/p",
            events=hook_types,
            **{scope: getattr(owner, scope)},
        )
    campaign_conversation = CampaignConversationFactory(campaign=kanka.campaign)
    workspace_conversation = WorkspaceConversationFactory(workspace=twist.workspace)
    ParticipantFactory(conversation=workspace_conversation, user=twist.user)
    checked = []

    def check_new_deliveries():
        """Each delivery's body as it would be sent now, against its `x-webhooks` schema."""
        rows = WebhookDelivery.objects.select_related("webhook__created_by").order_by("id")
        for delivery in rows[len(checked) :]:
            dialect = "campaign" if delivery.webhook.campaign_id else "workspace"
            operation = document["x-webhooks"][f"{dialect} {delivery.event_type}"]["post"]
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            validator = Draft202012Validator({**_json_schema(schema), "components": components})
            body = webhooks.render_body(delivery, Event.objects.get(pk=delivery.event_id))
            errors = [e.message for e in validator.iter_errors(json.loads(body.text))]
            assert errors == [], (dialect, delivery.event_type)
            checked.append((dialect, delivery.event_type))

    for owner, conversation in [(kanka, campaign_conversation), (twist, workspace_conversation)]:
        services.message_add(
            actor=owner.user,
            role=Role.ADMIN,
            conversation=conversation,
            content="hello",
            author_user_id=owner.user.pk if conversation.campaign_id else None,
        )
        check_new_deliveries()
        services.conversation_delete(actor=owner.user, role=Role.ADMIN, conversation=conversation)
        check_new_deliveries()

    assert checked == [
        (dialect, type_) for dialect in ("campaign", "workspace") for type_ in hook_types
    ]
    assert Webhook.objects.count() == 2
