"""What every Twist RPC method shares: error dialect, scope check, parameters, rendering.

A method is one class with one verb, `perform`: the validated parameters
(and, for a method on one conversation or message, that object and the
caller's role, resolved by the base before any other parameter is read) in,
the result out; the base renders it with the declared `output_serializer`.
"""

from django.http import HttpResponse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import token_has_scope
from config.conditional import NotModified, etag_of, is_conditional, matches
from conversations import selectors
from workspaces import selectors as workspace_selectors
from workspaces.api.errors import Code, TwistError, twist_exception_handler
from workspaces.api.params import merged_params, target_id
from workspaces.api.serializers import TwistEmptyInput, TwistErrorOutput
from workspaces.api.throttling import WorkspaceRateThrottle

READ = "messages:read"
WRITE = "messages:write"
REMOVE = "messages:remove"


def method_of(path: str) -> str:
    """The RPC method a path under /api/v1/ or /api/v3/ names: `conversations/getone`."""
    return "/".join(path.strip("/").split("/")[2:])


class TwistSchema(AutoSchema):
    """One OpenAPI operation per RPC method: its POST under /api/v1/.

    Every method also answers GET, and /api/v3/ serves the same views; listing
    those too would only repeat each operation under another id.
    """

    def is_excluded(self) -> bool:
        return self.method != "POST" or not self.path.startswith("/api/v1/")

    def get_operation_id(self) -> str:
        return "twist_" + method_of(self.path).replace("/", "_")

    def get_tags(self) -> list[str]:
        return ["workspace API (Twist): " + method_of(self.path).split("/")[0]]

    def get_description(self) -> str:
        return (
            f"{super().get_description()}\n\nAlso answers GET, with the parameters in the "
            "query string; lists may be JSON arrays, JSON-encoded strings or comma-separated. "
            f"Token scope: `{self.view.scope}`."
        )

    def get_request_serializer(self):
        if self.view.input_serializer is TwistEmptyInput:
            return None
        return self.view.input_serializer

    def get_response_serializers(self):
        output = self.view.output_serializer
        conditional = {304: NOT_MODIFIED} if self.view.validator is not None else {}
        return {
            200: output(many=True) if self.view.many else output,
            **conditional,
            **ERROR_RESPONSES,
        }

    def get_override_parameters(self):
        return [IF_NONE_MATCH] if self.view.validator is not None else []


ERROR_RESPONSES = {
    status: OpenApiResponse(TwistErrorOutput, description=f"Twist error codes {codes}")
    for status, codes in [
        (400, "19 (missing argument), 20 (invalid value), 114, 118 (attachments), 133 (actions)"),
        (401, "120 (not logged in)"),
        (403, "109 (forbidden, or the token lacks the scope), 200 (invalid token)"),
        (404, "105 (workspace), 106 (user), 124 (conversation), 125 (message)"),
    ]
}


# Conditional GET (config/conditional.py): a GET by the `ETag` of an earlier answer.
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="By GET only: the `ETag` of an earlier answer; unchanged, the answer is a 304.",
)
NOT_MODIFIED = OpenApiResponse(description="Not modified (GET only): no body, the same `ETag`.")


