"""What every Twist RPC method shares: error dialect, scope check, parameter parsing."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import token_has_scope
from workspaces.api.errors import Code, TwistError, twist_exception_handler
from workspaces.api.params import merged_params
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
        return {200: self.view.output_serializer, **ERROR_RESPONSES}


ERROR_RESPONSES = {
    status: OpenApiResponse(TwistErrorOutput, description=f"Twist error codes {codes}")
    for status, codes in [
        (400, "19 (missing argument), 20 (invalid value), 114, 118 (attachments), 133 (actions)"),
        (401, "120 (not logged in)"),
        (403, "109 (forbidden, or the token lacks the scope), 200 (invalid token)"),
        (404, "105 (workspace), 106 (user), 124 (conversation), 125 (message)"),
    ]
}


class TwistView(APIView):
    """Base of the RPC methods: parse and validate the merged parameters, then `call()`.

    Twist clients disagree on GET or POST for the same method (§3.1), so both
    answer; read methods never write whatever the HTTP method.
    """

    http_method_names = ["get", "post"]
    throttle_classes = [WorkspaceRateThrottle]
    schema = TwistSchema()
    scope = READ
    input_serializer = TwistEmptyInput
    output_serializer = None

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
        return self._answer(request)

    def post(self, request):
        return self._answer(request)

    def _answer(self, request):
        serializer = self.input_serializer(data=merged_params(request))
        serializer.is_valid(raise_exception=True)
        return Response(self.call(request, serializer.validated_data))

    def call(self, request, params: dict):
        """The method itself: the validated parameters in, the JSON-ready answer out."""
        raise NotImplementedError


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
