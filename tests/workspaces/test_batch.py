"""batch through HTTP (workspace-api-extras.md §5)."""

import json
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.models import Message, Reaction
from tests.dbstate import database_snapshot
from tests.workspaces.twist import UUID_HEX, assert_error, call, conversation, post

pytestmark = pytest.mark.django_db

BASE = "https://api.twist.com/api/v3"


@pytest.fixture
def chat(workspace, alice, bob):
    return conversation(workspace, alice, bob)


def _batch(client, headers, requests, *, form=True, prefix="v3", **extra):
    url = f"/api/{prefix}/batch"
    if form:
        data = {"requests": json.dumps(requests), **extra}
        return client.post(url, data, **headers)
    return client.post(
        url, json.dumps({"requests": requests, **extra}), content_type="application/json", **headers
    )


def _bodies(response):
    return [json.loads(item["body"]) for item in response.json()]


def test_each_item_is_the_direct_calls_answer(client, as_alice, alice, chat):
    message = post(chat, alice, "hi")
    direct = call(client, "conversations/getone", as_alice, prefix="v3", id=chat.pk)

    response = _batch(
        client,
        as_alice,
        [
            {"method": "GET", "url": f"{BASE}/conversations/getone?id={chat.pk}"},
            {"method": "GET", "url": f"{BASE}/reactions/get?message_id={message.pk}"},
        ],
        parallel="true",
    )

    assert response.status_code == 200
    first, second = response.json()
    assert first == {
        "code": 200,
        "headers": "Content-Type: application/json",
        "body": direct.content.decode(),
    }
    assert second["body"] == "null"


def test_the_token_is_looked_up_once_per_batch(client, as_alice, alice, chat):
    getone = {"method": "GET", "url": f"{BASE}/conversations/getone?id={chat.pk}"}

    with CaptureQueriesContext(connection) as captured:
        response = _batch(client, as_alice, [getone] * 3)

    assert [item["code"] for item in response.json()] == [200] * 3
    lookups = [q for q in captured.captured_queries if "oauth2_provider_accesstoken" in q["sql"]]
    assert len(lookups) == 1, lookups


def test_form_bodies_and_json_objects_both_work(client, as_alice, alice, chat):
    message = post(chat, alice, "hi")
    thumbs = quote("👍")

    response = _batch(
        client,
        as_alice,
        [
            {
                "method": "POST",
                "url": f"{BASE}/reactions/add",
                "body": f"message_id={message.pk}&reaction={thumbs}",
            },
            {
                "method": "post",
                "url": "/api/v3/reactions/add",
                "body": {"message_id": message.pk, "reaction": "🎉"},
            },
            {"method": "GET", "url": f"{BASE}/reactions/get", "body": f"message_id={message.pk}"},
        ],
        form=False,
    )

    assert [item["code"] for item in response.json()] == [200, 200, 200]
    assert _bodies(response)[2] == {"👍": [alice.pk], "🎉": [alice.pk]}


def test_sdk_encodings_comma_lists_and_true_strings(client, as_alice, alice, bob, carol, chat):
    response = _batch(
        client,
        as_alice,
        [
            {
                "method": "POST",
                "url": f"{BASE}/conversations/add_users",
                "body": f"id={chat.pk}&user_ids={carol.pk}",
            },
            {
                "method": "POST",
                "url": f"{BASE}/conversations/update",
                "body": f"id={chat.pk}&archived=true",
            },
        ],
    )

    assert [item["code"] for item in response.json()] == [200, 200]
    assert _bodies(response)[1]["archived"] is True


def test_one_failing_item_rolls_back_only_itself(client, as_alice, alice, chat):
    message = post(chat, alice, "hi")

    response = _batch(
        client,
        as_alice,
        [
            {
                "method": "POST",
                "url": f"{BASE}/reactions/add",
                "body": f"message_id={message.pk}&reaction=ok",
            },
            {
                "method": "POST",
                "url": f"{BASE}/reactions/add",
                "body": f"message_id=999999&reaction={quote('👍')}",
            },
            {
                "method": "POST",
                "url": f"{BASE}/reactions/add",
                "body": f"message_id={message.pk}&reaction={quote('👍')}",
            },
        ],
    )

    assert [item["code"] for item in response.json()] == [400, 404, 200]
    bodies = _bodies(response)
    assert bodies[0]["error_code"] == 122
    assert bodies[1]["error_code"] == 125
    assert UUID_HEX.fullmatch(bodies[1]["error_uuid"])
    assert Reaction.objects.count() == 1


