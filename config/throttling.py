"""One rate limiter for both API dialects: a fixed one-minute window counted in Django's cache.

The counters live in the cache (Redis in production), so every server
process shares them; `config/checks.py` warns when the cache is per process.
Authentication runs before throttling in DRF's `initial()`, so a 401 is never
counted. Each dialect subclasses `MinuteRateThrottle` with its own `scope`
(the counters never mix), limit and caller key.

A browser session (the browsable API: session authentication, no token)
counts in a bucket of its own, `BROWSABLE_API_RATE_LIMIT` per user and
dialect, so exploring the API never uses up the budget of the user's API
clients. It is not exempt: any active user can log in at /api-auth/login/,
and an unlimited way in would undo the limit.

When the cache does not answer (Redis down), requests are allowed, uncounted
and without rate-limit headers: the limit protects capacity, and refusing
every request because the counter is unreachable would turn a cache outage
into a full outage. The failure is logged once, and the cache is left alone
for `CACHE_RETRY_SECONDS`, so that no request waits for a connection that is
known to fail; then the next request tries again (and logs again if it is
still down), so an outage is logged once per interval.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
CACHE_RETRY_SECONDS = 30


@dataclass(frozen=True)
class RateLimit:
    limit: int
    count: int
    reset_in: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


class CacheOutage:
    """Per process: until when the limiter leaves an unreachable cache alone."""

    retry_at = 0.0

    @classmethod
    def ongoing(cls, now: float) -> bool:
        return now < cls.retry_at

    @classmethod
    def begin(cls, now: float, error: Exception) -> None:
        cls.retry_at = now + CACHE_RETRY_SECONDS
        logger.warning(
            "Rate limits are off: the cache does not answer (%s: %s). Requests are allowed "
            "uncounted; the cache is tried again in %d s.",
            type(error).__name__,
            error,
            CACHE_RETRY_SECONDS,
        )


def count_request(key: str, limit: int) -> RateLimit | None:
    """One more request in the current window of `key`; None when the cache does not answer."""
    now = time.time()
    if CacheOutage.ongoing(now):
        return None
    window = int(now // WINDOW_SECONDS)
    try:
        count = _increment(f"rate:{key}:{window}")
    except Exception as error:  # whatever the backend raises: redis, memcached, a socket
        CacheOutage.begin(now, error)
        return None
    reset_in = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
    return RateLimit(limit, count, reset_in)


def _increment(key: str) -> int:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return _increment_in_redis(backend, key)
    # add() is a no-op when the key exists; incr() is atomic in Redis and
    # locmem, so concurrent requests never lose a count.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
        return 1


def _increment_in_redis(backend: RedisCache, key: str) -> int:
    """The same add-then-increment in one round trip (a pipeline), not three.

    Django's `add` and `incr` are a SET NX, then an EXISTS and an INCR, each
    a round trip and a new client object: on a 304 they were a third of the
    answer's time (issue 14). `_cache` is the backend's client wrapper, the
    one Django's RedisCache itself uses.
    """
    redis_key = backend.make_and_validate_key(key)
    pipeline = backend._cache.get_client(redis_key, write=True).pipeline(transaction=False)
    pipeline.set(redis_key, 0, ex=WINDOW_SECONDS + 5, nx=True)
    pipeline.incr(redis_key)
    return pipeline.execute()[1]


class MinuteRateThrottle(BaseThrottle):
    """Counts the request; leaves `request.rate_limit` (None when uncounted) for the headers."""

    scope = ""

    def limit_for(self, request) -> int:
        raise NotImplementedError

    def caller_key(self, request) -> str:
        return str(request.user.pk)

    def allow_request(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return True
        if request.auth is None:
            key = f"{self.scope}:browser:{user.pk}"
            limit = settings.BROWSABLE_API_RATE_LIMIT
        else:
            key, limit = f"{self.scope}:{self.caller_key(request)}", self.limit_for(request)
        self.rate = request.rate_limit = count_request(key, limit)
        return self.rate is None or not self.rate.exceeded

    def wait(self) -> int | None:
        """Seconds until the window turns: DRF puts them on `Throttled.wait`."""
        return self.rate.reset_in if self.rate else None
