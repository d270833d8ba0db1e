"""Test settings: the base settings with a throwaway key and a fast hasher."""

import os
from urllib.parse import urlsplit

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

# The PostgreSQL concurrency tests run 8 writer threads (tests/threads.py) beside the
# test's own connection and the event hub's threads: more than production's 8 at once.
if "pool" in DATABASES["default"].get("OPTIONS", {}):  # noqa: F405
    DATABASES["default"]["OPTIONS"]["pool"]["max_size"] = 16  # noqa: F405

# pytest-xdist workers (gw0, gw1, …) each get their own test database (pytest-django
# adds the suffix) and, with Redis, their own Redis database: every test starts with
# `cache.clear()`, a FLUSHDB that must not wipe another worker's counters.
XDIST_WORKER_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
if REDIS_URL and XDIST_WORKER_INDEX:  # noqa: F405
    redis_url = urlsplit(REDIS_URL)  # noqa: F405
    redis_db = (int(redis_url.path.strip("/") or 0) + XDIST_WORKER_INDEX) % 16
    CACHES["default"]["LOCATION"] = redis_url._replace(path=f"/{redis_db}").geturl()  # noqa: F405
