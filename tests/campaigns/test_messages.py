"""`…/conversations/{conversation}/conversation_messages`."""

from datetime import UTC, datetime
from functools import partial

import pytest

from campaigns.api.pagination import MessagePagination
from conversations.models import Message
from tests.campaigns.conftest import add_message, assert_head_matches_get, nested_url
from tests.dbstate import database_snapshot
from tests.factories import CampaignConversationFactory, CharacterFactory, UserFactory

# The seed's keys in the seed's order, then `id` and the timestamps (decision table).
MESSAGE_KEYS = [
    "conversation_id", "created_by", "character_id", "user_id", "message", "id", "created_at",
    "updated_at",
]  # fmt: skip


url = partial(nested_url, "conversation_messages")


def test_list_has_the_seed_keys_then_id_and_timestamps(api, admin, player, conversation):
    character = CharacterFactory(campaign=conversation.campaign)
    first = add_message(conversation, admin, "Hey! I'm thirsty.", author_character_id=character.pk)
    second = add_message(conversation, player, "Wadayawant?")
    moment = datetime(2018, 8, 22, 12, 35, 21, tzinfo=UTC)
    Message.objects.update(created_at=moment, updated_at=moment)
    stamp = {"date": "2018-08-22 12:35:21.000000", "timezone_type": 3, "timezone": "UTC"}

    body = api("get", url(conversation), player).json()

    assert body["data"] == [
        {
            "id": first.pk,
            "conversation_id": conversation.pk,
            "created_by": admin.pk,
            "character_id": character.pk,
            "user_id": None,
            "message": "Hey! I'm thirsty.",
            "created_at": stamp,
            "updated_at": stamp,
        },
        {
            "id": second.pk,
            "conversation_id": conversation.pk,
            "created_by": player.pk,
            "character_id": None,
            "user_id": None,
            "message": "Wadayawant?",
            "created_at": stamp,
            "updated_at": stamp,
        },
    ]
    assert [list(item) for item in body["data"]] == [MESSAGE_KEYS, MESSAGE_KEYS]
    assert body["meta"]["per_page"] == 15


@pytest.mark.parametrize("query", ["", "&lastSync=2020-01-01T00:00:00Z"], ids=["all", "lastSync"])
def test_list_query_count_is_the_same_for_2_and_30(
    api, admin, conversation, query, django_assert_max_num_queries
):
    api.auth(admin)
    for n in range(2):
        add_message(conversation, admin, f"m{n}")
    # Token, the conversation with its campaign and the role, the page (its total is
    # the conversation's message_count, or with lastSync a COUNT riding along).
    with django_assert_max_num_queries(3) as small:
        body = api("get", url(conversation) + f"?per_page=15{query}", admin).json()
    assert (len(body["data"]), body["meta"]["total"]) == (2, 2)
    for n in range(28):
        add_message(conversation, admin, f"m{n}")
    with django_assert_max_num_queries(3) as large:
        body = api("get", url(conversation) + f"?per_page=30{query}", admin).json()
    assert (len(body["data"]), body["meta"]["total"]) == (30, 30)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_last_sync_filters_messages(api, admin, conversation):
    old = add_message(conversation, admin, "old")
    new = add_message(conversation, admin, "new")
    Message.objects.filter(pk=old.pk).update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))

    body = api("get", url(conversation) + "?lastSync=2021-01-01T00:00:00Z", admin).json()

    assert [m["id"] for m in body["data"]] == [new.pk]


def test_create_sets_the_poster_and_bumps_the_conversation(api, player, conversation):
    before = conversation.updated_at

    response = api(
        "post",
        url(conversation),
        player,
        {"message": "cookies", "user_id": player.pk, "conversation_id": 999},
    )

    assert response.status_code == 200
    message = Message.objects.get()
    assert response.json()["data"]["id"] == message.pk
    assert list(response.json()["data"]) == MESSAGE_KEYS
    assert (message.conversation, message.created_by_id, message.author_user_id) == (
        conversation,
        player.pk,
        player.pk,
    )
    conversation.refresh_from_db()
    assert conversation.message_count == 1
    assert conversation.updated_at > before
    assert api("get", url(conversation, message.pk), player).json() == response.json()


