"""Parameters however clients send them (workspace-api.md §3.3)."""

import json
from urllib.parse import urlencode

import pytest

from conversations.models import Conversation, Message, Participant
from tests.dbstate import database_snapshot
from tests.workspaces.twist import assert_error, call, conversation, post

pytestmark = pytest.mark.django_db


def _members(conv):
    return set(Participant.objects.filter(conversation=conv).values_list("user_id", flat=True))


def _send(client, kind, url, conv_id, ids, headers):
    """add_users with `user_ids` encoded the way one kind of client does it."""
    as_json, as_csv = json.dumps(ids), ",".join(map(str, ids))
    form = "application/x-www-form-urlencoded"
    if kind == "json-array":
        body = json.dumps({"id": conv_id, "user_ids": ids})
        return client.post(url, body, content_type="application/json", **headers)
    if kind == "json-string-in-json":
        body = json.dumps({"id": str(conv_id), "user_ids": as_json})
        return client.post(url, body, content_type="application/json", **headers)
    if kind == "urlencoded-json-string":
        body = urlencode({"id": conv_id, "user_ids": as_json})
        return client.post(url, body, content_type=form, **headers)
    if kind == "urlencoded-csv":
        body = urlencode({"id": conv_id, "user_ids": as_csv})
        return client.post(url, body, content_type=form, **headers)
    if kind == "multipart-json-string":
        return client.post(url, {"id": conv_id, "user_ids": as_json}, **headers)
    if kind == "get-csv":
        return client.get(url, {"id": conv_id, "user_ids": as_csv}, **headers)
    if kind == "get-repeated-keys":
        return client.get(url, {"id": conv_id, "user_ids": ids}, **headers)
    if kind == "query-and-form":
        return client.post(f"{url}?id={conv_id}", {"user_ids": as_json}, **headers)
    raise ValueError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "json-array",
        "json-string-in-json",
        "urlencoded-json-string",
        "urlencoded-csv",
        "multipart-json-string",
        "get-csv",
        "get-repeated-keys",
        "query-and-form",
    ],
)
def test_an_int_list_in_every_encoding(client, as_alice, workspace, alice, bob, carol, boss, kind):
    conv = conversation(workspace, alice, bob)
    url = "/api/v1/conversations/add_users"

    response = _send(client, kind, url, conv.pk, [carol.pk, boss.pk], as_alice)

    assert response.status_code == 200, response.content
    assert _members(conv) == {alice.pk, bob.pk, carol.pk, boss.pk}


def test_a_single_int_is_a_one_element_list(client, as_alice, workspace, alice, bob, carol):
    conv = conversation(workspace, alice, bob)

    call(client, "conversations/add_users", as_alice, id=conv.pk, user_ids=carol.pk)

    assert carol.pk in _members(conv)


@pytest.mark.parametrize(
    ("value", "archived"),
    [(True, True), ("true", True), ("TRUE", True), ("True", True), ("1", True), (1, True),
     (False, False), ("false", False), ("False", False), ("0", False), (0, False)],
)  # fmt: skip
def test_booleans_as_json_or_strings(client, as_alice, workspace, alice, bob, value, archived):
    conv = conversation(workspace, alice, bob)
    Participant.objects.filter(user=alice).update(archived=not archived)

    response = call(client, "conversations/update", as_alice, id=conv.pk, archived=value)

    assert response.json()["archived"] is archived


@pytest.mark.parametrize("value", ["yes", "2", 2, "", None])
def test_a_bad_boolean_is_400_code_20(client, as_alice, workspace, alice, bob, value):
    conv = conversation(workspace, alice, bob)
    before = database_snapshot()

    response = call(client, "conversations/update", as_alice, id=conv.pk, archived=value)

    assert_error(response, 400, 20, "Invalid argument value")
    assert database_snapshot() == before


def test_integers_as_strings_with_spaces(client, as_alice, workspace, alice, bob):
    conv = conversation(workspace, alice, bob)

    response = call(client, "conversations/getone", as_alice, encoding="form", id=f" {conv.pk} ")

    assert response.json()["id"] == conv.pk


@pytest.mark.parametrize("digits", ["\uff19", "\u0669", "\u00b2"])
def test_only_ascii_digits_are_integers(client, as_alice, workspace, alice, bob, digits):
    conversation(workspace, alice, bob)

    response = call(client, "conversations/getone", as_alice, encoding="get", id=digits)

    assert_error(response, 400, 20, "Invalid argument value")


def test_the_body_wins_over_the_query_string(client, as_alice, workspace, alice, bob, carol):
    mine = conversation(workspace, alice, bob)
    other = conversation(workspace, alice, carol)

    response = client.post(
        f"/api/v1/conversations/getone?id={other.pk}",
        json.dumps({"id": mine.pk}),
        content_type="application/json",
        **as_alice,
    )

    assert response.json()["id"] == mine.pk


def test_unknown_extra_parameters_are_ignored(client, as_alice, workspace, alice, bob):
    conv = conversation(workspace, alice, bob)

    response = call(
        client, "conversations/getone", as_alice, id=conv.pk, workspace_id=workspace.pk, chaff="x"
    )

    assert response.status_code == 200


def test_get_unread_accepts_id_for_workspace_id(client, as_alice, workspace, alice):
    response = call(client, "conversations/get_unread", as_alice, encoding="get", id=workspace.pk)

    assert response.status_code == 200
    assert response.json() == []


def test_reads_never_write_even_when_posted(client, as_alice, workspace, alice, bob):
    """Alice has unread messages, an archived and muted conversation: reading keeps it so."""
    conv = conversation(workspace, alice, bob)
    message = post(conv, bob, f"[Alice](twist-mention://{alice.pk})")
    post(conv, bob, "unread too")
    call(client, "conversations/archive", as_alice, id=conv.pk)
    call(client, "conversations/mute", as_alice, id=conv.pk, minutes=5)

    def state():
        return (
            list(Participant.objects.values_list("last_read_obj_index", "archived", "muted_until")),
            list(Conversation.objects.values_list("updated_at", "last_activity_at", "title")),
            list(Message.objects.values_list("pk", "content", "version", "updated_at")),
        )

    before = state()
    for method, params in [
        ("conversations/getone", {"id": conv.pk}),
        ("conversations/get", {"workspace_id": workspace.pk, "archived": True}),
        ("conversations/get_unread", {"workspace_id": workspace.pk}),
        ("conversation_messages/get", {"conversation_id": conv.pk}),
        ("conversation_messages/getone", {"id": message.pk}),
    ]:
        for encoding in ("form", "json"):
            response = call(client, method, as_alice, encoding=encoding, **params)
            assert response.status_code == 200, (method, response.content)

    assert state() == before
    assert call(client, "conversations/get_unread", as_alice, workspace_id=workspace.pk).json() == [
        {"conversation_id": conv.pk, "obj_index": 1, "direct_mention": True}
    ]
