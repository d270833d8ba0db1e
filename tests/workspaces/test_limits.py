"""Bounded work per request (issue 9 §4): authorise first, cap id lists and message content."""

import pytest

from tests.dbstate import database_snapshot
from tests.factories import UserFactory, WorkspaceMemberFactory
from tests.workspaces.twist import assert_error, call, conversation, post
from workspaces.api.params import IntListField

pytestmark = pytest.mark.django_db

HUGE = list(range(1, 100_001))
OVER_THE_CAP = list(range(1, 1_002))  # settings.ID_LIST_MAX (1,000) + 1
# The test ids of `_id_list_calls`, in its order.
ID_LIST_CALLS = [
    "get_or_create-user_ids",
    "add_users-user_ids",
    "remove_users-user_ids",
    "add-direct_mentions",
    "add-direct_group_mentions",
    "update-direct_mentions",
]


@pytest.fixture
def chat(workspace, alice, bob):
    return conversation(workspace, alice, bob)


@pytest.fixture
def message(chat, alice):
    return post(chat, alice, "mine")


@pytest.fixture
def id_lists_never_parsed(monkeypatch):
    """Fails the test if any id list is parsed."""

    def parsed(self, data):
        raise AssertionError("an id list was parsed before the access check")

    monkeypatch.setattr(IntListField, "to_internal_value", parsed)


def _id_list_calls(workspace, chat, message):
    """Every method taking an id list, with the list under its parameter name."""
    add = {"conversation_id": chat.pk, "content": "x"}
    return [
        ("conversations/get_or_create", {"workspace_id": workspace.pk}, "user_ids"),
        ("conversations/add_users", {"id": chat.pk}, "user_ids"),
        ("conversations/remove_users", {"id": chat.pk}, "user_ids"),
        ("conversation_messages/add", add, "direct_mentions"),
        ("conversation_messages/add", add, "direct_group_mentions"),
        ("conversation_messages/update", {"id": message.pk}, "direct_mentions"),
    ]


# --- authorise first --------------------------------------------------------


def test_a_non_participant_with_a_huge_user_ids_gets_404_before_the_list_is_read(
    client, bearer, workspace, chat, id_lists_never_parsed, django_assert_max_num_queries
):
    stranger = WorkspaceMemberFactory(workspace=workspace, user=UserFactory()).user
    headers = bearer(stranger)
    before = database_snapshot()

    # token lookup, conversation
    with django_assert_max_num_queries(2):
        response = call(client, "conversations/add_users", headers, id=chat.pk, user_ids=HUGE)

    assert_error(response, 404, 124, "Conversation not found")
    assert database_snapshot() == before


@pytest.mark.parametrize("index", range(6), ids=ID_LIST_CALLS)
def test_every_id_list_method_authorises_before_reading_the_list(
    client, bearer, workspace, chat, message, eve, id_lists_never_parsed, index
):
    method, params, name = _id_list_calls(workspace, chat, message)[index]
    headers = bearer(eve)
    before = database_snapshot()

    response = call(client, method, headers, **params, **{name: HUGE})

    assert response.status_code == 404
    assert response.json()["error_code"] in (105, 124, 125)
    assert database_snapshot() == before


# --- id lists are capped ----------------------------------------------------


@pytest.mark.parametrize("encoding", ["json", "form", "get"])
@pytest.mark.parametrize("index", range(6), ids=ID_LIST_CALLS)
def test_an_id_list_over_the_cap_is_400_code_20_and_changes_nothing(
    client, as_alice, workspace, chat, message, index, encoding
):
    method, params, name = _id_list_calls(workspace, chat, message)[index]
    before = database_snapshot()

    response = call(client, method, as_alice, encoding=encoding, **params, **{name: OVER_THE_CAP})

    assert_error(response, 400, 20, "Invalid argument value")
    assert database_snapshot() == before


def test_an_id_list_at_the_cap_is_read(client, as_alice, chat):
    at_the_cap = list(range(10**6, 10**6 + 1_000))

    response = call(client, "conversations/add_users", as_alice, id=chat.pk, user_ids=at_the_cap)

    assert_error(response, 404, 106, "User not found")


def test_the_cap_is_the_id_list_max_setting(client, as_alice, chat, carol, settings):
    settings.ID_LIST_MAX = 1

    over = call(client, "conversations/add_users", as_alice, id=chat.pk, user_ids=[carol.pk, 1])
    at = call(client, "conversations/add_users", as_alice, id=chat.pk, user_ids=[carol.pk])

    assert_error(over, 400, 20, "Invalid argument value")
    assert at.json() == {"status": "ok"}


# --- message content is capped ----------------------------------------------


@pytest.mark.parametrize("method", ["conversation_messages/add", "conversation_messages/update"])
def test_content_over_message_max_length_is_400_code_20_and_stores_nothing(
    client, as_alice, chat, message, method, settings
):
    target = {"conversation_id": chat.pk} if method.endswith("add") else {"id": message.pk}
    before = database_snapshot()

    response = call(client, method, as_alice, **target, content="x" * 10_001)

    assert settings.MESSAGE_MAX_LENGTH == 10_000
    assert_error(response, 400, 20, "Invalid argument value")
    assert database_snapshot() == before


@pytest.mark.parametrize("method", ["conversation_messages/add", "conversation_messages/update"])
def test_content_of_message_max_length_is_stored(client, as_alice, chat, message, method):
    target = {"conversation_id": chat.pk} if method.endswith("add") else {"id": message.pk}
    content = "é" * 10_000  # characters, not bytes

    response = call(client, method, as_alice, encoding="form", **target, content=content)

    assert response.status_code == 200, response.content
    read = call(client, "conversation_messages/getone", as_alice, id=response.json()["id"])
    assert read.json()["content"] == content


def test_the_content_cap_is_the_message_max_length_setting(client, as_alice, chat, settings):
    settings.MESSAGE_MAX_LENGTH = 3

    over = call(
        client, "conversation_messages/add", as_alice, conversation_id=chat.pk, content="abcd"
    )
    at = call(client, "conversation_messages/add", as_alice, conversation_id=chat.pk, content="abc")

    assert_error(over, 400, 20, "Invalid argument value")
    assert at.json()["content"] == "abc"