def test_create_without_message_is_422(api, admin, conversation):
    api.auth(admin)
    before = database_snapshot()

    response = api("post", url(conversation), admin, {"character_id": None})

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "error": "The message field is required.",
        "fields": {"message": ["The message field is required."]},
    }
    assert database_snapshot() == before


def test_create_with_an_author_outside_the_campaign_is_422(api, admin, conversation):
    stranger = UserFactory()
    api.auth(admin)
    before = database_snapshot()

    response = api("post", url(conversation), admin, {"message": "x", "user_id": stranger.pk})

    assert response.status_code == 422
    assert response.json()["fields"] == {"user_id": ["The selected user id is invalid."]}
    assert database_snapshot() == before


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_is_partial_and_bumps_updated_at(api, admin, player, conversation, method):
    character = CharacterFactory(campaign=conversation.campaign)
    message = add_message(
        conversation, admin, "draft", author_user_id=player.pk, author_character_id=character.pk
    )

    response = api(method, url(conversation, message.pk), admin, {"message": "final"})

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["message"], data["user_id"], data["character_id"]) == (
        "final",
        player.pk,
        character.pk,
    )
    message.refresh_from_db()
    assert (message.content, message.author_user_id, message.author_character_id) == (
        "final",
        player.pk,
        character.pk,
    )
    assert message.updated_at > message.created_at
    assert api("get", url(conversation, message.pk), admin).json() == response.json()


def test_delete_is_for_real(api, admin, conversation):
    message = add_message(conversation, admin)

    response = api("delete", url(conversation, message.pk), admin)

    assert response.json() == {"data": {"id": message.pk, "deleted": True}}
    assert not Message.objects.exists()
    conversation.refresh_from_db()
    assert conversation.message_count == 0
    assert api("get", url(conversation, message.pk), admin).status_code == 404
    assert api("get", url(conversation), admin).json()["data"] == []


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_message_of_another_conversation_is_404_and_unchanged(api, admin, conversation, method):
    elsewhere = CampaignConversationFactory(campaign=conversation.campaign)
    message = add_message(elsewhere, admin, "theirs")
    api.auth(admin)
    before = database_snapshot()

    response = api(method, url(conversation, message.pk), admin, {"message": "mine"})

    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "error": f"No query results for model [App\\Models\\ConversationMessage] {message.pk}",
    }
    assert database_snapshot() == before


def test_show_and_head(api, admin, conversation):
    message = add_message(conversation, admin, "hi")

    shown = api("get", url(conversation, message.pk), admin).json()["data"]
    assert shown["message"] == "hi"
    assert list(shown) == MESSAGE_KEYS
    assert_head_matches_get(api, url(conversation, message.pk), admin)
    assert_head_matches_get(api, url(conversation), admin)


@pytest.mark.parametrize("method", ["post", "put"])
def test_message_over_the_length_cap_is_422_and_nothing_changes(
    api, settings, admin, conversation, method
):
    message = add_message(conversation, admin, "short")
    path = url(conversation) if method == "post" else url(conversation, message.pk)
    api.auth(admin)  # the token exists before the snapshot
    before = database_snapshot()

    response = api(method, path, admin, {"message": "x" * (settings.MESSAGE_MAX_LENGTH + 1)})

    assert response.status_code == 422
    error = f"The message may not be greater than {settings.MESSAGE_MAX_LENGTH} characters."
    assert response.json() == {"code": 422, "error": error, "fields": {"message": [error]}}
    assert database_snapshot() == before


def test_message_at_the_length_cap_is_stored(api, settings, admin, conversation):
    content = "é" * settings.MESSAGE_MAX_LENGTH  # characters, not bytes

    response = api("post", url(conversation), admin, {"message": content})

    assert response.status_code == 200
    assert Message.objects.get(pk=response.json()["data"]["id"]).content == content


