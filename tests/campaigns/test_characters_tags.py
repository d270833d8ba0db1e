"""Characters and tags under a campaign, shaped like conversations, for clients to reference."""

from datetime import UTC, datetime

import pytest

from campaigns.models import Character, Tag
from conversations.models import Conversation, Participant
from tests.campaigns.conftest import assert_head_matches_get
from tests.factories import (
    CampaignConversationFactory,
    CharacterFactory,
    ParticipantFactory,
    TagFactory,
)

ENTITY_KEYS = [
    "id", "name", "entry", "image", "image_full", "image_thumb", "is_private", "entity_id",
    "tags", "created_at", "created_by", "updated_at", "updated_by", "type",
]  # fmt: skip


def test_character_object_has_entity_keys_then_its_own(api, campaign, admin):
    tag = TagFactory(campaign=campaign)
    character = CharacterFactory(
        campaign=campaign,
        title="Innkeeper",
        pronouns="he/him",
        entity__created_by=admin,
        entity__type="NPC",
    )
    character.entity.tags.add(tag)

    data = api("get", f"campaigns/{campaign.pk}/characters/{character.pk}", admin).json()["data"]

    assert list(data) == [*ENTITY_KEYS, "title", "age", "sex", "pronouns", "is_dead"]
    assert data["id"] == character.pk
    assert data["entity_id"] == character.entity_id
    assert (data["name"], data["type"], data["tags"]) == (character.entity.name, "NPC", [tag.pk])
    assert (data["title"], data["age"], data["pronouns"], data["is_dead"]) == (
        "Innkeeper",
        None,
        "he/him",
        False,
    )
    assert data["created_by"] == admin.pk


def test_tag_object_has_colour_and_parent(api, campaign, admin):
    parent = TagFactory(campaign=campaign)
    child = TagFactory(campaign=campaign, parent=parent, colour="red")

    data = api("get", f"campaigns/{campaign.pk}/tags/{child.pk}", admin).json()["data"]

    assert list(data) == [*ENTITY_KEYS, "colour", "tag_id"]
    assert (data["colour"], data["tag_id"]) == ("red", parent.pk)


def test_character_crud(api, campaign, player):
    base = f"campaigns/{campaign.pk}/characters"

    created = api(
        "post", base, player, {"name": "Aria", "title": "Ranger", "entry": "<b>x</b><script>"}
    )
    pk = created.json()["data"]["id"]
    stored = api("get", f"{base}/{pk}", player).json()
    updated = api("put", f"{base}/{pk}", player, {"is_dead": True})
    stored_update = api("get", f"{base}/{pk}", player).json()
    deleted = api("delete", f"{base}/{pk}", player)

    assert created.status_code == 200
    assert created.json()["data"]["entry"] == "<b>x</b>"
    assert stored == created.json()
    assert updated.json()["data"]["is_dead"] is True
    assert updated.json()["data"]["title"] == "Ranger"
    assert stored_update == updated.json()
    assert deleted.json() == {"data": {"id": pk, "deleted": True}}
    assert api("get", f"{base}/{pk}", player).status_code == 404
    assert api("get", base, player).json()["data"] == []
    assert not Character.objects.exists()


def test_tag_crud_with_parent(api, campaign, admin):
    base = f"campaigns/{campaign.pk}/tags"
    parent = TagFactory(campaign=campaign)

    created = api("post", base, admin, {"name": "Quest", "colour": "red", "tag_id": parent.pk})
    pk = created.json()["data"]["id"]
    stored = api("get", f"{base}/{pk}", admin).json()
    updated = api("patch", f"{base}/{pk}", admin, {"colour": "blue", "tag_id": None})
    stored_update = api("get", f"{base}/{pk}", admin).json()
    deleted = api("delete", f"{base}/{pk}", admin)

    assert created.json()["data"]["tag_id"] == parent.pk
    assert stored == created.json()
    assert (updated.json()["data"]["colour"], updated.json()["data"]["tag_id"]) == ("blue", None)
    assert stored_update == updated.json()
    assert deleted.status_code == 200
    assert api("get", f"{base}/{pk}", admin).status_code == 404
    assert [t["id"] for t in api("get", base, admin).json()["data"]] == [parent.pk]
    assert list(Tag.objects.all()) == [parent]


def test_a_tag_cannot_be_its_own_ancestor(api, campaign, admin):
    parent = TagFactory(campaign=campaign)
    child = TagFactory(campaign=campaign, parent=parent)

    response = api(
        "patch", f"campaigns/{campaign.pk}/tags/{parent.pk}", admin, {"tag_id": child.pk}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"tag_id": ["The selected tag id is invalid."]}
    parent.refresh_from_db()
    assert parent.parent is None


def test_create_character_without_name_is_422(api, campaign, admin):
    response = api("post", f"campaigns/{campaign.pk}/characters", admin, {"title": "x" * 200})

    assert response.json() == {
        "code": 422,
        "error": "The name field is required. (and 1 more error)",
        "fields": {
            "name": ["The name field is required."],
            "title": ["The title may not be greater than 191 characters."],
        },
    }


@pytest.mark.parametrize("resource", ["characters", "tags"])
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_entity_of_another_campaign_is_404_and_unchanged(api, campaign, admin, resource, method):
    factory = CharacterFactory if resource == "characters" else TagFactory
    foreign = factory(entity__name="Theirs")

    response = api(method, f"campaigns/{campaign.pk}/{resource}/{foreign.pk}", admin, {"name": "M"})

    assert response.status_code == 404
    model = "Character" if resource == "characters" else "Tag"
    assert response.json() == {
        "code": 404,
        "error": f"No query results for model [App\\Models\\{model}] {foreign.pk}",
    }
    foreign.entity.refresh_from_db()
    assert foreign.entity.name == "Theirs"


@pytest.mark.parametrize("resource", ["characters", "tags"])
def test_list_query_count_is_the_same_for_2_and_30(
    api, campaign, admin, resource, django_assert_max_num_queries
):
    factory = CharacterFactory if resource == "characters" else TagFactory
    api.auth(admin)
    tag = TagFactory(campaign=campaign)
    for entity_owner in factory.create_batch(2, campaign=campaign):
        entity_owner.entity.tags.add(tag)
    path = f"campaigns/{campaign.pk}/{resource}?per_page=100"
    # Token, campaign and role, the page with its total, the tags.
    with django_assert_max_num_queries(4) as small:
        api("get", path, admin)
    for entity_owner in factory.create_batch(28, campaign=campaign):
        entity_owner.entity.tags.add(tag)
    with django_assert_max_num_queries(4) as large:
        assert len(api("get", path, admin).json()["data"]) >= 30
    assert len(small.captured_queries) == len(large.captured_queries)


def test_deleting_a_character_bumps_its_conversations(api, campaign, admin):
    character = CharacterFactory(campaign=campaign, entity__created_by=admin)
    conversation = CampaignConversationFactory(
        campaign=campaign, updated_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    ParticipantFactory(conversation=conversation, user=None, character=character)

    api("delete", f"campaigns/{campaign.pk}/characters/{character.pk}", admin)

    conversation.refresh_from_db()
    assert conversation.updated_at.year > 2020
    assert not Participant.objects.exists()
    assert Conversation.objects.filter(pk=conversation.pk).exists()


def test_head_on_characters_and_tags(api, campaign, admin):
    character = CharacterFactory(campaign=campaign)
    tag = TagFactory(campaign=campaign)

    for path in ("characters", f"characters/{character.pk}", "tags", f"tags/{tag.pk}"):
        assert_head_matches_get(api, f"campaigns/{campaign.pk}/{path}", admin)
