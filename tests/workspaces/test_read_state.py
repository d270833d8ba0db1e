"""Read markers and get_unread: per user, moved by posting, with direct mentions."""

import pytest

from conversations.models import Participant
from tests.dbstate import database_snapshot
from tests.factories import UserFactory, WorkspaceMemberFactory
from tests.workspaces.twist import assert_error, call, conversation, post

pytestmark = pytest.mark.django_db


def _marker(conv, user):
    return Participant.objects.get(conversation=conv, user=user).last_read_obj_index


def test_get_unread_lists_conversations_with_messages_after_the_marker(
    client, as_alice, as_bob, workspace, alice, bob, carol
):
    quiet = conversation(workspace, alice, carol)
    busy = conversation(workspace, alice, bob)
    post(quiet, carol, "one")
    post(busy, bob, "one")
    post(busy, bob, f"two [Alice](twist-mention://{alice.pk})")
    mine = conversation(workspace, alice, bob, carol)
    post(mine, alice, "I wrote the last one")

    response = call(client, "conversations/get_unread", as_alice, workspace_id=workspace.pk)

    assert response.status_code == 200
    assert response.json() == [
        {"conversation_id": busy.pk, "obj_index": 1, "direct_mention": True},
        {"conversation_id": quiet.pk, "obj_index": 0, "direct_mention": False},
    ]
    assert call(client, "conversations/get_unread", as_bob, id=workspace.pk).json() == [
        {"conversation_id": mine.pk, "obj_index": 0, "direct_mention": False}
    ]


def test_get_unread_includes_archived_and_muted(client, as_alice, workspace, alice, bob, carol):
    archived = conversation(workspace, alice, bob)
    muted = conversation(workspace, alice, carol)
    post(archived, bob)
    post(muted, carol)
    call(client, "conversations/archive", as_alice, id=archived.pk)
    call(client, "conversations/mute", as_alice, id=muted.pk, minutes=60)

    body = call(client, "conversations/get_unread", as_alice, workspace_id=workspace.pk).json()

    assert {entry["conversation_id"] for entry in body} == {archived.pk, muted.pk}


def test_get_unread_mention_before_the_marker_is_not_direct(
    client, as_alice, workspace, alice, bob
):
    conv = conversation(workspace, alice, bob)
    post(conv, bob, f"[Alice](twist-mention://{alice.pk})")
    call(client, "conversations/mark_read", as_alice, id=conv.pk, obj_index=0)
    post(conv, bob, "no mention")

    body = call(client, "conversations/get_unread", as_alice, workspace_id=workspace.pk).json()

    assert body == [{"conversation_id": conv.pk, "obj_index": 1, "direct_mention": False}]


def test_get_unread_of_other_workspace_is_404(client, as_alice, other_workspace, eve):
    post(conversation(other_workspace, eve), eve)

    response = call(client, "conversations/get_unread", as_alice, workspace_id=other_workspace.pk)

    assert_error(response, 404, 105, "Workspace not found")


@pytest.mark.parametrize("size", [2, 50])
def test_get_unread_runs_a_fixed_number_of_queries(
    client, workspace, alice, bearer, django_assert_num_queries, size
):
    for _ in range(size):
        other = WorkspaceMemberFactory(workspace=workspace, user=UserFactory()).user
        post(conversation(workspace, alice, other), other, f"[a](twist-mention://{alice.pk})")
    headers = bearer(alice)

    # token lookup, unread rows (the membership check a condition of their query)
    with django_assert_num_queries(2):
        response = call(client, "conversations/get_unread", headers, workspace_id=workspace.pk)

    assert len(response.json()) == size


def test_posting_moves_only_the_senders_marker(client, as_bob, workspace, alice, bob):
    conv = conversation(workspace, alice, bob)

    call(client, "conversation_messages/add", as_bob, conversation_id=conv.pk, content="hi")

    assert (_marker(conv, bob), _marker(conv, alice)) == (0, -1)


