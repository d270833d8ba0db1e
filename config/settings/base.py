"""Settings read from the environment (see README "Configuration").

Nothing here is a usable production secret: without DEBUG a real SECRET_KEY
must come from the environment or the process refuses to start.

A developer's `.env` file (`ENV_FILE`, written by `bin/run` on first start)
is read first, so `manage.py` commands need no exported variables; a variable
set in the environment wins over the file. The test settings read no file.
"""

from importlib.metadata import version
from pathlib import Path

import environ
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured

from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The one version number: pyproject.toml's, as installed.
VERSION = version("parley")

env = environ.Env()
ENV_FILE = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE)

DEVELOPMENT_SECRET_KEY = "parley-development-key-not-for-production"

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY: the development key is refused when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

# A suspended user's sessions end and they cannot log in (accounts/backends.py).
AUTHENTICATION_BACKENDS = ["accounts.backends.ParleyModelBackend"]

INSTALLED_APPS = [
    "config.admin.ParleyAdminConfig",  # django.contrib.admin, with Parley's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "accounts",
    "campaigns",
    "workspaces",
    "conversations",
    "events",
    "django_tasks",
    "django_tasks_db",
    "demo",
    "config.apps.ParleyConfig",
]

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",
    "config.health.HealthCheckMiddleware",
    # Before anything reads the body: a chunked one gets its length, within the cap.
    "config.uploads.ChunkedBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything that answers on its own: a preflight gets its CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads of the dev server write at once; wait for the lock
    # instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Readers (the event streams' hub) never wait on a writer, nor a writer on them.
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL;"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg's pool, one per process: Parley is served as ASGI (uvicorn workers),
    # where each request's sync code runs in a thread of its own, so persistent
    # connections (CONN_MAX_AGE) would be left open per thread; the pool lends each
    # request a kept connection and takes it back at the request's end (opening one
    # per request cost reads 1.3-1.7x, issue 14). Checked before each loan.
    # DATABASE_POOL_MAX_SIZE=0: no pool, a connection per request (e.g. PgBouncer's).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    pool_max_size = env.int("DATABASE_POOL_MAX_SIZE", default=8)
    if pool_max_size:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": pool_max_size,
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
    # PgBouncer in transaction mode hands each transaction its own server
    # connection; a server-side cursor would not survive that.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
    )
    if env.bool("DATABASE_JIT_OFF", default=True):
        # Short OLTP queries: JIT compilation cost ~1.1 s a request on a query
        # the planner overestimated (issue 14), and never pays back here.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # An unreachable Redis fails fast; the rate limiter then allows (config/throttling.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Workspace attachments (workspace-api-extras.md §4): under MEDIA_ROOT/attachments/ by
# default; PARLEY_ATTACHMENT_STORAGE=s3 stores them in S3 through django-storages (the
# `s3` extra), configured by its own AWS_* variables (README "Attachments").
PARLEY_ATTACHMENT_STORAGE = env.str("PARLEY_ATTACHMENT_STORAGE", default="filesystem")
if PARLEY_ATTACHMENT_STORAGE == "s3":
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "location": env.str("PARLEY_ATTACHMENT_S3_PREFIX", default=""),
            "default_acl": None,
            "file_overwrite": False,
        },
    }
