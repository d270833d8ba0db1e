"""`/profile`, `/campaigns` and `/campaigns/{id}`."""

import pytest

from campaigns.models import CampaignMember
from tests.campaigns.conftest import assert_head_matches_get
from tests.factories import CampaignFactory, CampaignMemberFactory, UserFactory


@pytest.mark.parametrize(("subscriber", "rate_limit"), [(False, 30), (True, 90)])
def test_profile_describes_the_token_owner_and_rate_limit(
    db, api, settings, subscriber, rate_limit
):
    settings.CAMPAIGN_API_RATE_LIMIT = 30
    settings.CAMPAIGN_API_SUBSCRIBER_RATE_LIMIT = 90
    user = UserFactory(display_name="Alice Archer", is_subscriber=subscriber)

    response = api("get", "profile", user)

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "id": user.pk,
            "name": "Alice Archer",
            "avatar": None,
            "avatar_thumb": None,
            "locale": "en",
            "timezone": "UTC",
            "is_patreon": subscriber,
            "is_subscriber": subscriber,
            "rate_limit": rate_limit,
        }
    }
    assert_head_matches_get(api, "profile", user)


def test_campaigns_lists_only_the_callers(api, campaign, admin):
    CampaignFactory(is_public=True)
    other = CampaignMemberFactory(user=admin, role=CampaignMember.Role.PLAYER).campaign

    body = api("get", "campaigns", admin).json()

    assert [c["id"] for c in body["data"]] == [campaign.pk, other.pk]
    assert list(body["data"][0]) == [
        "id", "name", "locale", "entry", "image", "image_full", "image_thumb", "visibility",
        "is_public", "created_at", "updated_at",
    ]  # fmt: skip
    assert list(body) == ["data", "links", "meta", "sync"]
    assert_head_matches_get(api, "campaigns", admin)
    assert_head_matches_get(api, f"campaigns/{campaign.pk}", admin)


def test_campaigns_list_query_count_is_the_same_for_2_and_30(
    db, api, django_assert_max_num_queries
):
    user = UserFactory()
    api.auth(user)
    for _ in range(2):
        CampaignMemberFactory(user=user)
    # Token, the page with its total.
    with django_assert_max_num_queries(2) as small:
        api("get", "campaigns", user)
    for _ in range(28):
        CampaignMemberFactory(user=user)
    with django_assert_max_num_queries(2) as large:
        assert len(api("get", "campaigns?per_page=30", user).json()["data"]) == 30
    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_public_campaign_is_shown_to_anyone_a_private_one_is_404(api, stranger):
    public = CampaignFactory(is_public=True)
    private = CampaignFactory()

    assert api("get", f"campaigns/{public.pk}", stranger).json()["data"]["visibility"] == "public"
    response = api("get", f"campaigns/{private.pk}", stranger)
    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "error": "No query results for model [App\\Models\\Campaign].",
    }
