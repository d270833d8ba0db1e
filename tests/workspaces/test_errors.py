"""Twist's error body for every failure, on every method; scopes; tenancy."""

import pytest

from conversations import selectors
from conversations.models import Participant
from tests.dbstate import database_snapshot as snapshot
from tests.workspaces.twist import assert_error, call, conversation, post

pytestmark = pytest.mark.django_db

READS = [
    "conversations/getone",
    "conversations/get",
    "conversations/get_unread",
    "conversation_messages/getone",
    "conversation_messages/get",
]
WRITES = [
    "conversations/get_or_create",
    "conversations/update",
    "conversations/add_user",
    "conversations/add_users",
    "conversations/remove_user",
    "conversations/remove_users",
    "conversations/archive",
    "conversations/unarchive",
    "conversations/mark_read",
    "conversations/mark_unread",
    "conversations/mute",
    "conversations/unmute",
    "conversation_messages/add",
    "conversation_messages/update",
    "conversation_messages/remove",
]
ALL = READS + WRITES
DISCOVERY = ["workspaces/get", "workspaces/getone", "users/get_session_user"]


@pytest.fixture
def world(workspace, alice, bob, carol, boss):
    """Alice's group conversation with one message of hers, and everyone's state."""
    conv = conversation(workspace, alice, bob, boss)
    message = post(conv, alice, "hello")
    return {"workspace": workspace, "conversation": conv, "message": message, "carol": carol}


def valid_params(method, world):
    """Parameters that succeed for Alice."""
    conv, message, workspace = world["conversation"], world["message"], world["workspace"]
    carol = world["carol"]
    return {
        "conversations/getone": {"id": conv.pk},
        "conversations/get": {"workspace_id": workspace.pk},
        "conversations/get_unread": {"workspace_id": workspace.pk},
        "conversation_messages/getone": {"id": message.pk},
        "conversation_messages/get": {"conversation_id": conv.pk},
        "conversations/get_or_create": {"workspace_id": workspace.pk, "user_ids": [carol.pk]},
        "conversations/update": {"id": conv.pk, "title": "T", "archived": True},
        "conversations/add_user": {"id": conv.pk, "user_id": carol.pk},
        "conversations/add_users": {"id": conv.pk, "user_ids": [carol.pk]},
        "conversations/remove_user": {"id": conv.pk, "user_id": carol.pk},
        "conversations/remove_users": {"id": conv.pk, "user_ids": [carol.pk]},
        "conversations/archive": {"id": conv.pk},
        "conversations/unarchive": {"id": conv.pk},
        "conversations/mark_read": {"id": conv.pk, "obj_index": 0},
        "conversations/mark_unread": {"id": conv.pk, "obj_index": 0},
        "conversations/mute": {"id": conv.pk, "minutes": 5},
        "conversations/unmute": {"id": conv.pk},
        "conversation_messages/add": {"conversation_id": conv.pk, "content": "x"},
        "conversation_messages/update": {"id": message.pk, "content": "y"},
        "conversation_messages/remove": {"id": message.pk},
        "workspaces/get": {},
        "workspaces/getone": {"id": workspace.pk},
        "users/get_session_user": {},
    }[method]


@pytest.mark.parametrize("prefix", ["v1", "v3"])
@pytest.mark.parametrize("method", ALL + DISCOVERY)
def test_every_method_answers_under_v1_and_v3(client, as_alice, world, method, prefix):
    response = call(client, method, as_alice, prefix=prefix, **valid_params(method, world))

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("method", ALL + DISCOVERY)
def test_no_token_is_401_code_120(client, world, method):
    before = snapshot()

    response = call(client, method, **valid_params(method, world))

    assert_error(response, 401, 120, "You are not logged in")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert snapshot() == before


