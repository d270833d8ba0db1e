"""Twist's error body, for every failure of the workspace API.

`{"error_uuid", "error_code", "error_extra", "error_string"}` with the codes,
strings and statuses of Twist's published table (workspace-api.md §3.5).
Chosen per view through `TwistView.get_exception_handler()`, so the campaign
API keeps its own format.
"""

import logging
import uuid
from enum import IntEnum

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from conversations import exceptions as domain

logger = logging.getLogger(__name__)


class Code(IntEnum):
    """Twist's error codes, each with its HTTP status and `error_string` (no trailing period)."""

    status: int
    string: str

    def __new__(cls, code: int, status: int, string: str):
        member = int.__new__(cls, code)
        member._value_ = code
        member.status = status
        member.string = string
        return member

    MISSING_ARGUMENT = 19, 400, "Required argument is missing"
    INVALID_ARGUMENT = 20, 400, "Invalid argument value"
    WORKSPACE_NOT_FOUND = 105, 404, "Workspace not found"
    USER_NOT_FOUND = 106, 404, "User not found"
    FORBIDDEN = 109, 403, "Forbidden"
    RESOURCE_NOT_FOUND = 110, 404, "Resource not found"
    BAD_REQUEST = 114, 400, "Bad Request"
    BAD_ATTACHMENTS = 118, 400, "One or more attachments don't comply with the JSON specification"
    NOT_LOGGED_IN = 120, 401, "You are not logged in"
    CONVERSATION_NOT_FOUND = 124, 404, "Conversation not found"
    MESSAGE_NOT_FOUND = 125, 404, "Message not found"
    # Twist's table says 404 for 133, most likely a typo: it is a bad argument.
    BAD_ACTIONS = 133, 400, "One or more actions don't comply with the JSON specification"
    # workspace-api-extras.md §1.1; Twist's table says 401 for 122, a probable doc error.
    UNSUPPORTED_REACTION = 122, 400, "Not supported reaction"
    INVALID_DATE_RANGE = 128, 400, "Invalid date range"
    ALREADY_FOUND = 131, 409, "Already found"
    INVALID_TOKEN = 200, 403, "Invalid token"
    INTERNAL_ERROR = 201, 500, "Internal Server Error"
    UPLOAD_FAILED = 202, 400, "Upload failed"
    # Twist's only 413 (workspace-api-extras.md §1.1): also a body over DATA_UPLOAD_MAX_MEMORY_SIZE.
    UPLOAD_TOO_BIG = 205, 413, "Upload is too big in size"
    # Parley's: Twist documents no rate-limit code. The HTTP status as the code, as for
    # the event streams' 429 (events.md §3.4); `Retry-After` says when to try again.
    TOO_MANY_REQUESTS = 429, 429, "Too many requests"


# Validation error codes our input fields raise, mapped to Twist's codes, in precedence order.
VALIDATION_CODES = {
    "required": Code.MISSING_ARGUMENT,
    "attachments": Code.BAD_ATTACHMENTS,
    "actions": Code.BAD_ACTIONS,
}

NOT_FOUND_CODES = {
    domain.WorkspaceNotFound: Code.WORKSPACE_NOT_FOUND,
    domain.UserNotFound: Code.USER_NOT_FOUND,
    domain.ConversationNotFound: Code.CONVERSATION_NOT_FOUND,
    domain.MessageNotFound: Code.MESSAGE_NOT_FOUND,
}


# Domain errors with a code of their own, checked before their base classes.
DOMAIN_CODES = {
    domain.UnsupportedReaction: Code.UNSUPPORTED_REACTION,
    domain.InvalidDateRange: Code.INVALID_DATE_RANGE,
    domain.AttachmentIdTaken: Code.ALREADY_FOUND,
}


class TwistError(Exception):
    """Raised by the views for failures that have no domain exception (scope, unknown method).

    `extra` becomes `error_extra`, e.g. `{"argument": "thread_id"}` (extras §1.1).
    """

    def __init__(self, code: Code, *, extra: dict | None = None):
        self.code = code
        self.extra = extra or {}
        super().__init__(code.string)


def error_body(code: Code, *, extra: dict | None = None) -> dict:
    return {
        "error_uuid": uuid.uuid4().hex,
        "error_code": int(code),
        "error_extra": extra or {},
        "error_string": code.string,
    }


def error_response(code: Code, *, headers=None, extra: dict | None = None) -> Response:
    return Response(error_body(code, extra=extra), status=code.status, headers=headers)


def twist_exception_handler(exc, context):
    """Every exception a Twist view raises becomes Twist's error body; none escapes as HTML."""
    code = _code_for(exc)
    if code is Code.INTERNAL_ERROR:
        logger.error("Unhandled error in the workspace API", exc_info=exc)
    headers = None
    if code is Code.NOT_LOGGED_IN and getattr(exc, "auth_header", None):
        headers = {"WWW-Authenticate": exc.auth_header}
    if code is Code.TOO_MANY_REQUESTS and exc.wait is not None:
        headers = {"Retry-After": str(exc.wait)}
    set_rollback()
    return error_response(code, headers=headers, extra=getattr(exc, "extra", None))


def _code_for(exc) -> Code:
    if isinstance(exc, TwistError):
        return exc.code
    for domain_error, code in DOMAIN_CODES.items():
        if isinstance(exc, domain_error):
            return code
    if isinstance(exc, domain.NotFound):
        return NOT_FOUND_CODES.get(type(exc), Code.RESOURCE_NOT_FOUND)
    if isinstance(exc, domain.PermissionDenied):
        return Code.FORBIDDEN
    if isinstance(exc, domain.InvalidArgument):
        return Code.INVALID_ARGUMENT
    if isinstance(exc, drf.NotAuthenticated):
        return Code.NOT_LOGGED_IN
    if isinstance(exc, drf.AuthenticationFailed):
        return Code.INVALID_TOKEN
    if isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        return Code.FORBIDDEN
    if isinstance(exc, drf.ValidationError):
        return _validation_code(exc.get_codes())
    if isinstance(exc, drf.NotFound | Http404):
        return Code.RESOURCE_NOT_FOUND
    if isinstance(exc, drf.Throttled):
        return Code.TOO_MANY_REQUESTS
    if isinstance(exc, RequestDataTooBig):
        return Code.UPLOAD_TOO_BIG
    if isinstance(exc, SuspiciousOperation):
        # More than DATA_UPLOAD_MAX_NUMBER_FIELDS fields (or files), a broken multipart body.
        return Code.BAD_REQUEST
    if isinstance(exc, drf.APIException):
        # Malformed body, unsupported media type, method not allowed, …
        return Code.BAD_REQUEST
    return Code.INTERNAL_ERROR


def _validation_code(codes) -> Code:
    """A missing argument wins over a bad one; attachments and actions have their own codes."""
    found = set(_flatten(codes))
    for drf_code, code in VALIDATION_CODES.items():
        if drf_code in found:
            return code
    return Code.INVALID_ARGUMENT


def _flatten(codes):
    if isinstance(codes, dict):
        for value in codes.values():
            yield from _flatten(value)
    elif isinstance(codes, list):
        for value in codes:
            yield from _flatten(value)
    else:
        yield codes
