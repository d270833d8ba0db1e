"""The campaign API's OpenAPI pieces: error bodies, envelopes, `extend_schema` per action.

Only the schema reads these; the views render the same shapes themselves.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.IntegerField()
    error = serializers.CharField()


class ValidationErrorSerializer(ErrorSerializer):
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def envelope(name: str, serializer) -> serializers.Serializer:
    """`{"data": …}`, the body of every single-object answer."""
    return inline_serializer(name, {"data": serializer})


DELETED = envelope(
    "KankaDeleted",
    inline_serializer(
        "KankaDeletedData",
        {"id": serializers.IntegerField(), "deleted": serializers.BooleanField()},
    ),
)
ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="No or bad token."),
    404: OpenApiResponse(ErrorSerializer, description="Missing or not visible."),
    429: OpenApiResponse(
        {"type": "array", "items": {"type": "string"}},
        description="Rate limit reached; `Retry-After` says when to retry.",
    ),
}
WRITE_ERRORS = {
    **ERRORS,
    403: OpenApiResponse(ErrorSerializer, description="Not allowed."),
    422: OpenApiResponse(ValidationErrorSerializer, description="Invalid body."),
}
LIST_ERRORS = {
    **ERRORS,
    422: OpenApiResponse(ValidationErrorSerializer, description="Invalid filter."),
}


IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The `ETag` of an earlier answer: unchanged, the answer is a 304.",
)
NOT_MODIFIED = {
    304: OpenApiResponse(description="Not modified: no body, the same `ETag` header."),
}


def path_ids(*names: str) -> list[OpenApiParameter]:
    """Integer path parameters (the routes take any segment: a bad id is the model's 404)."""
    return [OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH) for name in names]


def crud_schema(
    tag: str, output, input_, *, list_errors=ERRORS, path=("campaign_id",), conditional=False
) -> dict:
    """extend_schema for each action of a Kanka resource, for `extend_schema_view(**…)`.

    `conditional`: the list and show answer `If-None-Match` (config/conditional.py).
    """
    one = envelope(f"{output.__name__.removesuffix('Output')}Envelope", output())
    body = {"application/json": input_, "multipart/form-data": input_}
    item = path_ids(*path, "id")
    write = {200: one, **WRITE_ERRORS}
    read_params, read_responses = ([IF_NONE_MATCH], NOT_MODIFIED) if conditional else ([], {})
    return {
        "list": extend_schema(
            tags=[tag],
            parameters=path_ids(*path) + read_params,
            responses={200: output(many=True), **read_responses, **list_errors},
        ),
        "retrieve": extend_schema(
            tags=[tag],
            parameters=item + read_params,
            responses={200: one, **read_responses, **ERRORS},
        ),
        "create": extend_schema(
            tags=[tag], parameters=path_ids(*path), request=body, responses=write
        ),
        "update": extend_schema(tags=[tag], parameters=item, request=body, responses=write),
        "partial_update": extend_schema(tags=[tag], parameters=item, request=body, responses=write),
        "destroy": extend_schema(
            tags=[tag], parameters=item, responses={200: DELETED, **WRITE_ERRORS}
        ),
    }
