"""`…/conversations/{conversation}/conversation_participants`."""

from functools import partial

import pytest

from conversations.models import Participant
from tests.campaigns.conftest import assert_head_matches_get, nested_url
from tests.dbstate import database_snapshot
from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
    CharacterFactory,
    ParticipantFactory,
    UserFactory,
)

# The seed's keys in the seed's order, then `id` (decision table).
PARTICIPANT_KEYS = ["conversation_id", "created_by", "character_id", "user_id", "id"]


url = partial(nested_url, "conversation_participants")


def test_list_has_the_seed_keys_then_id(api, admin, player, conversation):
    character = CharacterFactory(campaign=conversation.campaign)
    first = ParticipantFactory(conversation=conversation, user=player, created_by=admin)
    second = ParticipantFactory(conversation=conversation, user=None, character=character)

    body = api("get", url(conversation), player).json()

    assert body["data"] == [
        {
            "id": first.pk,
            "conversation_id": conversation.pk,
            "created_by": admin.pk,
            "character_id": None,
            "user_id": player.pk,
        },
        {
            "id": second.pk,
            "conversation_id": conversation.pk,
            "created_by": None,
            "character_id": character.pk,
            "user_id": None,
        },
    ]
    assert [list(item) for item in body["data"]] == [PARTICIPANT_KEYS, PARTICIPANT_KEYS]
    assert body["meta"]["per_page"] == 15
    assert list(body) == ["data", "links", "meta", "sync"]


def test_list_query_count_is_the_same_for_2_and_30(
    api, admin, conversation, django_assert_max_num_queries
):
    api.auth(admin)
    members = [CampaignMemberFactory(campaign=conversation.campaign).user for _ in range(30)]
    for user in members[:2]:
        ParticipantFactory(conversation=conversation, user=user)
    # Token, the conversation with its campaign and the role, the page with its total.
    with django_assert_max_num_queries(3) as small:
        assert len(api("get", url(conversation), admin).json()["data"]) == 2
    for user in members[2:]:
        ParticipantFactory(conversation=conversation, user=user)
    with django_assert_max_num_queries(3) as large:
        assert len(api("get", url(conversation) + "?per_page=30", admin).json()["data"]) == 30
    assert len(small.captured_queries) == len(large.captured_queries)


def test_show_and_head(api, admin, player, conversation):
    participant = ParticipantFactory(conversation=conversation, user=player)

    shown = api("get", url(conversation, participant.pk), admin)

    assert shown.json() == {
        "data": {
            "id": participant.pk,
            "conversation_id": conversation.pk,
            "created_by": None,
            "character_id": None,
            "user_id": player.pk,
        }
    }
    assert list(shown.json()["data"]) == PARTICIPANT_KEYS
    assert_head_matches_get(api, url(conversation, participant.pk), admin)
    assert_head_matches_get(api, url(conversation), admin)


def test_create_takes_the_conversation_from_the_url(api, admin, player, conversation):
    other = CampaignConversationFactory(campaign=conversation.campaign)

    response = api(
        "post", url(conversation), player, {"user_id": player.pk, "conversation_id": other.pk}
    )

    assert response.status_code == 200
    participant = Participant.objects.get()
    assert participant.conversation == conversation
    assert response.json()["data"] == {
        "id": participant.pk,
        "conversation_id": conversation.pk,
        "created_by": player.pk,
        "character_id": None,
        "user_id": player.pk,
    }
    assert list(response.json()["data"]) == PARTICIPANT_KEYS
    assert api("get", url(conversation, participant.pk), player).json() == response.json()


def test_create_a_character_participant_from_a_form(api, admin, conversation):
    character = CharacterFactory(campaign=conversation.campaign)

    response = api("post", url(conversation), admin, form={"character_id": character.pk})

    assert response.status_code == 200
    assert response.json()["data"]["character_id"] == character.pk
    stored = api("get", url(conversation, response.json()["data"]["id"]), admin)
    assert stored.json() == response.json()


def test_create_without_user_or_character_is_422(api, admin, conversation):
    api.auth(admin)
    before = database_snapshot()

    response = api("post", url(conversation), admin, {})

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "error": "The character id field is required when none of user id are present."
        " (and 1 more error)",
        "fields": {
            "character_id": [
                "The character id field is required when none of user id are present."
            ],
            "user_id": ["The user id field is required when none of character id are present."],
        },
    }
    assert database_snapshot() == before


@pytest.mark.parametrize("kind", ["user", "character"])
def test_create_with_a_reference_outside_the_campaign_is_422(api, admin, conversation, kind):
    if kind == "user":
        body, field = {"user_id": UserFactory().pk}, "user_id"
    else:
        body, field = {"character_id": CharacterFactory().pk}, "character_id"
    api.auth(admin)
    before = database_snapshot()

    response = api("post", url(conversation), admin, body)

    assert response.status_code == 422
    message = f"The selected {field.replace('_', ' ')} is invalid."
    assert response.json() == {"code": 422, "error": message, "fields": {field: [message]}}
    assert database_snapshot() == before


def test_create_a_duplicate_is_422(api, admin, player, conversation):
    ParticipantFactory(conversation=conversation, user=player)
    api.auth(admin)
    before = database_snapshot()

    response = api("post", url(conversation), admin, {"user_id": player.pk})

    assert response.status_code == 422
    assert response.json()["fields"] == {"user_id": ["Already a participant of this conversation."]}
    assert database_snapshot() == before


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_points_the_row_at_another_subject(api, admin, player, conversation, method):
    participant = ParticipantFactory(conversation=conversation, user=player)
    character = CharacterFactory(campaign=conversation.campaign)

    response = api(method, url(conversation, participant.pk), admin, {"character_id": character.pk})

    assert response.status_code == 200
    assert response.json()["data"]["character_id"] == character.pk
    assert response.json()["data"]["user_id"] is None
    assert api("get", url(conversation, participant.pk), admin).json() == response.json()


def test_delete_removes_the_row(api, admin, player, conversation):
    participant = ParticipantFactory(conversation=conversation, user=player)

    response = api("delete", url(conversation, participant.pk), admin)

    assert response.status_code == 200
    assert response.json() == {"data": {"id": participant.pk, "deleted": True}}
    assert not Participant.objects.exists()
    assert api("get", url(conversation, participant.pk), admin).status_code == 404
    assert api("get", url(conversation), admin).json()["data"] == []


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_participant_of_another_conversation_is_404_and_unchanged(api, admin, conversation, method):
    elsewhere = CampaignConversationFactory(campaign=conversation.campaign)
    participant = ParticipantFactory(conversation=elsewhere, user=admin)
    api.auth(admin)
    before = database_snapshot()

    response = api(method, url(conversation, participant.pk), admin, {"user_id": admin.pk})

    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "error": "No query results for model [App\\Models\\ConversationParticipant] "
        f"{participant.pk}",
    }
    assert database_snapshot() == before


def test_conversation_of_another_campaign_is_404(api, admin, conversation):
    foreign = CampaignConversationFactory()
    path = (
        f"campaigns/{conversation.campaign_id}/conversations/{foreign.pk}/conversation_participants"
    )
    api.auth(admin)
    before = database_snapshot()

    response = api("post", path, admin, {"user_id": admin.pk})

    assert response.status_code == 404
    assert database_snapshot() == before
