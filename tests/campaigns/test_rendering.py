"""The hot reads' plain rendering (campaigns/api/rendering.py) is the output serializers' exactly.

The serializers still render the writes and the events: both renderings of
the same rows must give the same dicts, key order and types included.
"""

import json

import pytest
from rest_framework.test import APIRequestFactory

from campaigns.api import rendering
from campaigns.api.serializers import ConversationOutput, MessageOutput, ParticipantOutput
from conversations import selectors
from conversations.policy import Role
from tests.campaigns.conftest import add_message
from tests.factories import CharacterFactory, ParticipantFactory, TagFactory

pytestmark = pytest.mark.django_db

FORMATS = ["seed", "iso"]


def same(left: dict, right: dict) -> None:
    """Equal with keys in the same order and values of the same types (as JSON shows them)."""
    assert list(left) == list(right)
    assert json.dumps(left) == json.dumps(right)
    assert [type(v) for v in left.values()] == [type(v) for v in right.values()]


@pytest.fixture
def request_():
    return APIRequestFactory().get("/api/1.0/campaigns")


@pytest.fixture
def rich(campaign, conversation):
    """Image, entry, type, a public and a private tag, two participants, a character's."""
    entity = conversation.entity
    entity.image = "entities/a.png"
    entity.entry = "<p>Entry</p>"
    entity.type = "Quest"
    entity.save()
    private = TagFactory(campaign=campaign, entity__is_private=True)
    entity.tags.add(TagFactory(campaign=campaign), private, TagFactory(campaign=campaign))
    ParticipantFactory(
        conversation=conversation, user=None, character=CharacterFactory(campaign=campaign)
    )
    ParticipantFactory(conversation=conversation, user=conversation.created_by)
    return conversation


@pytest.mark.parametrize("datetime_format", FORMATS)
@pytest.mark.parametrize("role", [Role.ADMIN, Role.PLAYER])
@pytest.mark.parametrize("kind", ["rich", "bare"])
def test_a_conversation_renders_as_its_serializer(
    settings, request_, campaign, conversation, rich, role, kind, datetime_format
):
    settings.CAMPAIGN_API_DATETIME_FORMAT = datetime_format
    if kind == "bare":
        conversation.entity.tags.clear()
        conversation.participants.all().delete()
        conversation.entity.image = conversation.entity.entry = conversation.entity.type = ""
        conversation.entity.save()
    found = {"campaign": campaign, "role": role, "conversation_id": conversation.pk}
    instance = selectors.conversation_in_campaign(**found)
    row = selectors.campaign_conversation_row(**found)
    page = selectors.campaign_conversation_rows(
        selectors.campaign_conversations_of_role(campaign=campaign, role=role), role=role
    ).get(pk=conversation.pk)

    expected = ConversationOutput(instance, context={"request": request_}).data
    same(rendering.conversation_data(row, request_), expected)
    same(rendering.conversation_data(page, request_), expected)
    # The private tag only for admins.
    assert len(expected["tags"]) == {"rich": 3 if role == Role.ADMIN else 2, "bare": 0}[kind]


@pytest.mark.parametrize("datetime_format", FORMATS)
def test_a_message_renders_as_its_serializer(settings, conversation, admin, datetime_format):
    settings.CAMPAIGN_API_DATETIME_FORMAT = datetime_format
    message = add_message(conversation, admin, "héllo")

    row = selectors.campaign_message_rows(conversation=conversation).get(pk=message.pk)

    same(rendering.message_data(row), MessageOutput(message).data)


def test_a_participant_renders_as_its_serializer(campaign, conversation, admin):
    for participant in [
        ParticipantFactory(conversation=conversation, user=admin),
        ParticipantFactory(
            conversation=conversation, character=CharacterFactory(campaign=campaign)
        ),
    ]:
        row = selectors.campaign_participant_rows(conversation=conversation).get(pk=participant.pk)
        same(rendering.participant_data(row), ParticipantOutput(participant).data)
