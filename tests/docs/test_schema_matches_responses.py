"""The OpenAPI schema describes what each API really sends: real responses validate against it."""

import copy

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
