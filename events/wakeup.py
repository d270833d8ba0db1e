"""Waking the stream hubs after a commit: this process's directly, others by pub/sub.

The outbox is the truth; a wake-up only says "read it now". PostgreSQL's
NOTIFY is issued by `outbox.record` inside the transaction; with Redis (and
no PostgreSQL) a PUBLISH follows the commit; either way this process's hub is
poked right away. A lost wake-up costs at most one safety-net poll interval.
"""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)

REDIS_CHANNEL = "parley_events"
_local_hubs = []


def register_local(callback) -> None:
    """A hub of this process: `callback()` is called (from any thread) after each commit."""
    _local_hubs.append(callback)


def unregister_local(callback) -> None:
    if callback in _local_hubs:
        _local_hubs.remove(callback)


def mode() -> str:
    """`postgres`, `redis` or `local` (PARLEY_EVENTS_WAKEUP, `auto` from the databases)."""
    chosen = settings.PARLEY_EVENTS_WAKEUP
    if chosen != "auto":
        return chosen
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return "postgres"
    return "redis" if settings.REDIS_URL else "local"


def poke_after_commit() -> None:
    for callback in list(_local_hubs):
        callback()
    if mode() == "redis":
        try:
            _redis().publish(REDIS_CHANNEL, "1")
        except Exception:  # the poll still delivers; a failed wake-up must not fail the write
            logger.warning("Redis PUBLISH of an event wake-up failed", exc_info=True)


_client = None


def _redis():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(settings.REDIS_URL)
    return _client
