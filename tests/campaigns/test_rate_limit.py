"""Per-user rate limit: a fixed minute in Django's cache, headers on every authenticated answer."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory


@pytest.fixture
def limit(settings, one_rate_window):
    settings.CAMPAIGN_API_RATE_LIMIT = 3
    settings.CAMPAIGN_API_SUBSCRIBER_RATE_LIMIT = 5
    return 3


def test_headers_count_down_and_the_next_request_is_429(api, campaign, admin, limit):
    path = f"campaigns/{campaign.pk}/conversations"
    remaining = [api("get", path, admin)["X-RateLimit-Remaining"] for _ in range(limit)]

    throttled = api("get", path, admin)

    assert remaining == ["2", "1", "0"]
    assert throttled.status_code == 429
    assert throttled.json() == ["Your account limit of 3 requests per minute has been reached."]
    assert throttled["X-RateLimit-Limit"] == "3"
    assert throttled["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(throttled["Retry-After"]) <= 60


def test_errors_after_authentication_carry_the_headers_and_count(api, campaign, admin, limit):
    not_found = api("get", f"campaigns/{campaign.pk}/conversations/999", admin)
    invalid = api("post", f"campaigns/{campaign.pk}/conversations", admin, {})
    wrong_method = api("delete", f"campaigns/{campaign.pk}/conversations", admin)

    assert [r.status_code for r in (not_found, invalid, wrong_method)] == [404, 422, 405]
    assert [r["X-RateLimit-Remaining"] for r in (not_found, invalid, wrong_method)] == [
        "2",
        "1",
        "0",
    ]


def test_a_401_is_not_counted(client, api, campaign, admin, limit):
    for _ in range(5):
        assert client.get(f"/api/1.0/campaigns/{campaign.pk}/conversations").status_code == 401

    response = api("get", "profile", admin)

    assert response["X-RateLimit-Remaining"] == "2"


def test_the_limit_is_per_user(api, campaign, admin, player, limit):
    for _ in range(limit):
        api("get", "profile", admin)

    assert api("get", "profile", admin).status_code == 429
    assert api("get", "profile", player).status_code == 200


def test_subscribers_get_the_higher_limit(db, api, limit):
    subscriber = UserFactory(is_subscriber=True)

    responses = [api("get", "profile", subscriber) for _ in range(6)]

    assert [r.status_code for r in responses] == [200] * 5 + [429]
    assert responses[0]["X-RateLimit-Limit"] == "5"
    assert responses[-1].json() == ["Your account limit of 5 requests per minute has been reached."]


def test_counters_live_in_the_django_cache(api, admin, limit):
    """Several processes share the cache (Redis), so they share the count."""
    api("get", "profile", admin)
    api("get", "profile", admin)

    cache.clear()

    assert api("get", "profile", admin)["X-RateLimit-Remaining"] == "2"