# --- mark_read / mark_unread ------------------------------------------------


@pytest.fixture
def three_messages(workspace, alice, bob):
    conv = conversation(workspace, alice, bob)
    return conv, [post(conv, bob, f"m{n}") for n in range(3)]


@pytest.mark.parametrize(
    ("encoding", "keys"),
    [
        ("form", ("conversation_id", "message_id")),  # v1
        ("json", ("id", "obj_index")),  # v3
        ("query", ("id", "obj_index")),  # POST with the parameters in the query string
        ("get", ("conversation_id", "obj_index")),
    ],
)
def test_mark_read_in_every_encoding(client, as_alice, alice, three_messages, encoding, keys):
    conv, messages = three_messages
    pointer = messages[1].pk if keys[1] == "message_id" else 1

    response = call(
        client,
        "conversations/mark_read",
        as_alice,
        encoding=encoding,
        **dict(zip(keys, [conv.pk, pointer], strict=True)),
    )

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert _marker(conv, alice) == 1


def test_mark_read_message_id_wins_over_obj_index(
    client, as_alice, workspace, alice, three_messages
):
    conv, messages = three_messages

    call(
        client,
        "conversations/mark_read",
        as_alice,
        id=conv.pk,
        obj_index=2,
        message_id=messages[0].pk,
    )

    assert _marker(conv, alice) == 0
    assert call(client, "conversations/get_unread", as_alice, workspace_id=workspace.pk).json() == [
        {"conversation_id": conv.pk, "obj_index": 2, "direct_mention": False}
    ]


def test_mark_read_is_per_user_and_removes_it_from_unread(
    client, as_alice, as_bob, workspace, alice, bob, three_messages
):
    conv, _ = three_messages
    call(client, "conversations/mark_read", as_bob, id=conv.pk, obj_index=0)

    call(client, "conversations/mark_read", as_alice, id=conv.pk, obj_index=2)

    assert (
        call(client, "conversations/get_unread", as_alice, workspace_id=workspace.pk).json() == []
    )
    assert _marker(conv, bob) == 0


def _three_with_a_mention(workspace, alice, bob, mentioned):
    """Three messages from Bob; only the one at index `mentioned` mentions Alice.

    Through the API, Alice's read marker shows in get_unread's `direct_mention`:
    true exactly when the mentioning message is after the marker (unread).
    """
    conv = conversation(workspace, alice, bob)
    mention = f"[Alice](twist-mention://{alice.pk})"
    return conv, [post(conv, bob, mention if n == mentioned else f"m{n}") for n in range(3)]


@pytest.mark.parametrize(("mentioned", "unread"), [(0, False), (1, True), (2, True)])
def test_mark_unread_makes_that_message_and_later_unread(
    client, as_alice, workspace, alice, bob, mentioned, unread
):
    conv, messages = _three_with_a_mention(workspace, alice, bob, mentioned)
    call(client, "conversations/mark_read", as_alice, id=conv.pk, obj_index=2)

    response = call(
        client,
        "conversations/mark_unread",
        as_alice,
        conversation_id=conv.pk,
        message_id=messages[1].pk,
    )

    assert response.json() == {"status": "ok"}
    assert call(client, "conversations/get_unread", as_alice, workspace_id=workspace.pk).json() == [
        {"conversation_id": conv.pk, "obj_index": 2, "direct_mention": unread}
    ]


@pytest.mark.parametrize("method", ["conversations/mark_read", "conversations/mark_unread"])
def test_mark_with_a_message_of_another_conversation_is_400(
    client, as_alice, workspace, alice, carol, three_messages, method
):
    conv, _ = three_messages
    elsewhere = post(conversation(workspace, alice, carol), carol)
    before = database_snapshot()

    response = call(client, method, as_alice, id=conv.pk, message_id=elsewhere.pk)

    assert_error(response, 400, 20, "Invalid argument value")
    assert database_snapshot() == before


