"""The workspace API's rate limit: per token and user, in the shared cache, Twist's 429 body."""

import pytest
from django.core.cache import cache

from tests.dbstate import database_snapshot
from tests.workspaces.twist import assert_error, call, conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings, one_rate_window):
    settings.WORKSPACE_API_RATE_LIMIT = 3
    return 3


def use_up(client, headers, limit):
    for _ in range(limit):
        assert call(client, "users/get_session_user", headers).status_code == 200


def test_past_the_limit_a_call_is_429_code_429_with_retry_after(client, as_alice, workspace, limit):
    use_up(client, as_alice, limit)

    throttled = call(client, "conversations/get", as_alice, workspace_id=workspace.pk)

    assert_error(throttled, 429, 429, "Too many requests")
    assert 1 <= int(throttled["Retry-After"]) <= 60


def test_a_throttled_write_changes_nothing(client, as_alice, workspace, alice, bob, limit):
    conv = conversation(workspace, alice, bob)
    use_up(client, as_alice, limit)
    before = database_snapshot()

    response = call(client, "conversation_messages/add", as_alice, conversation_id=conv.pk,
                    content="one too many")  # fmt: skip

    assert_error(response, 429, 429, "Too many requests")
    assert database_snapshot() == before


def test_each_token_of_a_user_has_its_own_budget(client, bearer, as_alice, alice, limit):
    use_up(client, as_alice, limit)

    other_integration = bearer(alice)

    assert call(client, "users/get_session_user", as_alice).status_code == 429
    assert call(client, "users/get_session_user", other_integration).status_code == 200


def test_the_limit_is_per_user(client, bearer, as_alice, bob, limit):
    use_up(client, as_alice, limit)

    assert call(client, "users/get_session_user", bearer(bob)).status_code == 200


def test_a_call_without_a_valid_token_is_not_counted(client, as_alice, limit):
    for _ in range(limit + 2):
        assert call(client, "users/get_session_user").status_code == 401
        bad = call(client, "users/get_session_user", {"HTTP_AUTHORIZATION": "Bearer nope"})
        assert bad.status_code == 403

    assert call(client, "users/get_session_user", as_alice).status_code == 200


def test_the_campaign_api_counts_apart(client, as_alice, settings, limit):
    settings.CAMPAIGN_API_RATE_LIMIT = 1
    for _ in range(2):
        client.get("/api/1.0/profile", **as_alice)

    assert call(client, "users/get_session_user", as_alice).status_code == 200


def test_counters_live_in_the_django_cache(client, as_alice, limit):
    """Every server process shares the cache (Redis), so they share the count."""
    use_up(client, as_alice, limit)

    cache.clear()

    assert call(client, "users/get_session_user", as_alice).status_code == 200
