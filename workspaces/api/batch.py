"""batch: up to ten calls of this API in one request (workspace-api-extras.md §5).

Each sub-request is dispatched in-process to the very view its URL names,
as a request of its own: the batch's caller (its token looked up once, for
the whole batch), its own scope check, its own transaction. One that fails
(or raises) answers its own error and rolls back only its own writes; the
others run on, strictly in order.
"""

import io
import json
import logging
from urllib.parse import urlencode, urlsplit

from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.urls import Resolver404, resolve
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.views import APIView

from config.parsers import parse_json
from workspaces.api.base import method_of
from workspaces.api.errors import Code, TwistError, error_body
from workspaces.api.extras import PostOnlySchema, TwistExtrasView
from workspaces.api.params import TwistBooleanField

logger = logging.getLogger(__name__)

MAX_REQUESTS = 10
METHODS = {"GET", "POST"}
NOT_BATCHABLE = {"batch", "attachments/upload"}
HEADERS = "Content-Type: application/json"
# What a sub-request inherits from the batch's request: who calls, from where, over what.
INHERITED = (
    "HTTP_AUTHORIZATION",
    "HTTP_COOKIE",
    "HTTP_X_CSRFTOKEN",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_USER_AGENT",
    "REMOTE_ADDR",
    "SERVER_NAME",
    "SERVER_PORT",
    "SERVER_PROTOCOL",
    "wsgi.url_scheme",
    "wsgi.errors",
    "wsgi.version",
    "wsgi.multithread",
    "wsgi.multiprocess",
    "wsgi.run_once",
)


@extend_schema_field(
    {
        "type": "array",
        "maxItems": MAX_REQUESTS,
        "items": {
            "type": "object",
            "required": ["method", "url"],
            "properties": {
                "method": {"type": "string", "enum": ["GET", "POST"]},
                "url": {"type": "string", "example": "/api/v3/conversations/getone?id=13037"},
                "body": {
                    "oneOf": [{"type": "string"}, {"type": "object"}],
                    "description": "A form-urlencoded string or a JSON object.",
                },
            },
        },
        "description": "The array, or the array JSON-encoded in a string (a form body).",
    }
)
class _RequestsField(serializers.Field):
    """Checked by the view, which names `requests` in the error."""

    def to_internal_value(self, data):
        return data


class TwistBatchInput(serializers.Serializer):
    requests = _RequestsField()
    parallel = TwistBooleanField(
        required=False, default=False, help_text="Advisory: Parley runs them in order."
    )


class TwistBatchItemOutput(serializers.Serializer):
    code = serializers.IntegerField(help_text="The HTTP status of the direct call.")
    headers = serializers.CharField(help_text="`Name: value` lines.")
    body = serializers.CharField(help_text="The exact JSON text the direct call answers.")


def _bad_requests():
    return TwistError(Code.INVALID_ARGUMENT, extra={"argument": "requests"})


def _sub_requests(value) -> list[dict]:
    """The validated elements: `method` upper-cased, `url` a string, `body` str/dict/None."""
    if isinstance(value, str):
        try:
            value = parse_json(value)
        except ValueError:
            raise _bad_requests() from None
    if not isinstance(value, list) or len(value) > MAX_REQUESTS:
        raise _bad_requests()
    items = []
    for item in value:
        if not isinstance(item, dict):
            raise _bad_requests()
        method, url, body = item.get("method"), item.get("url"), item.get("body")
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise _bad_requests()
        if not isinstance(url, str) or not (body is None or isinstance(body, str | dict)):
            raise _bad_requests()
        items.append({"method": method.upper(), "url": url, "body": body})
    return items


def _answer(code: int, body: str) -> dict:
    return {"code": code, "headers": HEADERS, "body": body}


def _error_answer(code: Code, *, extra=None) -> dict:
    text = json.dumps(error_body(code, extra=extra), ensure_ascii=False, separators=(",", ":"))
    return _answer(code.status, text)


class Batch(TwistExtrasView):
    """Run up to 10 calls of this API (`requests`: `{method, url, body?}`) in order, each
    with this request's token, its own scope check and its own transaction. Answers
    `[{code, headers, body}]`, `body` being the exact JSON text of the direct call."""

    schema = PostOnlySchema()
    scope = "any valid token"
    input_serializer = TwistBatchInput
    output_serializer = TwistBatchItemOutput(many=True)

    def check_permissions(self, request):
        # Any valid token: every sub-request checks its own scope.
        APIView.check_permissions(self, request)

    def get(self, request):
        raise TwistError(Code.BAD_REQUEST)

    def perform(self, request, params):
        items = _sub_requests(params["requests"])
        prefix = request.path_info[: -len("batch")]
        return [self._run(request, item, prefix) for item in items]

    def _run(self, request, item: dict, prefix: str) -> dict:
        url = urlsplit(item["url"])
        if not url.path.startswith(prefix) or method_of(url.path) in NOT_BATCHABLE:
            return _error_answer(Code.INVALID_ARGUMENT, extra={"argument": "url"})
        try:
            match = resolve(url.path)
        except Resolver404:
            return _error_answer(Code.RESOURCE_NOT_FOUND)
        sub = _sub_request(request, item, url)
        try:
            with transaction.atomic():
                response = match.func(sub, *match.args, **match.kwargs)
                if hasattr(response, "render"):
                    response.render()
                if response.status_code >= 400:
                    transaction.set_rollback(True)
        except Exception:
            logger.exception("Unhandled error in a batch sub-request")
            return _error_answer(Code.INTERNAL_ERROR)
        return _answer(response.status_code, response.content.decode("utf-8"))


def _sub_request(request, item: dict, url) -> WSGIRequest:
    """A request of its own for one element: the batch's credentials, the element's call."""
    body = item["body"]
    query = url.query
    payload, content_type = b"", ""
    if item["method"] == "GET":
        if body:
            extra = body if isinstance(body, str) else urlencode(_form_of(body))
            query = f"{query}&{extra}" if query else extra
    elif isinstance(body, dict):
        payload, content_type = json.dumps(body).encode(), "application/json"
    elif body:
        payload, content_type = body.encode("utf-8"), "application/x-www-form-urlencoded"
    environ = {key: request.META[key] for key in INHERITED if key in request.META}
    environ.update(
        {
            "REQUEST_METHOD": item["method"],
            "SCRIPT_NAME": "",
            "PATH_INFO": url.path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(payload)),
            "HTTP_ACCEPT": "application/json",
            "wsgi.input": io.BytesIO(payload),
        }
    )
    sub = WSGIRequest(environ)
    # The batch's caller, authenticated once: the token is not looked up again per item
    # (DRF's forced authentication, the seam of its test client's force_authenticate);
    # each view still checks its own scope against that token.
    sub._force_auth_user, sub._force_auth_token = request.user, request.auth
    return sub


def _form_of(body: dict) -> dict:
    """A JSON object as query parameters: lists comma-joined, booleans lower-case (as the SDK)."""
    form = {}
    for key, value in body.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = json.dumps(value)
        form[key] = value
    return form
