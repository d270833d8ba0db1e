"""The Django floor's settings: Parley's (same database, connections, JIT off), no middleware."""

from config.settings.base import *  # noqa: F403

MIDDLEWARE = []
ROOT_URLCONF = "floor_django"
