"""The workspace API's rate limit: WORKSPACE_API_RATE_LIMIT a minute per token and user.

Twist publishes no limit for these methods; Parley's default is 120 a minute.
Keyed by the user *and* the token, so one runaway integration of a user does
not stall their others. The counting is `config.throttling`, shared with the
campaign API; the 429 body is Twist's (workspaces/api/errors.py, code 429).
"""

from django.conf import settings

from config.throttling import MinuteRateThrottle


class WorkspaceRateThrottle(MinuteRateThrottle):
    scope = "workspace-api"

    def limit_for(self, request) -> int:
        return settings.WORKSPACE_API_RATE_LIMIT

    def caller_key(self, request) -> str:
        return f"{request.user.pk}:{request.auth.pk}"
