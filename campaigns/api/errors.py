"""The campaign API's error bodies (Kanka's `handleApiErrors`, campaign-api.md §2.8).

Every failure of a campaign-API view goes through `exception_handler` (chosen
per view by `KankaView.get_exception_handler`): domain errors, DRF
errors, Http404 and anything unexpected all come out as Kanka's JSON, never as
HTML or a Django 500 page.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from accounts.authentication import bearer_challenge
from conversations import exceptions as domain

logger = logging.getLogger(__name__)

UNAUTHENTICATED = (
    "Invalid authentication token. Make sure you copy-pasted it correctly, or try using a new one."
)
# Kanka answers a missing token like a bad one; saying which saves a newcomer the search.
MISSING_TOKEN = "Missing authentication token. Send the header Authorization: Bearer <token>."
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
UNAUTHORIZED = "This action is unauthorized."
# Laravel's text for an unknown route (a bare `{"error"}`) and for a view's Http404 (with `code`).
PAGE_NOT_FOUND = "Page not found"

# Kanka's 404 names the Laravel model that was not found.
MODEL_NAMES = {
    "campaign": "Campaign",
    "webhook": "Webhook",
    "conversation": "Conversation",
    "message": "ConversationMessage",
    "participant": "ConversationParticipant",
    "character": "Character",
    "tag": "Tag",
    "user": "User",
}


def exception_handler(exc, context):
    """Map any exception raised in a campaign-API view to Kanka's body and status."""
    set_rollback()
    return _response_for(exc, context)


def throttled_body(limit) -> list[str]:
    """Kanka's 429 body: a list of one sentence (campaign-api.md §2.8)."""
    return [f"Your account limit of {limit} requests per minute has been reached."]


def _response_for(exc, context) -> Response:
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        message = UNAUTHENTICATED if isinstance(exc, drf.AuthenticationFailed) else MISSING_TOKEN
        response = _error(401, message)
        response["WWW-Authenticate"] = bearer_challenge(exc)
        return response
    if isinstance(exc, drf.Throttled):
        limit = getattr(context["request"], "rate_limit", None)
        return Response(throttled_body(limit.limit if limit else "?"), 429)
    if isinstance(exc, domain.NotFound):
        if exc.field:
            return validation_error({exc.field: [invalid_message(exc.field)]})
        return _error(404, not_found_message(exc))
    if isinstance(exc, domain.PermissionDenied):
        return _error(403, exc.message)
    if isinstance(exc, domain.InvalidArgument):
        return validation_error({exc.field or "error": [exc.message]})
    if isinstance(exc, drf.ValidationError):
        return validation_error(_flatten(exc.detail))
    if isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        return _error(403, UNAUTHORIZED)
    if isinstance(exc, drf.MethodNotAllowed):
        return _method_not_allowed(context)
    if isinstance(exc, Http404 | drf.NotFound):
        return _error(404, PAGE_NOT_FOUND)
    if isinstance(exc, RequestDataTooBig):
        return _error(413, "The request body is too large.")
    if isinstance(exc, SuspiciousOperation):
        return _error(400, "Bad request.")
    if isinstance(exc, drf.APIException):
        return _error(exc.status_code, str(exc.detail))
    logger.exception("Unhandled campaign API error", exc_info=exc)
    return _error(500, "Unhandled API error")


def _error(status: int, message: str) -> Response:
    return Response({"code": status, "error": message}, status=status)


def validation_error(fields: dict[str, list[str]]) -> Response:
    """422 `{code, error, fields}`; `error` is the first message plus Laravel's "(and N more)"."""
    messages = [m for ms in fields.values() for m in ms]
    summary = messages[0] if messages else "The given data was invalid."
    more = len(messages) - 1
    if more > 0:
        summary += f" (and {more} more error{'s' if more > 1 else ''})"
    return Response({"code": 422, "error": summary, "fields": fields}, status=422)


def invalid_message(field: str) -> str:
    return f"The selected {field.replace('_', ' ')} is invalid."


def not_found_message(exc: domain.NotFound) -> str:
    model = MODEL_NAMES.get(exc.resource, exc.resource.title())
    if exc.resource == "campaign" or exc.object_id is None:
        return f"No query results for model [App\\Models\\{model}]."
    return f"No query results for model [App\\Models\\{model}] {exc.object_id}"


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as Laravel's flat `field.0` keys."""
    if isinstance(detail, dict):
        fields = {}
        for key, value in detail.items():
            name = "error" if key == "non_field_errors" else str(key)
            fields.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
        return fields
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        fields = {}
        for index, item in enumerate(detail):
            if item:
                fields.update(_flatten(item, f"{prefix}.{index}"))
        return fields
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or "error": [str(item) for item in items]}


def _method_not_allowed(context) -> Response:
    request, view = context["request"], context["view"]
    route = request.path.removeprefix("/").removeprefix("api/")
    allowed = ", ".join(m for m in METHOD_ORDER if m in view.allowed_methods)
    return _error(
        405,
        f"The {request.method} method is not supported for route {route}. "
        f"Supported methods: {allowed}.",
    )


@csrf_exempt
def page_not_found(request, *args, **kwargs):
    """Unknown URLs under /api/ (outside the workspace API's prefixes): Kanka's unknown-route body.

    Whatever the method: without the exemption a POST, PUT, PATCH or DELETE
    would meet Django's HTML CSRF page before this view, although there is
    nothing here a forged request could change.
    """
    return JsonResponse({"error": PAGE_NOT_FOUND}, status=404)
