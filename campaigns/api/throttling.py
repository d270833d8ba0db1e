"""Kanka's rate limit (campaign-api.md §2.3): per user, 30 a minute, 90 for subscribers.

The counting (a shared fixed window, browser sessions apart, what happens
when the cache is down) is `config.throttling`, shared with the workspace API.
"""

from django.conf import settings

from config.throttling import MinuteRateThrottle


def limit_for(user) -> int:
    if getattr(user, "is_subscriber", False):
        return settings.CAMPAIGN_API_SUBSCRIBER_RATE_LIMIT
    return settings.CAMPAIGN_API_RATE_LIMIT


class CampaignRateThrottle(MinuteRateThrottle):
    """Keyed by the user, not the token, as Laravel signs Kanka's throttle."""

    scope = "campaign-api"

    def limit_for(self, request) -> int:
        return limit_for(request.user)


def add_rate_limit_headers(request, response) -> None:
    """`X-RateLimit-Limit` / `-Remaining` on every response that passed authentication and was
    counted (not while the cache is down: there is no count to tell)."""
    rate = getattr(request, "rate_limit", None)
    if rate is None:
        return
    response["X-RateLimit-Limit"] = str(rate.limit)
    response["X-RateLimit-Remaining"] = str(rate.remaining)
    if response.status_code == 429:
        # An addition to Kanka, which sends no Retry-After.
        response["Retry-After"] = str(rate.reset_in)
