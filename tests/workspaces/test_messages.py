"""conversation_messages/* through HTTP."""

import json

import pytest
from django.db import connection

from conversations.models import Message
from tests.dbstate import database_snapshot
from tests.workspaces.twist import assert_error, call, conversation, post

pytestmark = pytest.mark.django_db

# PostgreSQL writes a post's counters and participants in one statement.
POSTGRES = int(connection.vendor == "postgresql")


ATTACHMENT = {
    "attachment_id": "0b3f4c02-5c1a-4b8e-9d7f-2f7b3c1a9e10",
    "title": "plan.pdf",
    "url": "https://files.example.com/plan.pdf",
    "url_type": "file",
    "file_size": 1024,
    "underlying_type": "application/pdf",
    "upload_state": "uploaded",
}
ACTION = {
    "action": "open_url",
    "type": "action",
    "button_text": "Open",
    "url": "https://example.com",
}


@pytest.fixture
def chat(workspace, alice, bob):
    return conversation(workspace, alice, bob)


def test_getone_returns_the_message_object(client, as_alice, workspace, alice, bob, chat):
    message = post(chat, bob, "Hello!", attachments=[ATTACHMENT])

    response = call(client, "conversation_messages/getone", as_alice, encoding="get", id=message.pk)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == [
        "id", "conversation_id", "workspace_id", "creator", "creator_name", "content",
        "obj_index", "posted_ts", "last_edited_ts", "attachments", "actions", "reactions",
        "direct_mentions", "direct_group_mentions", "system_message", "deleted", "is_deleted",
        "version",
    ]  # fmt: skip
    assert body["id"] == message.pk
    assert body["workspace_id"] == workspace.pk
    assert (body["creator"], body["creator_name"]) == (bob.pk, "Bob")
    assert body["posted_ts"] == int(message.created_at.timestamp())
    assert body["attachments"] == [ATTACHMENT]
    assert body["version"] == 0


def test_getone_of_other_workspace_is_404(client, as_alice, other_workspace, eve):
    theirs = post(conversation(other_workspace, eve), eve)

    response = call(client, "conversation_messages/getone", as_alice, id=theirs.pk)

    assert_error(response, 404, 125, "Message not found")


# --- get --------------------------------------------------------------------


@pytest.fixture
def five(chat, alice, bob):
    return [post(chat, alice if n % 2 else bob, f"m{n}") for n in range(5)]


def _indexes(response):
    return [m["obj_index"] for m in response.json()]


def test_get_is_newest_first_by_default(client, as_alice, chat, five):
    response = call(client, "conversation_messages/get", as_alice, conversation_id=chat.pk)

    assert response.status_code == 200
    assert _indexes(response) == [4, 3, 2, 1, 0]


def test_get_pages_forward_with_from_obj_index_and_asc(client, as_alice, chat, five):
    response = call(
        client,
        "conversation_messages/get",
        as_alice,
        encoding="get",
        conversation_id=chat.pk,
        from_obj_index=1,
        order_by="ASC",
        limit=2,
    )

    assert _indexes(response) == [1, 2]


def test_get_from_obj_index_without_asc_gives_the_newest(client, as_alice, chat, five):
    response = call(
        client,
        "conversation_messages/get",
        as_alice,
        conversation_id=chat.pk,
        from_obj_index=1,
        limit=2,
    )

    assert _indexes(response) == [4, 3]


def test_get_to_obj_index_is_inclusive(client, as_alice, chat, five):
    response = call(
        client, "conversation_messages/get", as_alice, conversation_id=chat.pk, to_obj_index="2"
    )

    assert _indexes(response) == [2, 1, 0]


