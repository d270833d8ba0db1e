"""Test settings: the base settings with a throwaway key and a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "parley-test-key")

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The suite runs in one process: a local-memory cache counts the rate limits right there.
SILENCED_SYSTEM_CHECKS = ["parley.W001"]
