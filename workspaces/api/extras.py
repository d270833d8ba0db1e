"""What the extras methods (reactions, search, attachments, batch) share on top of TwistView."""

from drf_spectacular.openapi import AutoSchema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.renderers import ParleyBrowsableAPIRenderer
from workspaces.api.base import TwistSchema, TwistView
from workspaces.api.errors import Code, TwistError
from workspaces.api.params import merged_params


class NullJSONRenderer(JSONRenderer):
    """JSON that renders `None` as the bytes `null`: DRF sends an empty body, which the
    official SDK reads as `undefined` (workspace-api-extras.md §2.3)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b"null"
        return super().render(data, accepted_media_type, renderer_context)


class PostOnlySchema(TwistSchema):
    """The operation of a method that answers only POST (batch, attachments/upload)."""

    def get_description(self) -> str:
        return f"{AutoSchema.get_description(self)}\n\nPOST only. Token scope: `{self.view.scope}`."


def refuse_out_of_scope(params: dict, names: tuple[str, ...]) -> None:
    """Thread and channel arguments are out of scope: 400/20 naming the first one given.

    Given means present, not null and not empty (extras decision table).
    """
    for name in names:
        if params.get(name) not in (None, "", [], {}):
            raise TwistError(Code.INVALID_ARGUMENT, extra={"argument": name})


class TwistExtrasView(TwistView):
    """A TwistView that refuses `out_of_scope` arguments before validating the others."""

    out_of_scope: tuple[str, ...] = ()
    renderer_classes = [NullJSONRenderer, ParleyBrowsableAPIRenderer]

    def refuse(self, params: dict) -> None:
        """Arguments of Twist features Parley does not serve: 400/20 before any other check."""
        refuse_out_of_scope(params, self.out_of_scope)

    def answer(self, request) -> Response:
        """Refuse out-of-scope arguments, validate, perform; `perform` answers JSON-ready data."""
        params = merged_params(request)
        self.refuse(params)
        serializer = self.input_serializer(data=params)
        serializer.is_valid(raise_exception=True)
        return Response(self.perform(request, serializer.validated_data))
