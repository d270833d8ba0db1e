import pytest

from campaigns import selectors
from conversations import exceptions
from conversations.policy import Role
from tests.factories import CampaignFactory, CampaignMemberFactory, UserFactory

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
