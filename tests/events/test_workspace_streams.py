"""Workspace event streams (`/api/v1|v3/events?workspace_id=W`) through real HTTP."""

import json

import pytest

from tests.events.conftest import bearer_header
from tests.factories import (
    ParticipantFactory,
    UserFactory,
    WorkspaceConversationFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def workspace():
    return WorkspaceFactory(name="Acme")


def member(workspace, name):
    return WorkspaceMemberFactory(workspace=workspace, user=UserFactory(username=name)).user


@pytest.fixture
def people(workspace):
    return {name: member(workspace, name) for name in ("alice", "bob", "carol")}


@pytest.fixture
def conversation(workspace, people):
    conversation = WorkspaceConversationFactory(workspace=workspace)
    for name in ("alice", "bob"):
        ParticipantFactory(conversation=conversation, user=people[name])
    return conversation


def call(client, user, method, **params):
    response = client.post(
        f"/api/v3/{method}",
        json.dumps(params),
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer_header(user)["Authorization"],
    )
    assert response.status_code == 200, response.content
    return response.json()


def open_stream(server, workspace, user, prefix="v3", **headers):
    path = f"/api/{prefix}/events?workspace_id={workspace.pk}"
    stream = server.open(path, bearer_header(user) | headers)
    assert stream.status == 200
    stream.events_until("stream.ready")
    return stream


def test_a_message_reaches_the_participants_only(server, client, workspace, people, conversation):
    alice = open_stream(server, workspace, people["alice"])
    bob = open_stream(server, workspace, people["bob"], prefix="v1")
    carol = open_stream(server, workspace, people["carol"])
    posted = call(
        client,
        people["alice"],
        "conversation_messages/add",
        conversation_id=conversation.pk,
        content="Hi",
    )
    for stream, user in ((alice, "alice"), (bob, "bob")):
        frame = stream.next_event()
        assert frame["event"] == "conversation_message.added"
        shown = call(client, people[user], "conversation_messages/getone", id=posted["id"])
        assert frame["data"] == shown
    # Carol takes part in nothing: only heartbeats, and a bare id.
    frames = [carol.next_frame() for _ in range(3)]
    assert not any("event" in f for f in frames)


def test_state_updated_goes_to_the_actor_only_with_their_own_state(
    server, client, workspace, people, conversation
):
    # Something for bob to read: marking an empty conversation read changes nothing.
    call(
        client,
        people["alice"],
        "conversation_messages/add",
        conversation_id=conversation.pk,
        content="hi",
    )
    alice = open_stream(server, workspace, people["alice"])
    bob = open_stream(server, workspace, people["bob"])
    call(client, people["bob"], "conversations/archive", id=conversation.pk)
    frame = bob.next_event()
    assert frame["event"] == "conversation.state_updated"
    assert frame["data"]["archived"] is True
    call(client, people["bob"], "conversations/mark_read", id=conversation.pk)
    read = bob.next_event()
    assert read["event"] == "conversation.read_updated"
    assert read["data"] == {
        "conversation_id": conversation.pk,
        "last_read_obj_index": 0,
        "last_obj_index": 0,
        "unread": False,
        "direct_mention": False,
    }
    frames = [alice.next_frame() for _ in range(3)]
    assert not any("event" in f for f in frames)


def test_a_removed_participant_gets_conversation_removed_then_nothing_of_it(
    server, client, workspace, people, conversation
):
    bob = open_stream(server, workspace, people["bob"])
    alice = open_stream(server, workspace, people["alice"])
    call(
        client,
        people["alice"],
        "conversations/remove_user",
        id=conversation.pk,
        user_id=people["bob"].pk,
    )
    frame = bob.next_event()
    assert frame["event"] == "conversation.removed"
    assert frame["data"] == {
        "id": conversation.pk,
        "workspace_id": workspace.pk,
        "reason": "removed",
    }
    seen = alice.next_event()
    assert seen["event"] == "conversation_participant.removed"
    assert seen["data"]["id"] == conversation.pk  # workspace data: the conversation
    call(
        client,
        people["alice"],
        "conversation_messages/add",
        conversation_id=conversation.pk,
        content="without bob",
    )
    assert alice.next_event()["data"]["content"] == "without bob"
    frames = [bob.next_frame() for _ in range(3)]
    assert not any("event" in f for f in frames)


def test_post_with_parameters_in_the_body(server, workspace, people, conversation):
    stream = server.open(
        "/api/v1/events",
        bearer_header(people["alice"]) | {"Content-Type": "application/json"},
        method="POST",
        body=json.dumps({"workspace_id": workspace.pk}),
    )
    assert stream.status == 200
    assert stream.events_until("stream.ready")[-1]["event"] == "stream.ready"


def _twist(code, string, **extra):
    return {"error_code": code, "error_extra": extra, "error_string": string}


def _body(stream):
    body = stream.json()
    assert len(body.pop("error_uuid")) == 32
    return body


@pytest.mark.parametrize(
    ("query", "headers", "status", "body"),
    [
        ("workspace_id={w}", {}, 401, _twist(120, "You are not logged in")),
        ("workspace_id={w}", {"Authorization": "Bearer x"}, 403, _twist(200, "Invalid token")),
        ("", None, 400, _twist(19, "Required argument is missing", argument="workspace_id")),
        ("workspace_id=999999", None, 404, _twist(105, "Workspace not found")),
        (
            "workspace_id={w}&since=x",
            None,
            400,
            _twist(20, "Invalid argument value", argument="since"),
        ),
    ],
)
def test_refusals_in_twist_format(server, workspace, people, query, headers, status, body):
    if headers is None:
        headers = bearer_header(people["alice"])
    stream = server.open(f"/api/v3/events?{query.format(w=workspace.pk)}", headers)
    assert (stream.status, _body(stream)) == (status, body)


def test_a_token_without_messages_read_is_403_109(server, workspace, people):
    headers = bearer_header(people["alice"], scopes=["workspaces:read"])
    stream = server.open(f"/api/v3/events?workspace_id={workspace.pk}", headers)
    assert (stream.status, _body(stream)) == (403, _twist(109, "Forbidden"))


def test_a_sixth_stream_is_429(server, workspace, people):
    headers = bearer_header(people["alice"])
    for _ in range(5):
        server.open(f"/api/v3/events?workspace_id={workspace.pk}", headers).events_until(
            "stream.ready"
        )
    sixth = server.open(f"/api/v3/events?workspace_id={workspace.pk}", headers)
    assert sixth.status == 429
    assert sixth.headers["retry-after"] == "30"
    assert _body(sixth) == _twist(429, "Too many open event streams")


def test_opening_a_stream_counts_against_the_rate_limit(
    server, client, settings, one_rate_window, workspace, people
):
    """Like any workspace-API request (operations.md): Twist's 429, code 429, Retry-After."""
    settings.WORKSPACE_API_RATE_LIMIT = 2
    auth = bearer_header(people["alice"])
    first = server.open(f"/api/v3/events?workspace_id={workspace.pk}", auth)
    listed = client.post("/api/v3/workspaces/get", HTTP_AUTHORIZATION=auth["Authorization"])
    refused = server.open(f"/api/v3/events?workspace_id={workspace.pk}", auth)

    assert (first.status, listed.status_code, refused.status) == (200, 200, 429)
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert _body(refused) == _twist(429, "Too many requests")
    first.events_until("stream.ready")


def test_a_revoked_token_closes_the_stream_with_token_expired(server, settings, workspace, people):
    from oauth2_provider.models import AccessToken

    settings.PARLEY_EVENTS_REAUTH_SECONDS = 0.3
    stream = open_stream(server, workspace, people["alice"])
    AccessToken.objects.filter(user=people["alice"]).delete()
    frames = stream.events_until("stream.closed")
    assert frames[-1]["data"] == {"reason": "token_expired"}
