import pytest

from campaigns import services
from conversations.policy import Role
from tests.factories import CampaignMemberFactory

pytestmark = pytest.mark.django_db


def test_the_entity_mirrors_the_conversation_name_and_privacy():
    admin = CampaignMemberFactory(role="admin")
    conversation = services.campaign_conversation_create(
        actor=admin.user, role=Role.ADMIN, campaign=admin.campaign, name="Secret", is_private=True
    )
    entity = conversation.entity
    entity.refresh_from_db()
    assert (entity.name, entity.is_private) == ("Secret", True)

    services.campaign_conversation_update(
        actor=admin.user, role=Role.ADMIN, conversation=conversation, name="Open", is_private=False
    )

    entity.refresh_from_db()
    conversation.refresh_from_db()
    assert (entity.name, entity.is_private) == ("Open", False)
    assert (conversation.title, conversation.is_private) == ("Open", False)