def test_get_filters_by_posted_ts_strictly(client, as_alice, chat, five):
    from datetime import timedelta

    base = five[0].created_at.replace(microsecond=500_000)
    for n, message in enumerate(five):
        Message.objects.filter(pk=message.pk).update(created_at=base + timedelta(seconds=n))
    ts = int(base.timestamp()) + 2  # posted_ts of obj_index 2

    newer = call(
        client, "conversation_messages/get", as_alice, conversation_id=chat.pk, newer_than_ts=ts
    )
    older = call(
        client, "conversation_messages/get", as_alice, conversation_id=chat.pk, older_than_ts=ts
    )

    assert _indexes(newer) == [4, 3]
    assert _indexes(older) == [1, 0]


def test_get_as_ids_returns_ids_in_the_same_order(client, as_alice, chat, five):
    response = call(
        client,
        "conversation_messages/get",
        as_alice,
        conversation_id=chat.pk,
        as_ids="True",
        limit=3,
    )

    assert response.json() == [five[4].pk, five[3].pk, five[2].pk]


def test_get_clamps_a_large_limit(client, as_alice, chat, five, monkeypatch):
    from workspaces.api import serializers

    monkeypatch.setattr(serializers, "MESSAGES_LIMIT", (2, 3))

    default = call(client, "conversation_messages/get", as_alice, conversation_id=chat.pk)
    large = call(client, "conversation_messages/get", as_alice, conversation_id=chat.pk, limit=999)

    assert _indexes(default) == [4, 3]
    assert _indexes(large) == [4, 3, 2]


@pytest.mark.parametrize("params", [{"limit": 0}, {"order_by": "sideways"}, {"as_ids": "maybe"}])
def test_get_with_a_bad_value_is_400(client, as_alice, chat, params):
    response = call(
        client, "conversation_messages/get", as_alice, conversation_id=chat.pk, **params
    )

    assert_error(response, 400, 20, "Invalid argument value")


def test_get_of_other_workspace_is_404(client, as_alice, other_workspace, eve):
    theirs = conversation(other_workspace, eve)
    post(theirs, eve)

    response = call(client, "conversation_messages/get", as_alice, conversation_id=theirs.pk)

    assert_error(response, 404, 124, "Conversation not found")


@pytest.mark.parametrize("size", [2, 50])
def test_get_runs_a_fixed_number_of_queries(
    client, chat, alice, bob, bearer, django_assert_num_queries, size
):
    for n in range(size):
        post(chat, bob, f"[Alice](twist-mention://{alice.pk}) {n}")
    headers = bearer(alice)

    # token lookup, messages (the access check a subquery of the page's query), their
    # mentions and reactions (one UNION ALL)
    with django_assert_num_queries(3):
        response = call(
            client, "conversation_messages/get", headers, conversation_id=chat.pk, limit=50
        )

    assert len(response.json()) == size
    assert all(m["direct_mentions"] == [alice.pk] for m in response.json())


@pytest.mark.parametrize("size", [2, 50])
def test_getone_runs_a_fixed_number_of_queries(
    client, workspace, chat, alice, bob, bearer, django_assert_num_queries, size
):
    from tests.factories import UserFactory, WorkspaceMemberFactory

    others = [
        WorkspaceMemberFactory(workspace=workspace, user=UserFactory()).user for _ in range(size)
    ]
    call(
        client,
        "conversations/add_users",
        bearer(alice),
        id=chat.pk,
        user_ids=[u.pk for u in others],
    )
    message = post(chat, bob, " ".join(f"[x](twist-mention://{u.pk})" for u in others))
    headers = bearer(alice)

    # token lookup, message (with its creator, workspace and the caller's role), its
    # mentions and reactions (one UNION ALL)
    with django_assert_num_queries(3):
        response = call(client, "conversation_messages/getone", headers, id=message.pk)

    assert response.json()["direct_mentions"] == [u.pk for u in others]


def test_get_walks_the_conversation_obj_index_index(chat, five):

    from conversations.selectors import messages_page

    page = messages_page(conversation=chat, from_obj_index=1, descending=False, limit=20)
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Five rows fit one page; only forbidding a sequential scan shows the index is usable.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())

    if connection.vendor == "postgresql":
        assert "message_unique_obj_index" in plan
    else:
        assert "USING INDEX" in plan
        assert "conversation_id=? AND obj_index>?" in plan
        assert "TEMP B-TREE" not in plan  # no sort: the index gives the order


