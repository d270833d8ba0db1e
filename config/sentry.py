"""Errors to Sentry when `SENTRY_DSN` is set (off by default).

Each event carries the request id as a tag, so an event, a client's report
(X-Request-ID, Twist's error_uuid) and the JSON log lines lead to each other.
"""

import sentry_sdk
from sentry_sdk.integrations.logging import ignore_logger

from config.logs import current_request


def sentry_init(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        # No user emails, IPs or cookies leave for a third party unless someone decides so.
        send_default_pii=False,
        before_send=tag_request_id,
    )
    # A 5xx's access line repeats the error already sent with its traceback.
    ignore_logger("parley.request")


def tag_request_id(event: dict, hint: dict) -> dict:
    request = current_request.get()
    if request is not None:
        event.setdefault("tags", {})["request_id"] = request.request_id
    return event
