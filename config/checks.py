"""System checks of what the settings alone cannot refuse."""

import sqlite3

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

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


# Posting's written INSERTs read back what they wrote with RETURNING (SQLite 3.35+).
SQLITE_RETURNING = (3, 35)


@register(Tags.compatibility)
def sqlite_has_returning(app_configs, version=sqlite3.sqlite_version_info, engine=None, **kwargs):
    """Django accepts SQLite from 3.31; posting needs 3.35 (conversations/services/messages.py)."""
    engine = engine or settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.sqlite3" or version >= SQLITE_RETURNING:
        return []
    return [
        Error(
            f"SQLite {'.'.join(map(str, version))} has no RETURNING, which posting needs.",
            hint="Use a Python built with SQLite 3.35 or newer, or PostgreSQL (DATABASE_URL).",
            id="parley.E001",
        )
    ]
