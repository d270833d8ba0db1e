"""reactions/add|get|remove on conversation messages (workspace-api-extras.md §2)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conversations import reactions
from conversations.selectors import access_workspace_message
from workspaces.api.extras import TwistExtrasView
from workspaces.api.params import TwistIntegerField
from workspaces.api.serializers import TwistStatusOutput

OK = {"status": "ok"}
THREAD_ARGUMENTS = ("thread_id", "comment_id")


@extend_schema_field({"type": "string", "example": "👍"})
class ReactionField(serializers.Field):
    """Any JSON value: whether it is one emoji is the domain's rule (400 code 122)."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class TwistReactionInput(serializers.Serializer):
    message_id = TwistIntegerField()
    reaction = ReactionField(help_text="Exactly one Unicode emoji, e.g. 👍 or 👍🏽.")


class TwistReactionGetInput(serializers.Serializer):
    message_id = TwistIntegerField()


# `{emoji: [user ids]}`, or `null` when the message has none (a raw schema: no serializer
# renders it, the view answers the dict itself).
REACTIONS_SCHEMA = {
    "type": "object",
    "nullable": True,
    "additionalProperties": {"type": "array", "items": {"type": "integer"}},
    "example": {"👍": [10073, 10076], "🎉": [10076]},
}


class _ReactionView(TwistExtrasView):
    out_of_scope = THREAD_ARGUMENTS


class ReactionAdd(_ReactionView):
    """React to a message of a conversation the caller takes part in (idempotent).

    Changes no version, edit time, activity or read marker.
    """

    scope = "reactions:write"
    input_serializer = TwistReactionInput
    output_serializer = TwistStatusOutput

    def perform(self, request, params):
        reaction = reactions.reaction_normalised(params["reaction"])
        message, _ = access_workspace_message(user=request.user, message_id=params["message_id"])
        reactions.reaction_add(actor=request.user, message=message, reaction=reaction)
        return OK


class ReactionGet(_ReactionView):
    """A message's reactions, `{emoji: [user ids]}`, or `null` when it has none."""

    scope = "reactions:read"
    input_serializer = TwistReactionGetInput
    output_serializer = REACTIONS_SCHEMA

    def perform(self, request, params):
        message, _ = access_workspace_message(user=request.user, message_id=params["message_id"])
        return reactions.reactions_of(message) or None


class ReactionRemove(_ReactionView):
    """Take back the caller's own reaction (no-op when absent)."""

    scope = "reactions:remove"
    input_serializer = TwistReactionInput
    output_serializer = TwistStatusOutput

    def perform(self, request, params):
        reaction = reactions.reaction_normalised(params["reaction"], for_removal=True)
        message, _ = access_workspace_message(user=request.user, message_id=params["message_id"])
        reactions.reaction_remove(actor=request.user, message=message, reaction=reaction)
        return OK