@pytest.mark.parametrize("method", ["conversations/mark_read", "conversations/mark_unread"])
def test_mark_with_an_unknown_or_hidden_message_is_404(
    client, as_alice, workspace, alice, bob, carol, three_messages, method
):
    conv, _ = three_messages
    hidden = post(conversation(workspace, bob, carol), carol)
    before = database_snapshot()

    unknown = call(client, method, as_alice, id=conv.pk, message_id=10**9)
    not_mine = call(client, method, as_alice, id=conv.pk, message_id=hidden.pk)

    assert_error(unknown, 404, 125, "Message not found")
    assert_error(not_mine, 404, 125, "Message not found")
    assert database_snapshot() == before


@pytest.mark.parametrize("obj_index", [3, -1])
def test_mark_read_outside_the_conversation_is_400(
    client, as_alice, alice, three_messages, obj_index
):
    conv, _ = three_messages
    before = database_snapshot()

    response = call(client, "conversations/mark_read", as_alice, id=conv.pk, obj_index=obj_index)

    assert_error(response, 400, 20, "Invalid argument value")
    assert database_snapshot() == before


@pytest.mark.parametrize("method", ["conversations/mark_read", "conversations/mark_unread"])
def test_mark_without_a_conversation_is_400(client, as_alice, alice, three_messages, method):
    before = database_snapshot()

    response = call(client, method, as_alice, obj_index=0)

    assert_error(response, 400, 19, "Required argument is missing")
    assert database_snapshot() == before


# The official SDK's markRead(id) / markUnread(id) send `{"id": …}` alone.
@pytest.mark.parametrize("key", ["id", "conversation_id"])
def test_mark_read_without_a_position_reads_the_whole_conversation(
    client, as_alice, workspace, alice, three_messages, key
):
    conv, _ = three_messages

    response = call(client, "conversations/mark_read", as_alice, prefix="v3", **{key: conv.pk})

    assert response.json() == {"status": "ok"}
    assert _marker(conv, alice) == 2
    assert (
        call(client, "conversations/get_unread", as_alice, workspace_id=workspace.pk).json() == []
    )


@pytest.mark.parametrize(("mentioned", "unread"), [(0, False), (1, False), (2, True)])
def test_mark_unread_without_a_position_makes_the_newest_message_unread(
    client, as_alice, workspace, alice, bob, mentioned, unread
):
    conv, _ = _three_with_a_mention(workspace, alice, bob, mentioned)
    call(client, "conversations/mark_read", as_alice, id=conv.pk, obj_index=2)

    response = call(client, "conversations/mark_unread", as_alice, prefix="v3", id=conv.pk)

    assert response.json() == {"status": "ok"}
    assert call(client, "conversations/get_unread", as_alice, workspace_id=workspace.pk).json() == [
        {"conversation_id": conv.pk, "obj_index": 2, "direct_mention": unread}
    ]


@pytest.mark.parametrize("method", ["conversations/mark_read", "conversations/mark_unread"])
def test_mark_without_a_position_in_an_empty_conversation_changes_nothing(
    client, as_alice, workspace, alice, bob, method
):
    conv = conversation(workspace, alice, bob)
    before = database_snapshot()

    response = call(client, method, as_alice, id=conv.pk)

    assert response.json() == {"status": "ok"}
    assert database_snapshot() == before


@pytest.mark.parametrize("method", ["conversations/mark_read", "conversations/mark_unread"])
def test_mark_in_other_workspace_is_404_and_nothing_changes(
    client, as_alice, other_workspace, eve, method
):
    theirs = conversation(other_workspace, eve)
    post(theirs, eve)
    post(theirs, eve)
    before = database_snapshot()

    response = call(client, method, as_alice, id=theirs.pk, obj_index=0)

    assert_error(response, 404, 124, "Conversation not found")
    assert database_snapshot() == before
