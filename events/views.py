"""The stream URLs as Django sees them: documented in the schema, 501 under WSGI.

Under ASGI `events.asgi.Router` answers these paths before Django; a WSGI
server (gunicorn's sync workers, runserver) reaches these views instead,
which say so in each dialect's error format (events.md §3.4).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.api.openapi import ErrorSerializer, ValidationErrorSerializer
from workspaces.api.errors import Code, error_body
from workspaces.api.serializers import TwistErrorOutput

STREAM = OpenApiResponse(
    {"type": "string"},
    description=(
        "`text/event-stream; charset=utf-8`: `retry: 3000`, then frames `id:` (opaque cursor), "
        "`event:` (a type of events.md §2), `data:` (the object as the dialect's show endpoint "
        "renders it for the caller); `stream.ready` after the replay, `: keepalive` every 15 s, "
        "`stream.reset` for a cursor past the retention window, `stream.closed` before closing."
    ),
)
KANKA_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="No or bad token."),
    404: OpenApiResponse(ErrorSerializer, description="Missing or not visible."),
    422: OpenApiResponse(ValidationErrorSerializer, description="Bad `since` or `types`."),
    429: OpenApiResponse(
        {
            "oneOf": [
                {"$ref": "#/components/schemas/Error"},
                {"type": "array", "items": {"type": "string"}},
            ]
        },
        description="Over 5 open streams (`{code, error}`, `Retry-After: 30`), or the rate limit "
        "reached: opening a stream counts as a request (Kanka's list of one sentence, "
        "`Retry-After` until the window turns).",
    ),
    501: OpenApiResponse(ErrorSerializer, description="Served by a WSGI server."),
}
TWIST_ERRORS = {
    status: OpenApiResponse(TwistErrorOutput, description=f"Twist error codes {codes}")
    for status, codes in [
        (400, "19 (`workspace_id` missing), 20 (bad `since` or `types`)"),
        (401, "120 (not logged in)"),
        (403, "109 (no `messages:read`), 200 (invalid token)"),
        (404, "105 (workspace)"),
        (429, "429 (over 5 open streams, or the rate limit reached; `Retry-After`)"),
        (501, "501 (served by a WSGI server)"),
    ]
}
COMMON = [
    OpenApiParameter(
        "Last-Event-ID",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="Resume after this cursor (wins over `since`).",
    ),
    OpenApiParameter(
        "since", OpenApiTypes.STR, description="Resume after this cursor (digits and dots)."
    ),
    OpenApiParameter(
        "types", OpenApiTypes.STR, description="Comma list of event types; `stream.*` always."
    ),
]


class _StreamView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    throttle_classes = []


class CampaignEventsView(_StreamView):
    """Server-Sent Events of a campaign (members, or anyone for a public campaign)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            *COMMON,
        ],
        responses={(200, "text/event-stream"): STREAM, **KANKA_ERRORS},
        auth=[{"bearerAuth": []}],
        description="Bearer token only; opening a stream counts against the rate limit "
        "(`X-RateLimit-*` sent). Needs the ASGI server; under WSGI this answers 501.",
    )
    def get(self, request, campaign_id):
        return Response({"code": 501, "error": "Event streams need the ASGI server."}, 501)


class WorkspaceEventsView(_StreamView):
    """Server-Sent Events of a workspace's conversations the caller takes part in."""

    @extend_schema(exclude=True)
    def get(self, request):
        return self._not_served()

    @extend_schema(
        parameters=COMMON[:1],
        request=inline_serializer(
            "TwistEventsInput",
            {
                "workspace_id": serializers.IntegerField(),
                "since": serializers.CharField(required=False, help_text=COMMON[1].description),
                "types": serializers.CharField(required=False, help_text=COMMON[2].description),
            },
        ),
        responses={(200, "text/event-stream"): STREAM, **TWIST_ERRORS},
        auth=[{"bearerAuth": []}],
        description=(
            "Bearer token with scope `messages:read`; opening a stream counts against the rate "
            "limit. Also answers GET, with the parameters in the query string, and under "
            "/api/v3/. Needs the ASGI server; under WSGI this answers 501."
        ),
    )
    def post(self, request):
        return self._not_served()

    def _not_served(self):
        body = error_body(Code.INTERNAL_ERROR) | {
            "error_code": 501,
            "error_string": "Event streams need the ASGI server",
        }
        return Response(body, 501)


@extend_schema(exclude=True)
class WorkspaceEventsV3View(WorkspaceEventsView):
    """The same under /api/v3/ (left out of the schema, like every v3 path)."""
