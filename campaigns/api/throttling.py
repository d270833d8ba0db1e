"""Kanka's per-user rate limit: a fixed one-minute window counted in Django's cache.

The counter lives in the cache (Redis in production), so every server
process shares it. Authentication runs before throttling in DRF's
`initial()`, so a 401 is never counted (as in Kanka's middleware order).
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateLimit:
    limit: int
    remaining: int
    reset_in: int


def limit_for(user) -> int:
    if getattr(user, "is_subscriber", False):
        return settings.CAMPAIGN_API_SUBSCRIBER_RATE_LIMIT
    return settings.CAMPAIGN_API_RATE_LIMIT


class CampaignRateThrottle(BaseThrottle):
    """Counts the request and leaves `request.rate_limit` for the response headers."""

    def allow_request(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return True
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"campaign-api-rate:{user.pk}:{window}"
        # add() is a no-op when the key exists; incr() is atomic in Redis and
        # locmem, so concurrent requests never lose a count.
        cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add() and incr()
            cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
            count = 1
        limit = limit_for(user)
        reset_in = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
        request.rate_limit = RateLimit(limit, max(limit - count, 0), reset_in)
        return count <= limit

    def wait(self):
        return None


def add_rate_limit_headers(request, response) -> None:
    """`X-RateLimit-Limit` / `-Remaining` on every response that passed authentication."""
    rate = getattr(request, "rate_limit", None)
    if rate is None:
        return
    response["X-RateLimit-Limit"] = str(rate.limit)
    response["X-RateLimit-Remaining"] = str(rate.remaining)
    if response.status_code == 429:
        # An addition to Kanka, which sends no Retry-After.
        response["Retry-After"] = str(rate.reset_in)
