"""Input (parameters) and output (v3 objects, workspace-api.md §2) of the Twist dialect.

Input serializers validate shape only; output serializers read only what the
selectors loaded (annotations, `select_related`, batches): no queries. A
message and a conversation are rendered by plain functions (`message_output`,
`conversation_output`; hot path): their serializers declare the schema and
render through them.

Names carry a `Twist` prefix so the OpenAPI components never clash with the
campaign API's.
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conversations.reactions import reactions_of
from conversations.rules import is_private_workspace_conversation, mute_in_effect
from workspaces.api.params import (
    ActionListField,
    AttachmentListField,
    ContentField,
    IntListField,
    OrderField,
    TwistBooleanField,
    TwistIntegerField,
)
from workspaces.api.timestamps import NewerThanTsParam, OlderThanTsParam, TimestampField, to_ts

SNIPPET_LENGTH = 140
CONVERSATIONS_LIMIT = (50, 500)  # (default, maximum) of conversations/get
MESSAGES_LIMIT = (20, 200)  # (default, maximum) of conversation_messages/get


# --- input ------------------------------------------------------------------


def limit_field():
    """A `limit` parameter as Twist reads it: any integer, clamped by `clamped_limit`."""
    return TwistIntegerField(required=False, min_value=None, max_value=None)


def clamped_limit(value, bounds) -> int:
    """Twist clamps a large limit rather than refusing it; zero or less is a bad value."""
    default, maximum = bounds
    if value is None:
        return default
    if value <= 0:
        raise serializers.ValidationError({"limit": "Must be positive."}, code="invalid")
    return min(value, maximum)


def _first_of(attrs: dict, *names: str):
    """The value of the first alias given (Twist renamed parameters between versions)."""
    for name in names:
        if attrs.get(name) is not None:
            return attrs[name]
    raise serializers.ValidationError({names[0]: "This field is required."}, code="required")


class TwistEmptyInput(serializers.Serializer):
    pass


class TwistIdInput(serializers.Serializer):
    id = TwistIntegerField()


class TwistConversationsGetInput(serializers.Serializer):
    # `newer_than_ts`/`older_than_ts` validate as the datetimes `newer_than`/`older_than`.
    workspace_id = TwistIntegerField()
    limit = limit_field()
    newer_than_ts = NewerThanTsParam(source="newer_than")
    older_than_ts = OlderThanTsParam(source="older_than")
    order_by = OrderField(required=False, default="DESC")
    archived = TwistBooleanField(required=False, default=False)

    def validate(self, attrs):
        attrs["limit"] = clamped_limit(attrs.get("limit"), CONVERSATIONS_LIMIT)
        return attrs


class TwistGetOrCreateInput(serializers.Serializer):
    workspace_id = TwistIntegerField()
    user_ids = IntListField()


class TwistConversationUpdateInput(serializers.Serializer):
    id = TwistIntegerField()
    # Twist's docs mark title required, but the SDK may send only `archived`:
    # a missing title leaves it unchanged; "" or null clears it.
    title = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=191)
    archived = TwistBooleanField(required=False)


class TwistUserInput(serializers.Serializer):
    """One user; validated as the one-element `user_ids` of the *_users methods."""

    id = TwistIntegerField()
    user_id = TwistIntegerField()

    def validate(self, attrs):
        return {"id": attrs["id"], "user_ids": [attrs["user_id"]]}


class TwistUsersInput(serializers.Serializer):
    id = TwistIntegerField()
    user_ids = IntListField()


class TwistUnreadInput(serializers.Serializer):
    workspace_id = TwistIntegerField(required=False)
    id = TwistIntegerField(required=False, help_text="Alias of workspace_id (v1/v2 examples).")

    def validate(self, attrs):
        return {"workspace_id": _first_of(attrs, "workspace_id", "id")}


class TwistMarkInput(serializers.Serializer):
    """Without a position, the newest message: the official SDK sends `{"id": …}` alone."""

    id = TwistIntegerField(required=False, help_text="The conversation (v3).")
    conversation_id = TwistIntegerField(required=False, help_text="Alias of id (v1/v2).")
    obj_index = TwistIntegerField(required=False, min_value=0)
    message_id = TwistIntegerField(required=False, help_text="Wins over obj_index.")

    def validate(self, attrs):
        return {
            "id": _first_of(attrs, "id", "conversation_id"),
            "obj_index": attrs.get("obj_index"),
            "message_id": attrs.get("message_id"),
        }


class TwistMuteInput(serializers.Serializer):
    id = TwistIntegerField()
    # Bounded so that now + minutes stays a valid datetime; <= 0 is the domain's to refuse.
    minutes = TwistIntegerField(max_value=10**9)


class TwistMessagesGetInput(serializers.Serializer):
    # `newer_than_ts`/`older_than_ts` validate as the datetimes `newer_than`/`older_than`.
    conversation_id = TwistIntegerField()
    limit = limit_field()
    from_obj_index = TwistIntegerField(required=False)
    to_obj_index = TwistIntegerField(required=False)
    newer_than_ts = NewerThanTsParam(source="newer_than")
    older_than_ts = OlderThanTsParam(source="older_than")
    order_by = OrderField(required=False, default="DESC")
    as_ids = TwistBooleanField(required=False, default=False)

    def validate(self, attrs):
        attrs["limit"] = clamped_limit(attrs.get("limit"), MESSAGES_LIMIT)
        return attrs


class TwistMessageAddInput(serializers.Serializer):
    conversation_id = TwistIntegerField()
    content = ContentField()
    attachments = AttachmentListField(required=False)
    actions = ActionListField(required=False)
    direct_mentions = IntListField(
        required=False, help_text="Default: the twist-mention:// links of the content."
    )
    direct_group_mentions = IntListField(required=False)


class TwistMessageUpdateInput(serializers.Serializer):
    id = TwistIntegerField()
    content = ContentField(required=False)
    attachments = AttachmentListField(required=False)
    actions = ActionListField(required=False)
    direct_mentions = IntListField(required=False)


# --- output -----------------------------------------------------------------


def message_output(row: dict) -> dict:
    """A message (§2.2) from a row `workspaces.selectors` shaped (its `.values()` fields,
    `creator_name`, `reactions`, `direct_mention_ids`, `workspace_id`).

    Hot path: a plain dict, the same keys, order and values `TwistMessageOutput`
    declares, without DRF's per-field work (a page renders 50 of these).
    """
    edited_at = row["edited_at"]
    return {
        "id": row["id"],
        "conversation_id": row["conversation_id"],
        "workspace_id": row["workspace_id"],
        "creator": row["created_by_id"],
        "creator_name": row["creator_name"],
        "content": row["content"],
        "obj_index": row["obj_index"],
        "posted_ts": to_ts(row["created_at"]),
        "last_edited_ts": None if edited_at is None else to_ts(edited_at),
        "attachments": row["attachments"],
        "actions": row["actions"],
        # {} when there are none, as Twist sends.
        "reactions": row["reactions"],
        "direct_mentions": row["direct_mention_ids"],
        "direct_group_mentions": row["direct_group_mentions"],
        "system_message": row["system_message"],
        # Deleted and moderator-removed messages are never rendered (Message.objects).
        "deleted": False,
        "is_deleted": False,
        "version": row["version"],
    }


def message_row(message) -> dict:
    """The row `message_output` renders, from a Message the selectors loaded
    (`messages_for_output`: creator, reactions, `workspace_id`; `direct_mention_ids`)."""
    creator = message.created_by
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "workspace_id": message.workspace_id,
        "created_by_id": message.created_by_id,
        "creator_name": creator.name if creator else "",
        "content": message.content,
        "obj_index": message.obj_index,
        "created_at": message.created_at,
        "edited_at": message.edited_at,
        "attachments": message.attachments,
        "actions": message.actions,
        "reactions": reactions_of(message),
        "direct_mention_ids": message.direct_mention_ids,
        "direct_group_mentions": message.direct_group_mentions,
        "system_message": message.system_message,
        "version": message.version,
    }


def conversation_output(row: dict) -> dict:
    """A conversation (§2.1) as the caller sees it, from a row `workspaces.selectors` shaped
    (its fields, the caller's `my_*`, `user_ids`, `last_message`: a `message_output` row).

    Hot path: a plain dict, as `message_output`, for `TwistConversationOutput`.
    """
    user_ids = row["user_ids"]
    last = row["last_message"]
    until = mute_in_effect(row["my_muted_until"])
    return {
        "id": row["id"],
        "workspace_id": row["workspace_id"],
        "creator": row["created_by_id"],
        "created_ts": to_ts(row["created_at"]),
        "user_ids": user_ids,
        "title": row["title"] or None,
        "private": is_private_workspace_conversation(len(user_ids)),
        "archived": bool(row["my_archived"]),
        "muted_until_ts": None if until is None else to_ts(until),
        "message_count": row["message_count"],
        "last_obj_index": row["last_obj_index"],
        "last_active_ts": to_ts(row["last_activity_at"]),
        "snippet": last["content"][:SNIPPET_LENGTH] if last else "",
        "snippet_creators": row["recent_creator_ids"],
        "last_message": None if last is None else message_output(last),
    }


def conversation_row(conversation) -> dict:
    """The row `conversation_output` renders, from a Conversation the selectors loaded
    (`conversations_of_user`'s shape and `load_people`)."""
    last = conversation.last_message
    return {
        "id": conversation.pk,
        "workspace_id": conversation.workspace_id,
        "created_by_id": conversation.created_by_id,
        "created_at": conversation.created_at,
        "user_ids": conversation.user_ids,
        "title": conversation.title,
        "my_archived": conversation.my_archived,
        "my_muted_until": conversation.my_muted_until,
        "message_count": conversation.message_count,
        "last_obj_index": conversation.last_obj_index,
        "last_activity_at": conversation.last_activity_at,
        "recent_creator_ids": conversation.recent_creator_ids,
        "last_message": None if last is None else message_row(last),
    }


class TwistMessageOutput(serializers.Serializer):
    """A message (§2.2); expects `messages_for_output` (creator, conversation, mentions)."""

    # The docstring is the schema's description (kept byte-identical): what it reads is
    # what `workspaces.selectors` loads, the creator, `workspace_id` and `direct_mention_ids`.
    # The fields are the OpenAPI schema's source (drf-spectacular reads them); rendering
    # is `message_output`'s (hot path), for a Message through `message_row`.

    id = serializers.IntegerField()
    conversation_id = serializers.IntegerField()
    workspace_id = serializers.IntegerField()
    creator = serializers.IntegerField(source="created_by_id", allow_null=True)
    creator_name = serializers.SerializerMethodField()
    content = serializers.CharField()
    obj_index = serializers.IntegerField()
    posted_ts = TimestampField(source="created_at")
    last_edited_ts = TimestampField(source="edited_at", allow_null=True)
    attachments = serializers.ListField(child=serializers.DictField())
    actions = serializers.ListField(child=serializers.DictField())
    reactions = serializers.SerializerMethodField()
    direct_mentions = serializers.SerializerMethodField()
    direct_group_mentions = serializers.ListField(child=serializers.IntegerField())
    system_message = serializers.JSONField(allow_null=True)
    deleted = serializers.SerializerMethodField()
    is_deleted = serializers.SerializerMethodField()
    version = serializers.IntegerField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_creator_name(self, message) -> str:
        raise NotImplementedError  # schema only

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "integer"}}}
    )
    def get_reactions(self, message) -> dict:
        raise NotImplementedError  # schema only

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_direct_mentions(self, message) -> list[int]:
        raise NotImplementedError  # schema only

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_deleted(self, message) -> bool:
        raise NotImplementedError  # schema only

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_deleted(self, message) -> bool:
        raise NotImplementedError  # schema only

    def to_representation(self, message):
        return message_output(message_row(message))