# --- add --------------------------------------------------------------------


def test_add_returns_the_new_message_and_updates_the_conversation(
    client, as_alice, workspace, alice, bob, chat
):
    response = call(
        client,
        "conversation_messages/add",
        as_alice,
        encoding="form",
        conversation_id=chat.pk,
        content=f"Hi [Bob](twist-mention://{bob.pk})",
        attachments=[ATTACHMENT],
        actions=[ACTION],
        workspace_id=workspace.pk,  # extra parameter n8n sends: ignored
    )

    assert response.status_code == 200
    body = response.json()
    assert body["obj_index"] == 0
    assert body["creator"] == alice.pk
    assert body["direct_mentions"] == [bob.pk]
    assert body["attachments"] == [ATTACHMENT]
    assert body["actions"] == [ACTION]
    conv = call(client, "conversations/getone", as_alice, id=chat.pk).json()
    assert (conv["message_count"], conv["last_obj_index"]) == (1, 0)
    assert conv["last_message"] == body
    assert conv["snippet_creators"] == [alice.pk]


def test_add_with_explicit_mentions(client, as_alice, alice, bob, chat):
    response = call(
        client,
        "conversation_messages/add",
        as_alice,
        conversation_id=chat.pk,
        content="no markup",
        direct_mentions=[bob.pk],
        direct_group_mentions=[7],
    )

    assert response.json()["direct_mentions"] == [bob.pk]
    assert response.json()["direct_group_mentions"] == [7]
    stored = call(client, "conversation_messages/getone", as_alice, id=response.json()["id"])
    assert stored.json() == response.json()


@pytest.mark.parametrize(
    "attachments", ["not json", json.dumps({"a": 1}), json.dumps([1, 2]), [{"ok": 1}, "x"], 5]
)
def test_add_with_bad_attachments_is_118(client, as_alice, chat, attachments):
    before = database_snapshot()

    response = call(
        client,
        "conversation_messages/add",
        as_alice,
        conversation_id=chat.pk,
        content="x",
        attachments=attachments,
    )

    assert_error(
        response, 400, 118, "One or more attachments don't comply with the JSON specification"
    )
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "actions",
    [
        "[{",
        [{"action": "explode", "type": "action", "button_text": "Go"}],
        [{"action": "open_url", "type": "action", "button_text": "Go"}],
        [{"action": "send_reply", "type": "button", "button_text": "Go", "message": "m"}],
    ],
)
def test_add_with_bad_actions_is_133(client, as_alice, chat, actions):
    before = database_snapshot()

    response = call(
        client,
        "conversation_messages/add",
        as_alice,
        conversation_id=chat.pk,
        content="x",
        actions=actions,
    )

    assert_error(response, 400, 133, "One or more actions don't comply with the JSON specification")
    assert database_snapshot() == before


def test_add_without_content_is_19(client, as_alice, chat):
    before = database_snapshot()

    response = call(client, "conversation_messages/add", as_alice, conversation_id=chat.pk)

    assert_error(response, 400, 19, "Required argument is missing")
    assert database_snapshot() == before


def test_add_to_other_workspace_is_404_and_nothing_changes(client, as_alice, other_workspace, eve):
    theirs = conversation(other_workspace, eve)
    before = database_snapshot()

    response = call(
        client, "conversation_messages/add", as_alice, conversation_id=theirs.pk, content="x"
    )

    assert_error(response, 404, 124, "Conversation not found")
    assert database_snapshot() == before


# --- update, remove ---------------------------------------------------------