elif PARLEY_ATTACHMENT_STORAGE == "filesystem":
    # Names are `attachments/<key>`, without extension, so config/media.py never serves them.
    STORAGES["attachments"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("PARLEY_ATTACHMENT_STORAGE must be 'filesystem' or 's3'.")
PARLEY_ATTACHMENT_MAX_BYTES = env.int("PARLEY_ATTACHMENT_MAX_BYTES", default=100 * 1024 * 1024)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Tokens: personal access tokens and OAuth2 authorization-code tokens are both
# django-oauth-toolkit AccessTokens, stored only as a SHA-256 checksum.
OAUTH2_PROVIDER = {
    # RFC 9700 (OAuth 2.0 Security BCP) throughout: no implicit or password
    # grants, S256 PKCE only, tokens never in a query string, refresh-token
    # replay revokes the family, https redirect URIs outside DEBUG.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"] if DEBUG else ["https"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 365,
    "PKCE_REQUIRED": True,
    # Twist's scopes (workspace-api.md §3.2); the campaign API needs none.
    "SCOPES": dict.fromkeys(
        f"{resource}:{level}"
        for resource, levels in {
            "user": "read write",
            "workspaces": "read write",
            "channels": "read write remove",
            "threads": "read write remove",
            "comments": "read write remove",
            "groups": "read write remove",
            "messages": "read write remove",
            "reactions": "read write remove",
            "search": "read",
            "attachments": "read write",
            "notifications": "read write",
        }.items()
        for level in levels.split()
    ),
}

OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"

REST_FRAMEWORK = {
    # Bearer first: its WWW-Authenticate header keeps "no credentials" a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "accounts.authentication.BrowserSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.authentication.SessionReadsOnlyBySafeMethods",
        "accounts.authentication.SuspendedUsersOnlyRead",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "config.renderers.ParleyBrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Parley API",
    "DESCRIPTION": (
        "Conversations in two dialects over one domain.\n\n"
        "* **Campaign API** (Kanka dialect), REST under `/api/1.0/campaigns/{campaign}/`: "
        "paginated `{data, links, meta, sync}` lists, errors "
        '`{"code": <status>, "error": "<message>", "fields": {...}}`.\n'
        "* **Workspace API** (Twist dialect), RPC under `/api/v1/` (also `/api/v3/`): "
        "every method answers GET and POST, parameters from the query string, a form "
        "or a JSON body; errors `{error_code, error_string, error_uuid, error_extra}`.\n\n"
        "Both take `Authorization: Bearer <token>`. In a browser, logging in to the "
        "admin also lets you explore the APIs as Parley's browsable API."
    ),
    "VERSION": VERSION,
    "LICENSE": {"name": "MIT"},
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger's Authorize dialog offers what works from it: the bearer token.
    # The admin's session cookie still opens the browsable API, in a browser.
    "AUTHENTICATION_WHITELIST": ["accounts.authentication.BearerTokenAuthentication"],
    # Every docs asset from our own /static/ (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True},
    # Native scrollbars: ReDoc's own scroller costs ~0.1 s of its first render here.
    "REDOC_UI_SETTINGS": {"nativeScrollbars": True},
    # A report's `status` is not the Twist `{"status": "ok"}` answer's.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": ["ok"],
        "ReportStatusEnum": "conversations.models.Report.Status",
        "DeliveryStatusEnum": "events.models.WebhookDelivery.Status",
    },
    # The webhook deliveries (x-webhooks); then summaries, operation ids, tags in
    # order (and ReDoc's x-tagGroups), ids, servers.
    "POSTPROCESSING_HOOKS": [
        "events.openapi.postprocess",
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.postprocess",
    ],
}

# Campaign API (Kanka dialect)
CAMPAIGN_API_DATETIME_FORMAT = env.str("CAMPAIGN_API_DATETIME_FORMAT", default="seed")
if CAMPAIGN_API_DATETIME_FORMAT not in ("seed", "iso"):
    raise ImproperlyConfigured("CAMPAIGN_API_DATETIME_FORMAT must be 'seed' or 'iso'.")
CAMPAIGN_API_RATE_LIMIT = env.int("CAMPAIGN_API_RATE_LIMIT", default=30)
CAMPAIGN_API_SUBSCRIBER_RATE_LIMIT = env.int("CAMPAIGN_API_SUBSCRIBER_RATE_LIMIT", default=90)
# Workspace API (Twist dialect): requests a minute per token and user.
WORKSPACE_API_RATE_LIMIT = env.int("WORKSPACE_API_RATE_LIMIT", default=120)
# Both dialects: a logged-in browser (the browsable API) counts apart from the user's tokens.
BROWSABLE_API_RATE_LIMIT = env.int("BROWSABLE_API_RATE_LIMIT", default=120)
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=8 * 1024 * 1024)
# Pixels (width * height) of the largest accepted image, checked on its header
# before decoding; a decoded pixel takes up to 4 bytes of the worker's memory.
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=4096 * 4096)
IMAGE_URL_ALLOW_PRIVATE = env.bool("IMAGE_URL_ALLOW_PRIVATE", default=False)
IMAGE_URL_DEADLINE = env.float("IMAGE_URL_DEADLINE", default=10.0)
# The largest body of any kind, files included (config/uploads.py): one image and its fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_SIZE + 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "config.uploads.BodySizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
# Both dialects: the longest message content in characters (Zulip's cap); longer is the
# dialect's validation error. With the list limits this also caps a list response's bytes.
MESSAGE_MAX_LENGTH = env.int("MESSAGE_MAX_LENGTH", default=10_000)
# Both dialects: the most ids one request may name in a list parameter (e.g. user_ids).
ID_LIST_MAX = env.int("ID_LIST_MAX", default=1000)
# Both dialects: arrays and objects nested deeper are malformed JSON (config/parsers.py).
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=32)
# Moderation: a moderator's removal can be restored for this many days; after
# that `manage.py purge_removed_messages` deletes the message for good.
MODERATION_RETENTION_DAYS = env.int("MODERATION_RETENTION_DAYS", default=30)

