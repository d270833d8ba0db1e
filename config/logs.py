"""Logging for every process (the dev server, gunicorn, management commands).

The standard library's logging with python-json-logger's formatter: Django,
DRF, gunicorn and our own code all log through `logging`, so one formatter
makes every line JSON without a second logging API. In production (`json`)
each line is one JSON object; in development (`text`) one readable line.

Every record made while a request is served carries its `request_id` (and
`user_id` once the request is authenticated), from `RequestContextFilter`.

Imported by gunicorn.conf.py before Django is set up: nothing here may touch
Django's settings at import time.
"""

import contextvars
import logging
import logging.config

from pythonjsonlogger.core import RESERVED_ATTRS

LOG_FORMATS = ("json", "text")

# The request being served in this thread or task, set by RequestIdMiddleware.
current_request = contextvars.ContextVar("current_request", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s"
JSON_RENAMES = {"levelname": "level", "name": "logger"}
# Django's request logger passes the HttpRequest itself; its fields are in the access line.
JSON_SKIPPED = [*RESERVED_ATTRS, "request"]


def request_user_id(request) -> int | None:
    """The authenticated user's id, without loading a user nobody has asked for yet.

    `request.user` is lazy (a session lookup); DRF replaces it with the
    authenticated user when a view authenticates, so by the end of an API
    request it is known without another query.
    """
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or type(wrapped) is object:  # an unevaluated SimpleLazyObject
        return None
    return wrapped.pk if getattr(wrapped, "is_authenticated", False) else None


class RequestContextFilter(logging.Filter):
    """Adds `request_id` ("-" outside a request) and `user_id` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        if request is None:
            record.request_id = getattr(record, "request_id", "-")
            return True
        record.request_id = request.request_id
        if not hasattr(record, "user_id"):
            record.user_id = request_user_id(request)
        return True


def configure(config: dict) -> None:
    """`LOGGING_CONFIG`: the dictConfig, and Python's warnings as log records (JSON too)."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


def logging_config(*, log_format: str, level: str) -> dict:
    """The dictConfig for `LOGGING`: one console handler on the root logger.

    Django's own "django" handler would print each of its lines a second
    time next to the root's (DEBUG only), so it propagates instead. The dev
    server's request lines and Django's 4xx warnings repeat what the access
    line (`parley.request`) says, so they are left out; 5xx errors stay.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    formatters = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "timestamp": "time",  # ISO 8601, UTC
            "rename_fields": JSON_RENAMES,
            "reserved_attrs": JSON_SKIPPED,
        },
        "text": {"format": TEXT_FORMAT},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": "config.logs.RequestContextFilter"}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "propagate": False},
            "django.request": {"level": "ERROR"},
        },
    }