def test_later_items_see_earlier_writes(client, as_alice, alice, chat):
    response = _batch(
        client,
        as_alice,
        [
            {
                "method": "POST",
                "url": f"{BASE}/conversation_messages/add",
                "body": {"conversation_id": chat.pk, "content": "first"},
            },
            {"method": "GET", "url": f"{BASE}/conversation_messages/get?conversation_id={chat.pk}"},
        ],
    )

    assert [m["content"] for m in _bodies(response)[1]] == ["first"]


def test_each_item_checks_its_own_scope(client, bearer, alice, chat):
    headers = bearer(alice, scopes=["messages:read"])

    response = _batch(
        client,
        headers,
        [
            {"method": "GET", "url": f"{BASE}/conversations/getone?id={chat.pk}"},
            {"method": "POST", "url": f"{BASE}/conversations/archive", "body": f"id={chat.pk}"},
        ],
    )

    assert [item["code"] for item in response.json()] == [200, 403]
    assert _bodies(response)[1]["error_code"] == 109


def test_a_token_in_the_url_is_ignored(client, as_alice, bearer, carol, chat):
    carols = bearer(carol)["HTTP_AUTHORIZATION"].split()[1]

    response = _batch(
        client,
        as_alice,
        [{"method": "GET", "url": f"{BASE}/conversations/getone?id={chat.pk}&token={carols}"}],
    )

    assert response.json()[0]["code"] == 200


def test_isolation_another_users_conversation_is_124(client, bearer, carol, chat):
    response = _batch(
        client,
        bearer(carol),
        [{"method": "GET", "url": f"{BASE}/conversations/getone?id={chat.pk}"}],
    )

    assert response.json()[0]["code"] == 404
    assert _bodies(response)[0]["error_code"] == 124


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/conversations/getone?id=1",
        "/admin/",
        f"{BASE}/batch",
        f"{BASE}/attachments/upload",
    ],
)
def test_urls_outside_the_prefix_nested_batch_and_upload_are_20(client, as_alice, url):
    response = _batch(client, as_alice, [{"method": "POST", "url": url}])

    assert response.status_code == 200
    item = response.json()[0]
    assert item["code"] == 400
    assert json.loads(item["body"])["error_extra"] == {"argument": "url"}


def test_an_unknown_method_is_110(client, as_alice):
    response = _batch(client, as_alice, [{"method": "GET", "url": f"{BASE}/threads/get"}])

    assert response.json()[0]["code"] == 404
    assert _bodies(response)[0]["error_code"] == 110


def test_the_prefix_is_the_batchs_own(client, as_alice, chat):
    response = _batch(
        client,
        as_alice,
        [{"method": "GET", "url": f"/api/v1/conversations/getone?id={chat.pk}"}],
        prefix="v1",
    )

    assert response.json()[0]["code"] == 200


def test_an_empty_batch_is_an_empty_list(client, as_alice):
    assert _batch(client, as_alice, []).json() == []


@pytest.mark.parametrize(
    "requests",
    [
        "not json",
        {"method": "GET"},
        [1],
        [{"method": "PUT", "url": "/api/v3/x"}],
        [{"method": "GET", "url": 3}],
        [{"method": "GET", "url": "/api/v3/x", "body": 3}],
        [{"method": "GET", "url": "/api/v3/workspaces/get"}] * 11,
    ],
)
def test_a_malformed_batch_runs_nothing(client, as_alice, alice, chat, requests):
    before = database_snapshot()
    data = {"requests": requests if isinstance(requests, str) else json.dumps(requests)}

    response = client.post("/api/v3/batch", data, **as_alice)

    assert response.status_code == 400
    assert response.json()["error_code"] == 20
    assert response.json()["error_extra"] == {"argument": "requests"}
    assert database_snapshot() == before


def test_whole_batch_errors(client, as_alice, bearer, alice):
    assert_error(
        client.post("/api/v3/batch", {}, **as_alice), 400, 19, "Required argument is missing"
    )
    assert_error(client.get("/api/v3/batch", **as_alice), 400, 114, "Bad Request")
    assert client.post("/api/v3/batch", {"requests": "[]"}).status_code == 401
    bad = client.post("/api/v3/batch", {"requests": "[]"}, HTTP_AUTHORIZATION="Bearer nope")
    assert_error(bad, 403, 200, "Invalid token")


def test_a_batch_needs_no_scope_of_its_own(client, bearer, alice):
    response = _batch(client, bearer(alice, scopes=["user:read"]), [])

    assert response.status_code == 200


def test_an_upload_object_flattened_by_the_sdk_is_118(client, as_alice, chat):
    response = _batch(
        client,
        as_alice,
        [{"method": "POST", "url": f"{BASE}/conversation_messages/add",
          "body": f"conversation_id={chat.pk}&content=x&attachments=[object Object]"}],
    )  # fmt: skip

    assert _bodies(response)[0]["error_code"] == 118
    assert not Message.objects.exists()
