"""System checks of what the settings alone cannot refuse."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches)
def rate_limits_are_shared(app_configs, **kwargs):
    """Outside DEBUG several workers serve the API; a per-process cache gives each its own count."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            f"The rate-limit counters live in a per-process cache ({backend}): every worker "
            "counts on its own, so each limit is multiplied by the number of workers.",
            hint="Set REDIS_URL so that every process shares the counters.",
            id="parley.W001",
        )
    ]