class TwistConversationOutput(serializers.Serializer):
    """A conversation (§2.1) as the caller sees it; expects `conversations_of_user` rows."""

    # The docstring is the schema's description (kept byte-identical): what it reads is
    # what `workspaces.selectors` loads, the caller's `my_*` state, `user_ids`, `last_message`.
    # The fields are the OpenAPI schema's source; rendering is `conversation_output`'s
    # (hot path), for a Conversation through `conversation_row`.

    id = serializers.IntegerField()
    workspace_id = serializers.IntegerField()
    creator = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_ts = TimestampField(source="created_at")
    user_ids = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    private = serializers.SerializerMethodField()
    archived = serializers.BooleanField(source="my_archived")
    muted_until_ts = serializers.SerializerMethodField()
    message_count = serializers.IntegerField()
    last_obj_index = serializers.IntegerField()
    last_active_ts = TimestampField(source="last_activity_at")
    snippet = serializers.SerializerMethodField()
    snippet_creators = serializers.ListField(
        child=serializers.IntegerField(), source="recent_creator_ids"
    )
    last_message = TwistMessageOutput(allow_null=True)

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_user_ids(self, conversation) -> list[int]:
        raise NotImplementedError  # schema only

    @extend_schema_field({"type": "string", "nullable": True})
    def get_title(self, conversation):
        raise NotImplementedError  # schema only

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_private(self, conversation) -> bool:
        raise NotImplementedError  # schema only

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_muted_until_ts(self, conversation):
        raise NotImplementedError  # schema only

    @extend_schema_field(OpenApiTypes.STR)
    def get_snippet(self, conversation) -> str:
        raise NotImplementedError  # schema only

    def to_representation(self, conversation):
        return conversation_output(conversation_row(conversation))