class TwistView(APIView):
    """Base of the RPC methods: parse the merged parameters, `perform`, render.

    Twist clients disagree on GET or POST for the same method (§3.1), so both
    answer; read methods never write whatever the HTTP method.
    """

    http_method_names = ["get", "post"]
    throttle_classes = [WorkspaceRateThrottle]
    schema = TwistSchema()
    scope = READ
    input_serializer = TwistEmptyInput
    output_serializer = None
    many = False  # the answer is a list of `output_serializer` objects
    # Hot path: a function rendering one result (a row its selector shaped) into the
    # object `output_serializer` declares; `output_serializer` then documents it only.
    output = None
    # Conditional GET: a function (params, **target) -> tuple of the values the
    # answer depends on, read from what `resolve_target` loaded; None: no ETag.
    validator = None
    # Optional, beside `validator`: a function (request, raw params) -> the same
    # tuple from one lean query (None: not visible), so that a request carrying
    # `If-None-Match` is a 304 before the target is loaded.
    lean_validator = None

    def get_exception_handler(self):
        return twist_exception_handler

    def get_view_name(self) -> str:
        """The browsable API's page title: the method, as clients call it."""
        request = getattr(self, "request", None)
        return method_of(request.path_info) if request is not None else super().get_view_name()

    @property
    def writes(self) -> bool:
        """A write method: a browser session may call it only by POST, with the CSRF token."""
        return not self.scope.endswith(":read")

    def check_permissions(self, request):
        super().check_permissions(request)
        if not token_has_scope(request.auth, self.scope):
            raise TwistError(Code.FORBIDDEN)

    def get(self, request):
        return self.answer(request)

    def post(self, request):
        return self.answer(request)

    def answer(self, request) -> Response:
        """Resolve the target, validate the other parameters, perform, render."""
        raw = merged_params(request)
        if self.lean_validator is not None and "If-None-Match" in request.headers:
            not_modified = self.not_modified(request, raw)
            if not_modified is not None:
                return not_modified
        target = self.resolve_target(request, raw)
        serializer = self.input_serializer(data=raw)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        etag = self.etag(request, params, target)
        if etag is not None and matches(request, etag):
            return NotModified(etag).response()
        response = Response(self.render(self.perform(request, params, **target), params))
        if etag is not None:
            response["ETag"] = etag
        return response

    def not_modified(self, request, raw: dict) -> HttpResponse | None:
        """The 304 when the lean validator's tag matches; None: the full path answers."""
        if request.method != "GET" or not is_conditional(request):
            return None
        validator = type(self).lean_validator(request, raw)
        if validator is None:
            return None
        serializer = self.input_serializer(data=raw)
        serializer.is_valid(raise_exception=True)
        etag = etag_of(request, sorted(serializer.validated_data.items()), *validator)
        return NotModified(etag).response() if matches(request, etag) else None

    def etag(self, request, params: dict, target: dict) -> str | None:
        """The answer's tag, for a GET of a method that declares a `validator`."""
        if self.validator is None or request.method != "GET" or not is_conditional(request):
            return None
        return etag_of(request, sorted(params.items()), *type(self).validator(params, **target))

    def resolve_target(self, request, raw: dict) -> dict:
        """What the method acts on, as keyword arguments of `perform`; none by default."""
        return {}

    def perform(self, request, params: dict, **target):
        """The method itself: the validated parameters in, what `render` shows out."""
        raise NotImplementedError

    def render(self, result, params: dict):
        output = type(self).output
        if output is not None:
            return [output(row) for row in result] if self.many else output(result)
        return self.output_serializer(
            result, many=self.many, context=self.get_serializer_context()
        ).data

    def get_serializer_context(self) -> dict:
        return {}


class ConversationMethod(TwistView):
    """A method on one of the caller's conversations: `perform` gets it and the caller's role.

    The conversation is resolved, and authorised, before any other parameter
    is validated: someone who cannot see it learns nothing from the rest
    (a huge `user_ids` costs them nothing, issue 9 §4a).
    """

    conversation_params = ("id",)  # aliases, the first one sent wins

    def resolve_target(self, request, raw):
        conversation, role = selectors.access_workspace_conversation(
            user=request.user, conversation_id=target_id(raw, self.conversation_params)
        )
        return {"conversation": conversation, "role": role}


class MessageMethod(TwistView):
    """A method on one message of the caller's conversations: `perform` gets it and the role."""

    def resolve_target(self, request, raw):
        message, role = selectors.access_workspace_message(
            user=request.user, message_id=target_id(raw, ("id",))
        )
        return {"message": message, "role": role}


class WorkspaceMethod(TwistView):
    """A method on one of the caller's workspaces: `perform` gets it and the caller's role."""

    workspace_params = ("workspace_id",)

    def resolve_target(self, request, raw):
        workspace, role = workspace_selectors.access_workspace(
            user=request.user, workspace_id=target_id(raw, self.workspace_params)
        )
        return {"workspace": workspace, "role": role}


class UnknownMethodView(APIView):
    """Any other URL under the Twist prefixes: 404 code 110, before authentication."""

    authentication_classes = []
    permission_classes = []
    renderer_classes = [JSONRenderer]
    schema = None

    def get_exception_handler(self):
        return twist_exception_handler

    def initial(self, request, *args, **kwargs):
        raise TwistError(Code.RESOURCE_NOT_FOUND)