@pytest.mark.parametrize("query", ["", "&lastSync=2000-01-01"], ids=["all", "lastSync"])
@pytest.mark.parametrize("deferred_join_from", [0, MessagePagination.deferred_join_from])
def test_every_page_holds_its_messages_in_posting_order(
    api, admin, conversation, monkeypatch, deferred_join_from, query
):
    """Pages near the end are read from the end (pagination.py), by a plain query or by the
    deferred join of deep pages, filtered or not: same rows as from the start."""
    monkeypatch.setattr(MessagePagination, "deferred_join_from", deferred_join_from)
    posted = [add_message(conversation, admin, f"m{n}").pk for n in range(7)]

    def page(n):
        body = api("get", url(conversation) + f"?per_page=2&page={n}{query}", admin).json()
        return [m["id"] for m in body["data"]]

    assert [page(n) for n in range(1, 6)] == [
        posted[0:2],
        posted[2:4],
        posted[4:6],
        posted[6:7],
        [],
    ]


def test_meta_links_show_laravels_window_of_pages(api, admin, conversation):
    """The first and last two pages, three either side of the current one, "..." for each gap."""
    for n in range(20):
        add_message(conversation, admin, f"m{n}")

    links = api("get", url(conversation) + "?per_page=1&page=10", admin).json()["meta"]["links"]

    numbers = ["7", "8", "9", "10", "11", "12", "13"]
    labels = ["&laquo; Previous", "1", "2", "...", *numbers, "...", "19", "20", "Next &raquo;"]
    assert [link["label"] for link in links] == labels
    assert [link["label"] for link in links if link["active"]] == ["10"]
    assert [link["url"] for link in links if link["label"] == "..."] == [None, None]
    assert links[0]["url"].endswith("?per_page=1&page=9")
    assert links[5]["url"].endswith("?per_page=1&page=8")


def test_posting_access_answers_what_the_access_check_answers(campaign, admin, player, stranger):
    """The posting check's written SQL states `access_campaign_conversation`'s rule again."""
    from django.db import transaction
    from django.utils import timezone

    from campaigns.selectors import (
        access_campaign_conversation,
        access_campaign_conversation_to_post,
    )
    from conversations import exceptions
    from tests.factories import CampaignFactory, CampaignMemberFactory

    public = CampaignFactory(is_public=True)
    public_player = CampaignMemberFactory(campaign=public).user
    mine = CampaignConversationFactory(campaign=campaign)
    private = CampaignConversationFactory(campaign=campaign, is_private=True)
    deleted = CampaignConversationFactory(campaign=campaign, deleted_at=timezone.now())
    open_ = CampaignConversationFactory(campaign=public)
    hidden = CampaignConversationFactory(campaign=public, is_private=True)

    def answer(access, user, campaign_id, conversation_id):
        try:
            found, role = access(
                user=user, campaign_id=campaign_id, conversation_id=conversation_id
            )
        except exceptions.NotFound as error:
            return type(error)
        return found.pk, role

    scopes = ((campaign, (mine, private, deleted, open_)), (public, (open_, hidden)))
    cases = [
        (user, c.pk, conversation)
        for user in (admin, player, stranger, public_player)
        for c, conversations in scopes
        for conversation in (*(x.pk for x in conversations), "x", 10**9)
    ] + [(admin, "x", mine.pk), (admin, 10**9, mine.pk)]
    answers = set()
    with transaction.atomic():
        for user, campaign_id, conversation_id in cases:
            case = (user, campaign_id, conversation_id)
            expected = answer(access_campaign_conversation, *case)
            assert answer(access_campaign_conversation_to_post, *case) == expected, case
            answers.add(expected if isinstance(expected, type) else expected[1])
    # Every outcome came up: each role, and both kinds of NotFound.
    assert answers == {
        "admin", "player", "visitor", exceptions.CampaignNotFound, exceptions.ConversationNotFound,
    }  # fmt: skip