# HTTPS (README "Production notes"): behind a TLS-terminating proxy that sets
# X-Forwarded-Proto. Cookies are secure outside DEBUG; redirect and HSTS are
# the operator's to turn on, since they commit the domain to HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True

# JSON lines in production, readable lines in development (config/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
LOGGING_CONFIG = "config.logs.configure"

# Browser clients on other origins (django-cors-headers): none unless listed.
# Both APIs authenticate with a bearer token, never a cookie, so no credentials.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/(api|o)/"
CORS_ALLOW_HEADERS = (*default_headers, "x-request-id")  # Authorization among the defaults
CORS_EXPOSE_HEADERS = [
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "Retry-After",
]

# Errors to Sentry, off unless SENTRY_DSN is set (config/sentry.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.sentry import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=f"parley@{VERSION}",
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# Prometheus metrics at /metrics (django-prometheus), off unless asked for.
PROMETHEUS_METRICS = env.bool("PROMETHEUS_METRICS", default=False)
if PROMETHEUS_METRICS:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]

# Without collectstatic (development, tests) WhiteNoise serves from the finders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Real-time delivery (events.md §5): the outbox, event streams, their wake-ups.
PARLEY_EVENTS_RETENTION_DAYS = env.int("PARLEY_EVENTS_RETENTION_DAYS", default=7)
PARLEY_EVENTS_HEARTBEAT_SECONDS = env.float("PARLEY_EVENTS_HEARTBEAT_SECONDS", default=15)
PARLEY_EVENTS_RETRY_MS = env.int("PARLEY_EVENTS_RETRY_MS", default=3000)
PARLEY_EVENTS_MAX_STREAMS_PER_USER = env.int("PARLEY_EVENTS_MAX_STREAMS_PER_USER", default=5)
PARLEY_EVENTS_MAX_STREAMS_PER_PROCESS = env.int(
    "PARLEY_EVENTS_MAX_STREAMS_PER_PROCESS", default=2000
)
PARLEY_EVENTS_MAX_STREAM_SECONDS = env.float("PARLEY_EVENTS_MAX_STREAM_SECONDS", default=3600)
PARLEY_EVENTS_REAUTH_SECONDS = env.float("PARLEY_EVENTS_REAUTH_SECONDS", default=300)
PARLEY_EVENTS_WAKEUP = env.str("PARLEY_EVENTS_WAKEUP", default="auto")
PARLEY_EVENTS_POLL_SECONDS = env.float(
    "PARLEY_EVENTS_POLL_SECONDS",
    default=1.0
    if PARLEY_EVENTS_WAKEUP == "local"
    or not (REDIS_URL or DATABASES["default"]["ENGINE"].endswith("postgresql"))
    else 30.0,
)
PARLEY_EVENTS_DB_THREADS = env.int("PARLEY_EVENTS_DB_THREADS", default=4)

# Outgoing webhooks (events.md §4-§5) and their worker (django-tasks, database backend).
PARLEY_WEBHOOK_RETRY_SCHEDULE = env.str(
    "PARLEY_WEBHOOK_RETRY_SCHEDULE", default="10,60,300,1800,7200,21600,43200"
)
PARLEY_WEBHOOK_DISABLE_AFTER = env.int("PARLEY_WEBHOOK_DISABLE_AFTER", default=5)
PARLEY_WEBHOOK_TIMEOUT_SECONDS = env.float("PARLEY_WEBHOOK_TIMEOUT_SECONDS", default=15)
PARLEY_WEBHOOK_MAX_PAYLOAD_BYTES = env.int("PARLEY_WEBHOOK_MAX_PAYLOAD_BYTES", default=65536)
PARLEY_WEBHOOK_MAX_PER_SCOPE = env.int("PARLEY_WEBHOOK_MAX_PER_SCOPE", default=10)
PARLEY_WEBHOOK_LOG_DAYS = env.int("PARLEY_WEBHOOK_LOG_DAYS", default=30)
PARLEY_WEBHOOK_ALLOW_PRIVATE = env.bool("PARLEY_WEBHOOK_ALLOW_PRIVATE", default=False)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PARLEY_INPROCESS_WORKER = env.bool(
    "PARLEY_INPROCESS_WORKER",
    default=DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
)
