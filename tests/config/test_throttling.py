"""The shared rate limiter: Redis down, browser sessions apart, the per-process cache warning."""

import logging

import pytest
from django.core.checks import run_checks

from config import throttling
from tests.factories import UserFactory, WorkspaceMemberFactory
from tests.workspaces.twist import call

pytestmark = pytest.mark.django_db

# In this worktree's port range, and nothing listens there: connections are refused.
CLOSED_PORT = 18399


@pytest.fixture
def user():
    return WorkspaceMemberFactory(user=UserFactory(username="operator", is_staff=True)).user


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield
    throttling.CacheOutage.retry_at = 0.0


def test_with_redis_down_both_apis_answer_uncounted(client, bearer, user, redis_down, caplog):
    headers = bearer(user)

    with caplog.at_level(logging.WARNING, logger="config.throttling"):
        kanka = [client.get("/api/1.0/profile", **headers) for _ in range(3)]
        twist = [call(client, "users/get_session_user", headers) for _ in range(3)]

    assert [r.status_code for r in kanka + twist] == [200] * 6
    assert not any("X-RateLimit-Limit" in r for r in kanka)
    outage_logs = [r for r in caplog.records if r.name == "config.throttling"]
    assert len(outage_logs) == 1
    assert "Rate limits are off: the cache does not answer (ConnectionError" in (
        outage_logs[0].getMessage()
    )


def test_with_redis_down_the_cache_is_tried_again_after_the_interval(
    client, bearer, user, redis_down, caplog, monkeypatch
):
    headers = bearer(user)
    client.get("/api/1.0/profile", **headers)
    later = throttling.CacheOutage.retry_at + 1
    monkeypatch.setattr(throttling.time, "time", lambda: later)
    caplog.clear()

    with caplog.at_level(logging.WARNING, logger="config.throttling"):
        response = client.get("/api/1.0/profile", **headers)

    assert response.status_code == 200
    assert len([r for r in caplog.records if r.name == "config.throttling"]) == 1
    assert throttling.CacheOutage.retry_at == later + throttling.CACHE_RETRY_SECONDS


def browse(client, path):
    """What the browsable API sends: the session cookie and Accept: text/html."""
    return client.get(path, HTTP_ACCEPT="text/html")


def test_browsing_the_browsable_api_leaves_the_token_budget_alone(client, bearer, user, settings):
    settings.CAMPAIGN_API_RATE_LIMIT = 5
    settings.BROWSABLE_API_RATE_LIMIT = 100
    client.force_login(user)
    for _ in range(10):
        page = browse(client, "/api/1.0/profile")
        assert page.status_code == 200
        assert page["Content-Type"].startswith("text/html")

    response = client.get("/api/1.0/profile", **bearer(user), HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "4"
    assert page["X-RateLimit-Limit"] == "100"
    assert page["X-RateLimit-Remaining"] == "90"


@pytest.mark.parametrize("path", ["/api/1.0/profile", "/api/v1/users/get_session_user"])
def test_a_browser_session_has_a_limit_of_its_own(client, user, settings, path):
    settings.BROWSABLE_API_RATE_LIMIT = 2
    client.force_login(user)

    pages = [browse(client, path) for _ in range(3)]

    assert [page.status_code for page in pages] == [200, 200, 429]
    assert pages[-1]["Content-Type"].startswith("text/html")


def warnings_of(settings, *, debug, backend):
    settings.DEBUG = debug
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:6379/0"}}
    settings.SILENCED_SYSTEM_CHECKS = []
    return [message.id for message in run_checks(tags=["caches"])]


LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
REDIS = "django.core.cache.backends.redis.RedisCache"


def test_a_per_process_cache_outside_debug_is_warned_about(settings):
    assert warnings_of(settings, debug=False, backend=LOCMEM) == ["parley.W001"]
    assert warnings_of(settings, debug=False, backend="django.core.cache.backends.dummy.DummyCache")


def test_redis_or_debug_silences_the_cache_warning(settings):
    assert warnings_of(settings, debug=False, backend=REDIS) == []
    assert warnings_of(settings, debug=True, backend=LOCMEM) == []
