"""`/healthz` (the process answers) and `/readyz` (its database and Redis answer).

Answered by a middleware placed before Django's own, so a probe is never
redirected to HTTPS, refused for a Host that is not in ALLOWED_HOSTS (probes
often use the pod's address), authenticated, rate limited or logged in to a
session. Only RequestIdMiddleware runs before it.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def healthz() -> JsonResponse:
    """Alive: no I/O at all, so a slow database never gets a healthy process restarted."""
    return JsonResponse({"status": "ok"})


def readyz() -> JsonResponse:
    """Ready for traffic: each backend answers; 503 names the ones that did not."""
    checks = {"database": _database}
    if settings.REDIS_URL:
        checks["redis"] = _redis
    results = {}
    for name, check in checks.items():
        try:
            check()
        except Exception:
            logger.exception("Readiness check failed: %s", name)
            results[name] = "failed"
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    # A read is enough: Django's Redis cache raises when the server does not answer.
    cache.get("parley:readyz")


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return healthz()
        if request.path == "/readyz":
            return readyz()
        return self.get_response(request)
