"""reactions/add|get|remove through HTTP (workspace-api-extras.md §2)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation, Message, Participant, Reaction
from tests.dbstate import database_snapshot
from tests.workspaces.twist import assert_error, call, conversation, post

pytestmark = pytest.mark.django_db

THUMBS = "👍"


@pytest.fixture
def chat(workspace, alice, bob):
    return conversation(workspace, alice, bob)


@pytest.fixture
def message(chat, bob):
    return post(chat, bob, "Ship it?")


def _react(client, headers, message, reaction=THUMBS, method="reactions/add", **kwargs):
    return call(client, method, headers, message_id=message.pk, reaction=reaction, **kwargs)


def test_add_then_get_groups_users_by_emoji_in_reaction_order(
    client, as_alice, as_bob, alice, bob, message
):
    assert _react(client, as_alice, message).json() == {"status": "ok"}
    _react(client, as_bob, message)
    _react(client, as_bob, message, "🎉")

    response = call(client, "reactions/get", as_alice, message_id=message.pk)

    assert response.status_code == 200
    assert response.json() == {THUMBS: [alice.pk, bob.pk], "🎉": [bob.pk]}


@pytest.mark.parametrize("encoding", ["json", "form", "get"])
def test_add_accepts_every_encoding(client, as_alice, alice, message, encoding):
    response = _react(client, as_alice, message, encoding=encoding)

    assert response.status_code == 200
    assert list(Reaction.objects.values_list("reaction", "user_id")) == [(THUMBS, alice.pk)]


def test_add_twice_is_a_no_op(client, as_alice, message):
    _react(client, as_alice, message)
    before = database_snapshot()

    response = _react(client, as_alice, message)

    assert response.json() == {"status": "ok"}
    assert database_snapshot() == before


def test_a_reaction_changes_nothing_else(client, as_alice, chat, message):
    before = database_snapshot()

    _react(client, as_alice, message)

    after = database_snapshot()
    for label in (Message._meta.label, Conversation._meta.label, Participant._meta.label):
        assert after[label] == before[label]


def test_get_without_reactions_is_the_json_literal_null(client, as_alice, message):
    response = call(client, "reactions/get", as_alice, message_id=message.pk)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b"null"


def test_remove_takes_back_only_the_callers_reaction(client, as_alice, as_bob, bob, message):
    _react(client, as_alice, message)
    _react(client, as_bob, message)

    response = _react(client, as_alice, message, method="reactions/remove")

    assert response.json() == {"status": "ok"}
    assert call(client, "reactions/get", as_bob, message_id=message.pk).json() == {THUMBS: [bob.pk]}


def test_remove_of_an_absent_reaction_is_a_no_op(client, as_alice, message):
    before = database_snapshot()

    response = _react(client, as_alice, message, "🎉", method="reactions/remove")

    assert response.json() == {"status": "ok"}
    assert database_snapshot() == before


@pytest.mark.parametrize("reaction", ["👍", "❤", "❤️", "👍🏽", "🇫🇷", "1️⃣", "👨‍👩‍👧‍👦"])
def test_one_emoji_of_any_kind_is_accepted_and_stored_exactly(client, as_alice, message, reaction):
    assert _react(client, as_alice, message, reaction).status_code == 200
    assert list(Reaction.objects.values_list("reaction", flat=True)) == [reaction]


@pytest.mark.parametrize("reaction", ["+1", ":+1:", "👍👍", "ok", " 👍", "", 42, None])
def test_anything_but_one_emoji_is_122_and_nothing_changes(client, as_alice, message, reaction):
    before = database_snapshot()

    response = _react(client, as_alice, message, reaction)

    assert_error(response, 400, 122, "Not supported reaction")
    assert database_snapshot() == before


def test_skin_tones_and_variation_selectors_are_distinct_reactions(
    client, as_alice, alice, message
):
    for reaction in ("❤", "❤️", "👍", "👍🏽"):
        _react(client, as_alice, message, reaction)

    body = call(client, "reactions/get", as_alice, message_id=message.pk).json()

    assert list(body) == ["❤", "❤️", "👍", "👍🏽"]


def test_a_reaction_survives_its_user_leaving(
    client, bearer, as_alice, alice, bob, carol, workspace
):
    group = conversation(workspace, alice, bob, carol)
    message = post(group, alice)
    _react(client, as_alice, message)
    Participant.objects.filter(conversation=group, user=alice).delete()

    body = call(client, "reactions/get", bearer(bob), message_id=message.pk).json()

    assert body == {THUMBS: [alice.pk]}


@pytest.mark.parametrize("method", ["reactions/add", "reactions/get", "reactions/remove"])
def test_a_non_participant_gets_125_and_nothing_changes(client, bearer, carol, message, method):
    headers = bearer(carol)
    before = database_snapshot()

    response = _react(client, headers, message, method=method)

    assert_error(response, 404, 125, "Message not found")
    assert database_snapshot() == before


def test_another_workspaces_member_gets_125(client, bearer, eve, message):
    assert_error(_react(client, bearer(eve), message), 404, 125, "Message not found")


def test_unknown_message_is_125(client, as_alice):
    response = call(client, "reactions/add", as_alice, message_id=999_999, reaction=THUMBS)

    assert_error(response, 404, 125, "Message not found")


@pytest.mark.parametrize("argument", ["thread_id", "comment_id"])
def test_thread_arguments_are_out_of_scope(client, as_alice, message, argument):
    response = call(client, "reactions/add", as_alice, reaction="nope", **{argument: 789})

    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == 20
    assert body["error_extra"] == {"argument": argument}


def test_missing_arguments_are_19_before_anything_else(client, as_alice, message):
    assert_error(
        call(client, "reactions/add", as_alice, message_id="x"),
        400,
        19,
        "Required argument is missing",
    )
    assert_error(call(client, "reactions/get", as_alice), 400, 19, "Required argument is missing")


def test_a_bad_message_id_is_20_before_a_bad_reaction(client, as_alice):
    response = call(client, "reactions/add", as_alice, message_id="x", reaction="ok")

    assert_error(response, 400, 20, "Invalid argument value")


def test_a_bad_reaction_is_122_before_an_unknown_message(client, as_alice):
    response = call(client, "reactions/add", as_alice, message_id=999_999, reaction="ok")

    assert_error(response, 400, 122, "Not supported reaction")


@pytest.mark.parametrize(
    ("method", "granted", "allowed"),
    [
        ("reactions/get", "reactions:read", True),
        ("reactions/add", "reactions:read", False),
        ("reactions/add", "reactions:write", True),
        ("reactions/remove", "reactions:write", False),
        ("reactions/remove", "reactions:remove", True),
        ("reactions/get", "messages:remove", False),
    ],
)
def test_scopes(client, bearer, alice, message, method, granted, allowed):
    response = _react(client, bearer(alice, scopes=[granted]), message, method=method)

    if allowed:
        assert response.status_code == 200
    else:
        assert_error(response, 403, 109, "Forbidden")


def test_without_a_token_is_120(client, message):
    response = _react(client, {}, message)

    assert response.status_code == 401
    assert response.json()["error_code"] == 120


def test_rendered_messages_carry_their_reactions(client, as_alice, alice, chat, message):
    _react(client, as_alice, message)
    expected = {THUMBS: [alice.pk]}

    getone = call(client, "conversation_messages/getone", as_alice, id=message.pk).json()
    page = call(client, "conversation_messages/get", as_alice, conversation_id=chat.pk).json()
    conv = call(client, "conversations/getone", as_alice, id=chat.pk).json()

    assert getone["reactions"] == expected
    assert page[0]["reactions"] == expected
    assert conv["last_message"]["reactions"] == expected


def test_every_rendering_orders_reactions_as_reactions_get(
    client, as_alice, alice, bob, workspace, chat, message
):
    """By reaction time, ties by user then row: the pages sort what their UNION read."""
    earlier = timezone.now() - timedelta(minutes=1)
    Reaction.objects.create(message=message, user=bob, reaction="🎉", created_at=earlier)
    Reaction.objects.create(message=message, user=alice, reaction=THUMBS)
    Reaction.objects.create(message=message, user=bob, reaction=THUMBS, created_at=earlier)
    expected = call(client, "reactions/get", as_alice, message_id=message.pk).json()
    assert expected == {"🎉": [bob.pk], THUMBS: [bob.pk, alice.pk]}
    assert list(expected) == ["🎉", THUMBS]

    page = call(client, "conversation_messages/get", as_alice, conversation_id=chat.pk).json()
    convs = call(client, "conversations/get", as_alice, workspace_id=workspace.pk).json()
    getone = call(client, "conversations/getone", as_alice, id=chat.pk).json()

    for rendered in (page[0], convs[0]["last_message"], getone["last_message"]):
        assert list(rendered["reactions"].items()) == list(expected.items())


def test_a_new_message_renders_empty_reactions(client, as_alice, chat):
    response = call(
        client, "conversation_messages/add", as_alice, conversation_id=chat.pk, content="x"
    )

    assert response.json()["reactions"] == {}


@pytest.mark.parametrize("size", [2, 8])
def test_a_page_with_reactions_takes_a_fixed_number_of_queries(
    client, as_alice, alice, bob, chat, django_assert_max_num_queries, size
):
    for n in range(size):
        message = post(chat, bob, f"m{n}")
        Reaction.objects.create(message=message, user=alice, reaction=THUMBS)
        Reaction.objects.create(message=message, user=bob, reaction="🎉")

    # token lookup, messages (the access check in their query), their mentions and
    # reactions (one UNION ALL)
    with django_assert_max_num_queries(3):
        response = call(client, "conversation_messages/get", as_alice, conversation_id=chat.pk)

    assert len(response.json()) == size
    assert all(m["reactions"] == {THUMBS: [alice.pk], "🎉": [bob.pk]} for m in response.json())


def test_create_token_knows_the_extras_scopes(alice):
    from io import StringIO

    from django.core.management import call_command
    from oauth2_provider.models import AccessToken

    scopes = ["reactions:read", "reactions:write", "reactions:remove", "search:read"]
    call_command(
        "create_token", "alice", "--scopes", *scopes, "attachments:write", stdout=StringIO()
    )

    assert AccessToken.objects.get(user=alice).scope.split() == [*scopes, "attachments:write"]
