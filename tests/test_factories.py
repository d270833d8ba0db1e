"""The factories keep tenancy and counters as the domain would."""

import pytest

from campaigns.models import CampaignMember
from conversations.models import Conversation
from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
    CharacterFactory,
    MessageFactory,
    ParticipantFactory,
    WorkspaceConversationFactory,
)
from workspaces.models import WorkspaceMember

pytestmark = pytest.mark.django_db


def test_a_participant_user_is_made_a_member_of_the_scope():
    in_workspace = ParticipantFactory()
    in_campaign = ParticipantFactory(conversation=CampaignConversationFactory())

    assert WorkspaceMember.objects.filter(
        workspace=in_workspace.conversation.workspace, user=in_workspace.user
    ).exists()
    assert (
        CampaignMember.objects.get(
            campaign=in_campaign.conversation.campaign, user=in_campaign.user
        ).role
        == CampaignMember.Role.PLAYER
    )


def test_an_existing_membership_is_kept_as_it_is():
    admin = CampaignMemberFactory(role=CampaignMember.Role.ADMIN)
    conversation = CampaignConversationFactory(campaign=admin.campaign)

    ParticipantFactory(conversation=conversation, user=admin.user)

    assert list(CampaignMember.objects.values_list("user", "role")) == [
        (admin.user_id, CampaignMember.Role.ADMIN)
    ]


def test_a_character_participant_is_in_its_own_campaign():
    character = CharacterFactory()

    participant = ParticipantFactory(character=character)

    assert participant.user is None
    assert participant.conversation.campaign == character.campaign
    with pytest.raises(ValueError, match="own campaign"):
        ParticipantFactory(character=character, conversation=CampaignConversationFactory())


def test_messages_are_numbered_per_conversation_and_counted():
    first, other = WorkspaceConversationFactory(), WorkspaceConversationFactory()

    messages = [MessageFactory(conversation=first) for _ in range(3)]
    elsewhere = MessageFactory(conversation=other)

    assert [m.obj_index for m in messages] == [0, 1, 2]
    assert elsewhere.obj_index == 0
    assert (first.message_count, first.last_obj_index, first.last_message) == (3, 2, messages[2])
    stored = Conversation.objects.get(pk=first.pk)
    assert (stored.message_count, stored.last_obj_index, stored.last_message_id) == (
        3,
        2,
        messages[2].pk,
    )
    assert first.participants.filter(user=messages[0].created_by).exists()