@pytest.mark.parametrize("method", ["conversations/getone", "conversation_messages/add"])
@pytest.mark.parametrize("header", ["Bearer nope", "Bearer", "Bearer a b", "Bearer oauth2:unknown"])
def test_a_bad_token_is_403_code_200(client, world, method, header):
    before = snapshot()

    response = call(client, method, {"HTTP_AUTHORIZATION": header}, **valid_params(method, world))

    assert_error(response, 403, 200, "Invalid token")
    assert snapshot() == before


def test_an_expired_token_is_403_code_200(client, world, alice, bearer):
    from oauth2_provider.models import AccessToken

    headers = bearer(alice)
    AccessToken.objects.update(expires="2000-01-01T00:00:00Z")

    response = call(client, "conversations/getone", headers, id=world["conversation"].pk)

    assert_error(response, 403, 200, "Invalid token")


@pytest.mark.parametrize("method", WRITES)
def test_a_read_only_token_cannot_write(client, bearer, alice, world, method):
    headers = bearer(alice, scopes=["messages:read", "workspaces:read", "user:read"])
    before = snapshot()

    response = call(client, method, headers, **valid_params(method, world))

    assert_error(response, 403, 109, "Forbidden")
    assert snapshot() == before


@pytest.mark.parametrize("method", READS)
def test_a_read_only_token_can_read(client, bearer, alice, world, method):
    headers = bearer(alice, scopes=["messages:read"])

    response = call(client, method, headers, **valid_params(method, world))

    assert response.status_code == 200


def test_remove_needs_the_remove_scope(client, bearer, alice, world):
    message = world["message"]
    write_scope = bearer(alice, scopes=["messages:write"])
    before = snapshot()

    write_only = call(client, "conversation_messages/remove", write_scope, id=message.pk)
    unchanged = snapshot() == before
    remove = call(
        client,
        "conversation_messages/remove",
        bearer(alice, scopes=["messages:remove"]),
        id=message.pk,
    )

    assert_error(write_only, 403, 109, "Forbidden")
    assert unchanged
    assert remove.json() == {"status": "ok"}


@pytest.mark.parametrize("method", [*ALL, "workspaces/getone"])
def test_missing_required_argument_is_400_code_19(client, as_alice, world, method):
    before = snapshot()

    response = call(client, method, as_alice)

    assert_error(response, 400, 19, "Required argument is missing")
    assert snapshot() == before


@pytest.mark.parametrize("method", [*ALL, "workspaces/getone"])
@pytest.mark.parametrize("bad", ["abc", "1.5", "", True, [1], 2**63])
def test_a_non_integer_id_is_400_code_20(client, as_alice, world, method, bad):
    params = valid_params(method, world)
    key = next(k for k in ("id", "conversation_id", "workspace_id") if k in params)
    params[key] = bad
    before = snapshot()

    response = call(client, method, as_alice, **params)

    assert_error(response, 400, 20, "Invalid argument value")
    assert snapshot() == before


@pytest.mark.parametrize("method", ["conversations/get_or_create", "conversations/add_users"])
@pytest.mark.parametrize("bad", ["[1,", "a,b", "[[1]]", '{"a": 1}', [None]])
def test_a_bad_id_list_is_400_code_20(client, as_alice, world, method, bad):
    params = {**valid_params(method, world), "user_ids": bad}
    before = snapshot()

    response = call(client, method, as_alice, **params)

    assert_error(response, 400, 20, "Invalid argument value")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "code", "string"),
    [
        ("conversations/getone", 124, "Conversation not found"),
        ("conversations/update", 124, "Conversation not found"),
        ("conversations/add_user", 124, "Conversation not found"),
        ("conversations/add_users", 124, "Conversation not found"),
        ("conversations/remove_user", 124, "Conversation not found"),
        ("conversations/remove_users", 124, "Conversation not found"),
        ("conversations/archive", 124, "Conversation not found"),
        ("conversations/unarchive", 124, "Conversation not found"),
        ("conversations/mark_read", 124, "Conversation not found"),
        ("conversations/mark_unread", 124, "Conversation not found"),
        ("conversations/mute", 124, "Conversation not found"),
        ("conversations/unmute", 124, "Conversation not found"),
        ("conversation_messages/get", 124, "Conversation not found"),
        ("conversation_messages/add", 124, "Conversation not found"),
        ("conversation_messages/getone", 125, "Message not found"),
        ("conversation_messages/update", 125, "Message not found"),
        ("conversation_messages/remove", 125, "Message not found"),
        ("conversations/get", 105, "Workspace not found"),
        ("conversations/get_unread", 105, "Workspace not found"),
        ("conversations/get_or_create", 105, "Workspace not found"),
        ("workspaces/getone", 105, "Workspace not found"),
    ],
)
def test_another_workspaces_objects_are_404_and_nothing_changes(
    client, bearer, world, other_workspace, eve, method, code, string
):
    """Eve (another workspace) names Alice's objects; the ids also exist, so nothing leaks."""
    params = valid_params(method, world)
    params.pop("user_ids", None)
    params.pop("user_id", None)
    extra = {"user_ids": [eve.pk]} if "user_ids" in valid_params(method, world) else {}
    if "user_id" in valid_params(method, world):
        extra = {"user_id": eve.pk}
    as_eve = bearer(eve)
    before = snapshot()

    response = call(client, method, as_eve, **params, **extra)

    assert_error(response, 404, code, string)
    assert snapshot() == before


