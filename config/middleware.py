"""The request id and the access line: what lets an operator find one client's request."""

import json
import logging
import re
import time
import uuid

from config.logs import current_request, request_user_id

access_log = logging.getLogger("parley.request")

REQUEST_ID_HEADER = "X-Request-ID"
# A load balancer's or client's id is kept when it is a plain token (a UUID,
# a trace id); anything else could forge or break log lines, so it is replaced.
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    """Gives every request an id, echoes it in `X-Request-ID`, logs one access line.

    First in MIDDLEWARE, so every later log record of the request (an
    exception in an API handler too) carries the id, and the line times the
    whole stack. On a 5xx the line also names the error body's id (Twist's
    `error_uuid`) or message (Kanka's `error`): what a client reports leads to
    this line, and the request id to the traceback.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = offered if ACCEPTED_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            self.log(request, response, time.perf_counter() - started)
        finally:
            current_request.reset(token)
        return response

    def log(self, request, response, seconds: float) -> None:
        match = getattr(request, "resolver_match", None)
        fields = {
            "method": request.method,
            "path": request.path,
            "route": match.route if match else None,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "user_id": request_user_id(request),
        }
        level = logging.INFO
        if response.status_code >= 500:
            level = logging.ERROR
            fields.update(error_reference(response))
        access_log.log(
            level,
            "%s %s %s %.0fms",
            request.method,
            request.path,
            response.status_code,
            fields["duration_ms"],
            extra=fields,
        )


def error_reference(response) -> dict:
    """What the API's error body says about a 5xx: Twist's `error_uuid`, Kanka's `error`."""
    if response.streaming or "json" not in response.get("Content-Type", ""):
        return {}
    try:
        body = json.loads(response.content)
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    reference = {"error_uuid": body.get("error_uuid"), "error": body.get("error_string")}
    if isinstance(body.get("error"), str):
        reference["error"] = body["error"]
    return {key: value for key, value in reference.items() if value is not None}
