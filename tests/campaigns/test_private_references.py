"""Private tags and characters are invisible to non-admins, as references too.

Referencing one is the same 422 as referencing an id that does not exist
(existence never leaks), and a private tag's id never shows in `tags`.
"""

import pytest

from campaigns.models import Tag
from conversations.models import Conversation, Message, Participant
from tests.campaigns.conftest import add_message
from tests.factories import (
    CampaignConversationFactory,
    CharacterFactory,
    ParticipantFactory,
    TagFactory,
)


@pytest.fixture
def secret_tag(campaign):
    return TagFactory(campaign=campaign, entity__is_private=True)


@pytest.fixture
def secret_character(campaign):
    return CharacterFactory(campaign=campaign, entity__is_private=True)


def invalid(field):
    message = f"The selected {field.replace('_', ' ')} is invalid."
    return {"code": 422, "error": message, "fields": {field: [message]}}


def test_a_player_cannot_tag_with_a_private_tag(api, campaign, admin, player, secret_tag):
    base = f"campaigns/{campaign.pk}/conversations"

    refused = api("post", base, player, {"name": "P", "tags": [secret_tag.pk]})
    allowed = api("post", base, admin, {"name": "A", "tags": [secret_tag.pk]})

    assert refused.status_code == 422
    assert refused.json() == invalid("tags")
    assert allowed.status_code == 200
    assert list(Conversation.objects.values_list("title", flat=True)) == ["A"]


def test_a_player_cannot_nest_a_tag_under_a_private_one(api, campaign, player, secret_tag):
    response = api(
        "post", f"campaigns/{campaign.pk}/tags", player, {"name": "T", "tag_id": secret_tag.pk}
    )

    assert response.status_code == 422
    assert response.json() == invalid("tag_id")
    assert list(Tag.objects.all()) == [secret_tag]


def test_a_player_cannot_add_a_private_character_as_participant(
    api, campaign, player, conversation, secret_character
):
    path = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_participants"

    response = api("post", path, player, {"character_id": secret_character.pk})

    assert response.status_code == 422
    assert response.json() == invalid("character_id")
    assert not Participant.objects.exists()


def test_a_player_cannot_post_as_a_private_character(
    api, campaign, admin, player, conversation, secret_character
):
    path = f"campaigns/{campaign.pk}/conversations/{conversation.pk}/conversation_messages"

    refused = api("post", path, player, {"message": "x", "character_id": secret_character.pk})
    allowed = api("post", path, admin, {"message": "y", "character_id": secret_character.pk})

    assert refused.status_code == 422
    assert refused.json() == invalid("character_id")
    assert allowed.status_code == 200
    assert list(Message.objects.values_list("content", flat=True)) == ["y"]


def test_a_player_keeps_a_row_that_already_names_a_private_character(
    api, campaign, admin, player, conversation, secret_character
):
    """What an admin set stays valid: a player's edit that leaves it alone is not refused."""
    participant = ParticipantFactory(
        conversation=conversation, user=None, character=secret_character
    )
    message = add_message(conversation, player, "as the NPC")
    message.author_character = secret_character
    message.save()
    base = f"campaigns/{campaign.pk}/conversations/{conversation.pk}"

    kept = api("patch", f"{base}/conversation_participants/{participant.pk}", player, {})
    edited = api("patch", f"{base}/conversation_messages/{message.pk}", player, {"message": "e"})

    assert kept.status_code == 200
    assert edited.status_code == 200
    assert edited.json()["data"]["character_id"] == secret_character.pk


@pytest.mark.parametrize("resource", ["conversations", "characters", "tags"])
def test_private_tag_ids_are_left_out_of_tags_for_non_admins(
    api, campaign, admin, player, secret_tag, resource
):
    public_tag = TagFactory(campaign=campaign)
    if resource == "conversations":
        entity = CampaignConversationFactory(campaign=campaign).entity
    elif resource == "characters":
        entity = CharacterFactory(campaign=campaign).entity
    else:
        entity = TagFactory(campaign=campaign).entity
    entity.tags.add(public_tag, secret_tag)
    owner = getattr(
        entity,
        {"conversations": "conversation", "characters": "character", "tags": "tag"}[resource],
    )
    path = f"campaigns/{campaign.pk}/{resource}/{owner.pk}"

    assert sorted(api("get", path, admin).json()["data"]["tags"]) == sorted(
        [public_tag.pk, secret_tag.pk]
    )
    assert api("get", path, player).json()["data"]["tags"] == [public_tag.pk]


def test_a_players_tag_edit_keeps_the_private_tags_it_cannot_see(
    api, campaign, admin, player, secret_tag
):
    conversation = CampaignConversationFactory(campaign=campaign, created_by=player)
    conversation.entity.tags.add(secret_tag)
    public_tag = TagFactory(campaign=campaign)

    response = api(
        "patch",
        f"campaigns/{campaign.pk}/conversations/{conversation.pk}",
        player,
        {"tags": [public_tag.pk]},
    )

    assert response.json()["data"]["tags"] == [public_tag.pk]
    assert set(conversation.entity.tags.all()) == {public_tag, secret_tag}


def test_filtering_by_a_private_tag_finds_nothing_for_players(
    api, campaign, admin, player, secret_tag
):
    tagged = CampaignConversationFactory(campaign=campaign, title="Tagged")
    tagged.entity.tags.add(secret_tag)
    CampaignConversationFactory(campaign=campaign, title="Plain")
    path = f"campaigns/{campaign.pk}/conversations?tags={secret_tag.pk}"

    as_player = api("get", path, player)
    as_admin = api("get", path, admin)

    assert as_player.status_code == as_admin.status_code == 200
    assert [c["name"] for c in as_player.json()["data"]] == []
    assert [c["name"] for c in as_admin.json()["data"]] == ["Tagged"]