@pytest.mark.parametrize("prefix", ["v1", "v3"])
@pytest.mark.parametrize(
    "path", ["conversations/nope", "channels/get", "", "conversations/getone/", "conversations"]
)
def test_an_unknown_method_is_404_code_110(client, as_alice, prefix, path):
    for response in (
        client.get(f"/api/{prefix}/{path}", **as_alice),
        client.post(f"/api/{prefix}/{path}"),
        client.get(f"/api/{prefix}/{path}", HTTP_ACCEPT="text/html"),
    ):
        assert_error(response, 404, 110, "Resource not found")


@pytest.mark.parametrize("method", ["put", "delete", "patch", "options"])
def test_other_http_methods_are_400_code_114(client, as_alice, world, method):
    response = getattr(client, method)(
        f"/api/v1/conversations/getone?id={world['conversation'].pk}", **as_alice
    )

    assert_error(response, 400, 114, "Bad Request")


@pytest.mark.parametrize("body", ['{"id": ', "[1, 2]", "42", "[]", "0", "false", '""', "null"])
def test_a_malformed_body_is_400_code_114(client, as_alice, world, body):
    response = client.post(
        "/api/v1/conversations/archive", body, content_type="application/json", **as_alice
    )

    assert_error(response, 400, 114, "Bad Request")
    assert not Participant.objects.filter(archived=True).exists()


def test_an_unexpected_error_is_500_code_201_and_logged(
    client, as_alice, world, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "access_workspace_conversation", broken)

    response = call(client, "conversations/getone", as_alice, id=world["conversation"].pk)

    assert_error(response, 500, 201, "Internal Server Error")
    assert "boom" in caplog.text


def test_error_uuids_are_unique(client, as_alice):
    first = client.get("/api/v1/conversations/getone", **as_alice).json()
    second = client.get("/api/v1/conversations/getone", **as_alice).json()

    assert first["error_uuid"] != second["error_uuid"]


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "application/json, text/plain, */*"]
)
def test_api_clients_get_json_whatever_they_accept(client, as_alice, world, accept):
    headers = {**as_alice, **({"HTTP_ACCEPT": accept} if accept else {})}

    found = client.get(f"/api/v1/conversations/getone?id={world['conversation'].pk}", **headers)
    missing = client.get("/api/v1/conversations/getone?id=0", **headers)

    assert found["Content-Type"] == "application/json"
    assert_error(missing, 404, 124, "Conversation not found")


def test_a_browser_asking_for_html_gets_the_browsable_api(client, as_alice, world):
    """The project-wide browsable API (a developer exploring); clients never ask for HTML."""
    response = client.get(
        f"/api/v1/conversations/getone?id={world['conversation'].pk}",
        HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8",
        **as_alice,
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
