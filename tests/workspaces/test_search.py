"""search, search/conversation, search/thread through HTTP (workspace-api-extras.md §3)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations import search, services
from conversations.models import Message
from conversations.policy import Role
from tests.workspaces.twist import assert_error, call, conversation, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(workspace, alice, bob):
    return conversation(workspace, alice, bob)


def _search(client, headers, workspace, query="budget", **params):
    return call(
        client, "search", headers, encoding="get", workspace_id=workspace.pk, query=query, **params
    )


def _ids(response):
    return [item["message_id"] for item in response.json()["items"]]


def test_search_answers_the_sdk_shape(client, as_alice, workspace, bob, chat):
    chat.title = "Finance"
    chat.save()
    message = post(chat, bob, "The budget for Q3 is approved")

    response = _search(client, as_alice, workspace, limit=1)

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": f"conversation_{chat.pk}",
                "type": "conversation",
                "snippet": "The budget for Q3 is approved",
                "snippet_creator_id": bob.pk,
                "snippet_last_updated_ts": int(message.created_at.timestamp()),
                "conversation_id": chat.pk,
                "message_id": message.pk,
                "title": "Finance",
            }
        ],
        "has_more": False,
        "next_cursor_mark": None,
        "is_plan_restricted": False,
    }


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("deploy", True),
        ("DEPLOY", True),
        ("ploy", False),
        ("deploy friday", True),
        ("deploy monday", False),
        ('"deploy" -fri*', True),
        ("deploy AND", False),
        ("fri", True),
        ("café", True),
        ("cafe", False),
        ("Alice", True),
        ("twist", False),
    ],
)
def test_every_word_must_start_a_word_of_the_content(
    client, as_alice, workspace, alice, bob, chat, query, found
):
    message = post(
        chat, bob, f"Deployment on Friday at the Café, [Alice](twist-mention://{alice.pk})!"
    )

    response = _search(client, as_alice, workspace, query)

    assert _ids(response) == ([message.pk] if found else [])


def test_results_are_newest_first_and_page_with_the_cursor(client, as_alice, workspace, bob, chat):
    messages = [post(chat, bob, f"budget item {n}") for n in range(5)]
    newest_first = [m.pk for m in reversed(messages)]

    first = _search(client, as_alice, workspace, limit=2)
    second = _search(client, as_alice, workspace, limit=2, cursor=first.json()["next_cursor_mark"])
    third = _search(
        client, as_alice, workspace, limit=2, cursor_mark=second.json()["next_cursor_mark"]
    )

    assert first.json()["has_more"] is True
    assert _ids(first) + _ids(second) + _ids(third) == newest_first
    assert third.json()["has_more"] is False
    assert third.json()["next_cursor_mark"] is None


def test_the_cursor_is_stable_while_new_messages_arrive(client, as_alice, workspace, bob, chat):
    old = [post(chat, bob, f"budget {n}") for n in range(3)]
    first = _search(client, as_alice, workspace, limit=1)
    post(chat, bob, "budget brand new")

    rest = _search(client, as_alice, workspace, cursor=first.json()["next_cursor_mark"])

    assert _ids(rest) == [old[1].pk, old[0].pk]


def test_equal_posted_times_page_by_id(client, as_alice, workspace, bob, chat):
    messages = [post(chat, bob, f"budget {n}") for n in range(3)]
    same = datetime(2026, 1, 1, tzinfo=UTC)
    Message.objects.filter(pk__in=[m.pk for m in messages]).update(created_at=same)

    first = _search(client, as_alice, workspace, limit=2)
    rest = _search(client, as_alice, workspace, cursor=first.json()["next_cursor_mark"])

    assert _ids(first) + _ids(rest) == [m.pk for m in reversed(messages)]


def test_only_conversations_the_caller_takes_part_in_are_searched(
    client, as_alice, workspace, alice, bob, carol, eve, other_workspace, chat
):
    mine = post(chat, bob, "budget mine")
    post(conversation(workspace, bob, carol), bob, "budget not mine")
    post(conversation(other_workspace, eve), eve, "budget elsewhere")

    assert _ids(_search(client, as_alice, workspace)) == [mine.pk]


def test_archived_conversations_are_searched(client, as_alice, workspace, alice, bob, chat):
    message = post(chat, bob, "budget archived")
    services.conversation_set_archived(actor=alice, conversation=chat, archived=True)

    assert _ids(_search(client, as_alice, workspace)) == [message.pk]


def test_removed_and_system_messages_are_never_found(client, as_alice, workspace, bob, chat):
    removed = post(chat, bob, "budget removed")
    post(chat, bob, "budget system", system_message={"type": "user_added"})
    services.message_remove(actor=bob, role=Role.MEMBER, message=removed)

    assert _ids(_search(client, as_alice, workspace)) == []


def test_a_former_participant_no_longer_finds_anything(
    client, bearer, workspace, alice, bob, carol
):
    group = conversation(workspace, alice, bob, carol)
    post(group, bob, "budget")
    services.participants_remove(
        actor=carol, role=Role.MEMBER, conversation=group, user_ids=[carol.pk]
    )

    assert _ids(_search(client, bearer(carol), workspace)) == []


def test_filters_authors_mentions_dates_and_conversations(
    client, as_alice, workspace, alice, bob, carol, chat
):
    group = conversation(workspace, alice, bob, carol)
    by_bob = post(chat, bob, "budget from bob")
    by_alice = post(chat, alice, "budget from alice")
    mention = post(group, carol, f"budget for [Alice](twist-mention://{alice.pk})")

    def ids(**params):
        return _ids(_search(client, as_alice, workspace, **params))

    assert ids(author_ids=f"{bob.pk},{carol.pk}") == [mention.pk, by_bob.pk]
    assert ids(from_user_id=alice.pk) == [by_alice.pk]
    assert ids(mention_self="true") == [mention.pk]
    assert ids(conversation_ids=f"{group.pk},999999") == [mention.pk]
    assert ids(to_user_id=bob.pk) == [mention.pk, by_alice.pk]
    today = by_bob.created_at.date()
    assert len(ids(date_from=today.isoformat(), date_to=today.isoformat())) == 3
    assert ids(date_to=(today - timedelta(days=1)).isoformat()) == []
    assert ids(before_ts=int(by_bob.created_at.timestamp())) == []


def test_mention_self_needs_no_query(client, as_alice, workspace, alice, bob, chat):
    mention = post(chat, bob, f"ping [Alice](twist-mention://{alice.pk})")

    response = call(
        client, "search", as_alice, workspace_id=workspace.pk, mention_self=True, query=""
    )

    assert _ids(response) == [mention.pk]


def test_a_long_snippet_is_a_window_around_the_first_match(client, as_alice, workspace, bob, chat):
    post(chat, bob, "x" * 300 + " budget " + "y" * 300)

    snippet = _search(client, as_alice, workspace).json()["items"][0]["snippet"]

    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert len(snippet) == 202
    assert snippet.index("budget") == 1 + 40


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"query": None}, 400, 19),
        ({"query": "!!"}, 400, 20),
        ({"query": ""}, 400, 20),
        ({"limit": 0}, 400, 20),
        ({"cursor": "not a cursor"}, 400, 20),
        ({"date_from": "2026-13-01"}, 400, 20),
        ({"date_from": "2026-02-02", "date_to": "2026-02-01"}, 400, 128),
        ({"workspace_id": 999_999}, 404, 105),
    ],
)
def test_search_errors(client, as_alice, workspace, chat, params, status, code):
    params = {"workspace_id": workspace.pk, "query": "budget", **params}
    params = {k: v for k, v in params.items() if v is not None}

    response = call(client, "search", as_alice, **params)

    assert response.status_code == status, response.content
    assert response.json()["error_code"] == code


def test_another_workspace_is_105(client, as_alice, other_workspace):
    response = _search(client, as_alice, other_workspace)

    assert_error(response, 404, 105, "Workspace not found")


@pytest.mark.parametrize(
    ("params", "argument"),
    [
        ({"type": "threads"}, "type"),
        ({"channel_ids": "1,2"}, "channel_ids"),
        ({"title": "x"}, "title"),
    ],
)
def test_thread_and_channel_arguments_are_out_of_scope_before_anything_else(
    client, as_alice, params, argument
):
    response = call(client, "search", as_alice, limit=0, **params)

    assert response.status_code == 400
    assert response.json()["error_code"] == 20
    assert response.json()["error_extra"] == {"argument": argument}


def test_a_large_limit_is_clamped(client, as_alice, workspace, bob, chat):
    for n in range(3):
        post(chat, bob, f"budget {n}")

    assert len(_ids(_search(client, as_alice, workspace, limit=10_000))) == 3


# --- search/conversation ----------------------------------------------------


def test_search_conversation_answers_message_ids_newest_first(
    client, as_alice, workspace, bob, chat
):
    older = post(chat, bob, "budget one")
    post(chat, bob, "nothing here")
    newer = post(chat, bob, "Budgets two")
    post(conversation(workspace, bob), bob, "budget elsewhere")

    response = call(
        client,
        "search/conversation",
        as_alice,
        encoding="get",
        conversation_id=chat.pk,
        query="budget",
    )

    assert response.json() == {
        "message_ids": [newer.pk, older.pk],
        "has_more": False,
        "next_cursor_mark": None,
    }


def test_search_conversation_pages(client, as_alice, chat, bob):
    messages = [post(chat, bob, f"budget {n}") for n in range(3)]
    first = call(
        client, "search/conversation", as_alice, conversation_id=chat.pk, query="b", limit=2
    )
    rest = call(
        client,
        "search/conversation",
        as_alice,
        conversation_id=chat.pk,
        query="b",
        cursor=first.json()["next_cursor_mark"],
    )

    assert first.json()["message_ids"] + rest.json()["message_ids"] == [
        m.pk for m in reversed(messages)
    ]


def test_search_conversation_of_a_non_participant_is_124(client, bearer, carol, chat):
    response = call(
        client, "search/conversation", bearer(carol), conversation_id=chat.pk, query="b"
    )

    assert_error(response, 404, 124, "Conversation not found")


def test_search_conversation_refuses_thread_id(client, as_alice, chat):
    response = call(client, "search/conversation", as_alice, thread_id=1, query="b")

    assert response.json()["error_extra"] == {"argument": "thread_id"}


def test_search_thread_is_always_out_of_scope(client, as_alice):
    response = call(client, "search/thread", as_alice, thread_id=1, query="b")

    assert response.status_code == 400
    assert response.json()["error_code"] == 20
    assert response.json()["error_extra"] == {"argument": "thread_id"}


@pytest.mark.parametrize("method", ["search", "search/conversation", "search/thread"])
def test_search_needs_the_search_scope(client, bearer, alice, method):
    response = call(client, method, bearer(alice, scopes=["messages:read"]), query="b")

    assert_error(response, 403, 109, "Forbidden")


@pytest.mark.parametrize("size", [3, 12])
def test_search_takes_a_fixed_number_of_queries(
    client, as_alice, workspace, bob, carol, alice, django_assert_max_num_queries, size
):
    for n in range(size):
        post(
            conversation(workspace, alice, bob, carol) if n == 0 else _chat(workspace, alice, n),
            alice,
            f"budget {n}",
        )

    # token lookup, workspace, then one batch of candidates (with their conversations);
    # on PostgreSQL instead the caller's conversations, the matches among the newest
    # rows, those messages, and the full-text index's matches after them
    with django_assert_max_num_queries(6 if connection.vendor == "postgresql" else 3):
        response = _search(client, as_alice, workspace, limit=100)

    assert len(response.json()["items"]) == size


def _chat(workspace, alice, n):
    from tests.factories import UserFactory, WorkspaceMemberFactory

    other = WorkspaceMemberFactory(workspace=workspace, user=UserFactory()).user
    return conversation(workspace, alice, other)


# --- the index --------------------------------------------------------------


def _full_text_plans(run) -> list[str]:
    """The plans of the full-text queries `run` makes, in order (as executed, values inline)."""
    with CaptureQueriesContext(connection) as captured:
        run()
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if "@@" in query["sql"]:
                cursor.execute("EXPLAIN " + query["sql"])
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN index on PostgreSQL only")
def test_search_uses_the_full_text_index(workspace, alice, bob, chat):
    """Among 20,000 messages, a word in most of them fills the page from a walk of the newest
    rows; a rare one, missing there, is then read through the GIN index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO conversations_message (conversation_id, obj_index, content, attachments,"
            " actions, direct_group_mentions, removal_reason, created_by_id, created_at,"
            " updated_at, version)"
            " SELECT %s, n, 'status update w' || (n %% 5000), '[]', '[]', '[]', '', %s,"
            " now() - n * interval '1 second', now(), 0 FROM generate_series(0, 19999) AS n",
            [chat.pk, bob.pk],
        )
        cursor.execute("ANALYZE")
    candidates = search.search_candidates(user=alice, workspace=workspace)

    def page(word):
        return lambda: search.search_messages(candidates=candidates, terms=[word], limit=50)

    [common] = _full_text_plans(page("status"))
    recent, rare = _full_text_plans(page("budget"))

    assert "message_newest" in common, common
    assert "message_newest" in recent, recent
    assert "message_search_fts" in rare, rare
