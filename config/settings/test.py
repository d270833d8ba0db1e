"""Test settings: the base settings with a throwaway key and a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "parley-test-key")
# A developer's .env (DEBUG=1, another DATABASE_URL) must not change what the
# suite tests; subprocesses of the tests inherit this too.
os.environ["ENV_FILE"] = ""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The suite's output stays its own; tests read the records through caplog. The
# handler still runs its filter, which gives each record its request id.
LOGGING["handlers"]["console"] |= {"class": "logging.FileHandler", "filename": os.devnull}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The suite runs in one process: a local-memory cache counts the rate limits right there.
SILENCED_SYSTEM_CHECKS = ["parley.W001"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared-cache in-memory database: there a writer that
    # meets a reader's table lock (the event streams' hub reads on its own
    # threads) fails at once with "database table is locked"; a file in WAL
    # mode waits for the lock, as the embedded default does in production.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405
