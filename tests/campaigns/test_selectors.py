import pytest

from campaigns import selectors
from conversations import exceptions
from conversations.policy import Role
from tests.factories import (
    CampaignConversationFactory,
    CampaignFactory,
    CampaignMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return CampaignFactory()


def test_non_members_of_a_private_campaign_do_not_find_it(campaign):
    with pytest.raises(exceptions.CampaignNotFound):
        selectors.access_campaign(user=UserFactory(), campaign_id=campaign.pk)


@pytest.mark.parametrize("campaign_id", ["abc", "0", "-1", None, "99999999999999999999999"])
def test_malformed_ids_are_not_found(campaign, campaign_id):
    admin = CampaignMemberFactory(campaign=campaign, role="admin").user
    with pytest.raises(exceptions.CampaignNotFound):
        selectors.access_campaign(user=admin, campaign_id=campaign_id)


def test_roles_in_a_campaign(campaign):
    admin = CampaignMemberFactory(campaign=campaign, role="admin").user
    player = CampaignMemberFactory(campaign=campaign).user
    public = CampaignFactory(is_public=True)

    assert selectors.access_campaign(user=admin, campaign_id=campaign.pk)[1] == Role.ADMIN
    assert selectors.access_campaign(user=player, campaign_id=campaign.pk)[1] == Role.PLAYER
    assert selectors.access_campaign(user=UserFactory(), campaign_id=public.pk)[1] == Role.VISITOR


def test_a_conversation_to_read_carries_its_read_columns_and_defers_the_rest(
    campaign, django_assert_num_queries
):
    member = CampaignMemberFactory(campaign=campaign, role="admin").user
    conversation = CampaignConversationFactory(campaign=campaign, is_private=True, title="Plans")
    type(conversation).objects.filter(pk=conversation.pk).update(message_count=7, last_obj_index=6)
    conversation.refresh_from_db()

    with django_assert_num_queries(1):
        found, role = selectors.access_campaign_conversation(
            user=member, campaign_id=str(campaign.pk), conversation_id=conversation.pk, to_read=True
        )
        assert (found.pk, found.campaign_id, found.is_private) == (
            conversation.pk,
            campaign.pk,
            True,
        )
        assert (found.message_count, found.last_obj_index) == (7, 6)
        assert found.updated_at == conversation.updated_at
    assert role == Role.ADMIN
    assert found.title == "Plans"  # deferred: read when asked


def test_the_campaign_comes_whole_with_the_role_in_one_query(campaign, django_assert_num_queries):
    member = CampaignMemberFactory(campaign=campaign, role="player").user
    fields = [field.attname for field in type(campaign)._meta.concrete_fields]
    expected = type(campaign).objects.values_list(*fields).get()

    with django_assert_num_queries(1):
        found, role = selectors.access_campaign(user=member, campaign_id=campaign.pk)

    assert tuple(getattr(found, field) for field in fields) == expected
    assert role == Role.PLAYER
    assert not found._state.adding