def test_update_edits_the_callers_message(client, as_alice, alice, bob, chat):
    message = post(chat, alice, "typo", attachments=[ATTACHMENT])

    response = call(
        client,
        "conversation_messages/update",
        as_alice,
        id=message.pk,
        content=f"fixed [Bob](twist-mention://{bob.pk})",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["content"] == f"fixed [Bob](twist-mention://{bob.pk})"
    assert body["attachments"] == [ATTACHMENT]
    assert body["version"] == 1
    assert isinstance(body["last_edited_ts"], int)
    assert body["direct_mentions"] == [bob.pk]
    assert call(client, "conversation_messages/getone", as_alice, id=message.pk).json() == body
    assert (
        call(client, "conversations/getone", as_alice, id=chat.pk)
        .json()["snippet"]
        .startswith("fixed")
    )


@pytest.mark.parametrize("method", ["conversation_messages/update", "conversation_messages/remove"])
def test_changing_another_users_message_is_403(client, as_alice, bob, chat, method):
    message = post(chat, bob, "mine")
    before = database_snapshot()

    response = call(client, method, as_alice, id=message.pk, content="yours")

    assert_error(response, 403, 109, "Forbidden")
    assert database_snapshot() == before


def test_a_workspace_admin_may_remove_anyones_message(client, bearer, workspace, alice, boss):
    conv = conversation(workspace, alice, boss)
    message = post(conv, alice, "spam")

    response = call(client, "conversation_messages/remove", bearer(boss), id=message.pk)

    assert response.json() == {"status": "ok"}
    assert not Message.objects.filter(pk=message.pk).exists()
    assert_error(
        call(client, "conversation_messages/getone", bearer(alice), id=message.pk),
        404,
        125,
        "Message not found",
    )


def test_remove_deletes_for_good_and_keeps_last_obj_index(client, as_alice, alice, bob, chat):
    first = post(chat, bob, "first")
    last = post(chat, alice, "last")

    # n8n sends remove as a POST with the id in the query string.
    response = call(client, "conversation_messages/remove", as_alice, encoding="query", id=last.pk)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert_error(
        call(client, "conversation_messages/getone", as_alice, id=last.pk),
        404,
        125,
        "Message not found",
    )
    conv = call(client, "conversations/getone", as_alice, id=chat.pk).json()
    assert (conv["message_count"], conv["last_obj_index"]) == (1, 1)
    assert conv["last_message"]["id"] == first.pk
    assert conv["snippet"] == "first"


@pytest.mark.parametrize("method", ["conversation_messages/update", "conversation_messages/remove"])
def test_update_or_remove_in_other_workspace_is_404_and_nothing_changes(
    client, as_alice, other_workspace, eve, method
):
    theirs = post(conversation(other_workspace, eve), eve, "theirs")
    before = database_snapshot()

    response = call(client, method, as_alice, id=theirs.pk, content="mine")

    assert_error(response, 404, 125, "Message not found")
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "extra",
    [{}, {"attachments": [ATTACHMENT], "actions": [ACTION]}],
    ids=["plain", "with attachments and actions"],
)
def test_add_answers_what_getone_answers_in_few_queries(
    client, chat, alice, bob, carol, bearer, django_assert_num_queries, extra
):
    headers = bearer(bob)
    call(client, "conversations/getone", headers, id=chat.pk)  # the token's first use
    content = f"[Alice](twist-mention://{alice.pk}) [Carol](twist-mention://{carol.pk}) hi"
    # token, savepoint, the access check (the lock: FOR UPDATE), insert, the
    # mentions (of the participants among them), counters and participants (one
    # statement on PostgreSQL), the outbox (one INSERT: audience, event, webhooks),
    # release; with attachments the uploads they name (the answer is rendered
    # from the write, its JSON as stored). Over HTTP the savepoint and its
    # release are BEGIN and COMMIT: without mentions, 5 statements on PostgreSQL.
    with django_assert_num_queries((10 if extra else 9) - POSTGRES):
        added = call(
            client,
            "conversation_messages/add",
            headers,
            conversation_id=chat.pk,
            content=content,
            direct_group_mentions=[7],
            **extra,
        )
    assert added.status_code == 200
    getone = call(client, "conversation_messages/getone", headers, id=added.json()["id"])
    assert added.content == getone.content
    assert added.json()["direct_mentions"] == [alice.pk]
