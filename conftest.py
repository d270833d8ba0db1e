import os
import time
from types import SimpleNamespace

import pytest

from accounts.tokens import access_token_lookup, personal_token_create, token_record_use


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (concurrency) skip on SQLite, with the reason said."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def bearer():
    """Headers for a user's fresh personal access token: `client.get(url, **bearer(user))`.

    The token's last use is noted right away, so the test's own requests make
    no bookkeeping write (at most one a minute; tests/accounts/test_token_use.py).
    """

    def make(user, scopes=None):
        kwargs = {"user": user}
        if scopes is not None:
            kwargs["scopes"] = tuple(scopes)
        raw = personal_token_create(**kwargs)
        token_record_use(access_token_lookup(raw))
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def one_rate_window(monkeypatch):
    """The rate limiter's clock stands still mid-minute, so a test's requests share one window.

    On the real clock a test that crosses a minute boundary starts a fresh count.
    """
    from config import throttling

    now = (time.time() // throttling.WINDOW_SECONDS + 0.5) * throttling.WINDOW_SECONDS
    monkeypatch.setattr(throttling, "time", SimpleNamespace(time=lambda: now))