class TwistUnreadOutput(serializers.Serializer):
    conversation_id = serializers.IntegerField()
    obj_index = serializers.IntegerField()
    direct_mention = serializers.BooleanField()


class TwistStatusOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok"])


class TwistWorkspaceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    creator = serializers.IntegerField(source="creator_id", allow_null=True)
    created_ts = TimestampField(source="created_at")


class TwistSessionUserOutput(serializers.Serializer):
    """The caller; expects `default_workspace` in the context.

    `lang`, `bot` and `removed` are required by the official SDK's user schema.
    """

    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.SerializerMethodField()
    email = serializers.EmailField()
    timezone = serializers.SerializerMethodField()
    lang = serializers.SerializerMethodField()
    bot = serializers.SerializerMethodField()
    removed = serializers.SerializerMethodField()
    default_workspace = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_short_name(self, user) -> str:
        return user.first_name or user.name.split(" ")[0]

    @extend_schema_field(OpenApiTypes.STR)
    def get_timezone(self, user) -> str:
        return settings.TIME_ZONE

    @extend_schema_field(OpenApiTypes.STR)
    def get_lang(self, user) -> str:
        return settings.LANGUAGE_CODE.split("-")[0]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_bot(self, user) -> bool:
        return False

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_removed(self, user) -> bool:
        # Twist's "removed" user: deactivated, or suspended by a moderator.
        return not user.is_active or user.is_suspended

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_default_workspace(self, user):
        return self.context["default_workspace"]


class TwistErrorOutput(serializers.Serializer):
    error_uuid = serializers.CharField(help_text="32 lowercase hex characters, unique per error.")
    error_code = serializers.IntegerField()
    error_extra = serializers.DictField()
    error_string = serializers.CharField()
