"""Input (shape only) and output (wire format) serializers of the campaign API.

Input serializers validate and normalise; they never write. Validation
messages are Laravel's, since Kanka clients show them. Output serializers read
only what the selectors loaded (entity, `entity.tag_list`, annotated counts);
they are the OpenAPI schema's source, and the hot reads render the same dicts
without them (campaigns/api/rendering.py).
"""

from django.conf import settings
from django.utils.html import strip_tags
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from campaigns.api.fields import (
    ImageUrlField,
    KankaDateTimeField,
    NullIfBlankField,
    TagIdsField,
    laravel,
    laravel_bool,
    laravel_int,
)
from campaigns.api.targets import TARGET_IDS, TARGET_NAMES, TARGETS_BY_ID, target_of_name
from campaigns.api.throttling import limit_for
from campaigns.images import ImageRejected, image_from_upload
from conversations.ids import MAX_ID
from conversations.models import Conversation


def _id_field(name: str, **kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=MAX_ID, error_messages=laravel_int(name), **kwargs
    )


def _optional_text(name: str, *, max_length: int) -> serializers.CharField:
    """A short text that may be left out, blank or null (`validate` makes null blank)."""
    return serializers.CharField(
        max_length=max_length,
        required=False,
        allow_blank=True,
        allow_null=True,
        error_messages=laravel(name),
    )


# --- input --------------------------------------------------------------------------


class IdListField(serializers.ListField):
    """A list of ids from a JSON array or repeated form keys (`tags=1&tags=2`, `tags[]=1`)."""

    def get_value(self, dictionary):
        bracketed = f"{self.field_name}[]"
        if html.is_html_input(dictionary) and bracketed in dictionary:
            return dictionary.getlist(bracketed)
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        """At most `ID_LIST_MAX` ids, counted before any is read (Laravel's array `max` rule)."""
        if isinstance(data, list | tuple) and len(data) > settings.ID_LIST_MAX:
            raise serializers.ValidationError(
                f"The {self.field_name} may not have more than {settings.ID_LIST_MAX} items."
            )
        return super().to_internal_value(data)


class EntityInput(serializers.Serializer):
    """Fields every Kanka entity takes. PUT and PATCH are both partial (Kanka's `clean()`)."""

    name = serializers.CharField(max_length=191, error_messages=laravel("name"))
    type = _optional_text("type", max_length=45)
    entry = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        trim_whitespace=False,
        error_messages=laravel("entry"),
    )
    is_private = serializers.BooleanField(
        required=False, allow_null=True, error_messages=laravel_bool("is_private")
    )
    tags = IdListField(
        child=serializers.IntegerField(
            min_value=1,
            max_value=MAX_ID,
            error_messages=dict.fromkeys(
                ("invalid", "min_value", "max_value", "max_string_length"),
                "The selected tags is invalid.",
            ),
        ),
        source="tag_ids",
        required=False,
        allow_null=True,
        allow_empty=True,
        error_messages=laravel("tags"),
    )
    image = serializers.FileField(
        required=False,
        allow_null=True,
        allow_empty_file=False,
        error_messages=laravel(
            "image",
            invalid="The image must be a file.",
            empty="The image must be an image.",
            no_name="The image must be a file.",
        ),
    )
    image_url = serializers.URLField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=2000,
        error_messages=laravel("image_url", invalid="The image url format is invalid."),
    )

    def validate_name(self, value: str) -> str:
        value = strip_tags(value).strip()
        if not value:
            raise serializers.ValidationError("The name field is required.")
        return value

    def validate_type(self, value):
        return strip_tags(value).strip() if value else ""

    def validate_is_private(self, value):
        return bool(value)

    def validate_tags(self, value):
        return value or []

    def validate_image(self, value):
        """Decoded and re-encoded here, so a non-image is a 422 like any other bad field."""
        if value is None:
            return None
        try:
            return image_from_upload(value)
        except ImageRejected as error:
            raise serializers.ValidationError(error.message) from None

    def validate(self, attrs):
        for field in self.blank_to_empty:
            if field in attrs and attrs[field] is None:
                attrs[field] = ""
        return attrs

    blank_to_empty = ("entry",)


class ConversationInput(EntityInput):
    target = serializers.ChoiceField(
        choices=list(TARGET_NAMES),
        required=False,
        error_messages=laravel("target"),
    )
    target_id = serializers.ChoiceField(
        choices=list(TARGETS_BY_ID), required=False, error_messages=laravel("target_id")
    )
    is_closed = serializers.BooleanField(
        required=False, allow_null=True, error_messages=laravel_bool("is_closed")
    )

    def validate_is_closed(self, value):
        return bool(value)

    def validate(self, attrs):
        """`target` (`users` means members) or `target_id` (1, 2) give the one `target`."""
        attrs = super().validate(attrs)
        target = attrs.pop("target", None)
        target_id = attrs.pop("target_id", None)
        if target_id is not None:
            attrs["target"] = TARGETS_BY_ID[target_id]
        elif target is not None:
            attrs["target"] = target_of_name(target)
        return attrs


class CharacterInput(EntityInput):
    title = _optional_text("title", max_length=191)
    age = _optional_text("age", max_length=191)
    sex = _optional_text("sex", max_length=191)
    pronouns = _optional_text("pronouns", max_length=45)
    is_dead = serializers.BooleanField(
        required=False, allow_null=True, error_messages=laravel_bool("is_dead")
    )

    blank_to_empty = ("entry", "title", "age", "sex", "pronouns")

    def validate_is_dead(self, value):
        return bool(value)


class TagInput(EntityInput):
    colour = _optional_text("colour", max_length=20)
    # The parent tag: `tag_id` on the wire, `parent_id` in the services.
    tag_id = _id_field("tag_id", source="parent_id", required=False, allow_null=True)

    blank_to_empty = ("entry", "colour")


class ParticipantInput(serializers.Serializer):
    """Exactly one of a campaign character or a campaign member."""

    character_id = _id_field("character_id", required=False, allow_null=True)
    user_id = _id_field("user_id", required=False, allow_null=True)

    def validate(self, attrs):
        if not self.partial and attrs.get("character_id") is None and attrs.get("user_id") is None:
            raise serializers.ValidationError(
                {
                    "character_id": [
                        "The character id field is required when none of user id are present."
                    ],
                    "user_id": [
                        "The user id field is required when none of character id are present."
                    ],
                }
            )
        return attrs


class MessageInput(serializers.Serializer):
    """`message` as sent (Kanka stores it raw); the author is the client's to give, or none."""

    # Capped by MESSAGE_MAX_LENGTH (read at start-up, so the schema shows it):
    # longer is Kanka's 422 on `message` and nothing is stored.
    message = serializers.CharField(
        trim_whitespace=False,
        max_length=settings.MESSAGE_MAX_LENGTH,
        error_messages=laravel("message"),
    )
    character_id = _id_field("character_id", required=False, allow_null=True)
    user_id = _id_field("user_id", required=False, allow_null=True)


# --- output -------------------------------------------------------------------------


@extend_schema_field({"type": "string", "nullable": True})
class NullField(serializers.Field):
    """A key Kanka sends that Parley has no value for (a campaign's image, a user's avatar)."""

    def __init__(self):
        super().__init__(source="*", read_only=True)

    def to_representation(self, value):
        return None


class EntityOutput(serializers.Serializer):
    """The entity fields of characters and tags (their own `id` first, as in Kanka)."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="entity.name")
    entry = NullIfBlankField(source="entity.entry")
    image = NullIfBlankField(source="entity.image")
    image_full = ImageUrlField(source="entity.image")
    image_thumb = ImageUrlField(source="entity.image", thumb=True)
    is_private = serializers.BooleanField(source="entity.is_private")
    entity_id = serializers.IntegerField()
    tags = TagIdsField(source="entity.tag_list")
    created_at = KankaDateTimeField(source="entity.created_at")
    created_by = serializers.IntegerField(source="entity.created_by_id", allow_null=True)
    updated_at = KankaDateTimeField(source="entity.updated_at")
    updated_by = serializers.IntegerField(source="entity.updated_by_id", allow_null=True)
    type = NullIfBlankField(source="entity.type")


class CharacterOutput(EntityOutput):
    title = NullIfBlankField()
    age = NullIfBlankField()
    sex = NullIfBlankField()
    pronouns = NullIfBlankField()
    is_dead = serializers.BooleanField()


class TagOutput(EntityOutput):
    colour = NullIfBlankField()
    tag_id = serializers.IntegerField(source="parent_id", allow_null=True)


# The schema's source and the events' rendering (events/render.py); the API's own
# answers render the same dicts from `.values()` rows (hot path:
# campaigns/api/rendering.py, held equal by tests/campaigns/test_rendering.py).
# Comments, not the docstring: the docstring is the schema's description.
class ConversationOutput(EntityOutput):
    """The seed's keys in the seed's order, then `target_id` and `is_closed` from today's Kanka.

    Name, privacy and timestamps come from the conversation (`updated_at`
    moves with messages, participants and entity changes); entry, type, image
    and tags from its entity.
    """

    # Redeclared fields keep EntityOutput's key order (DRF replaces them in place).
    name = serializers.CharField(source="title")
    is_private = serializers.BooleanField()
    created_at = KankaDateTimeField()
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    updated_at = KankaDateTimeField()
    updated_by = serializers.IntegerField(source="updated_by_id", allow_null=True)
    target = serializers.ChoiceField(choices=Conversation.Target.values)
    participants = serializers.IntegerField(source="participant_count")
    messages = serializers.IntegerField(source="message_count")
    target_id = serializers.SerializerMethodField()
    is_closed = serializers.BooleanField()

    @extend_schema_field({"type": "integer", "enum": [1, 2]})
    def get_target_id(self, conversation) -> int:
        return TARGET_IDS[conversation.target]


# The schema's source; renders a single participant and the events. The list renders
# the same dicts (hot path: campaigns/api/rendering.py).
class ParticipantOutput(serializers.Serializer):
    """The seed's keys in the seed's order, then `id` (clients need it to update or delete)."""

    conversation_id = serializers.IntegerField()
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    character_id = serializers.IntegerField(allow_null=True)
    user_id = serializers.IntegerField(allow_null=True)
    id = serializers.IntegerField()


# The schema's source; renders a single message, the writes and the events. The list
# renders the same dicts (hot path: campaigns/api/rendering.py).
class MessageOutput(serializers.Serializer):
    """The seed's keys in the seed's order, then `id` and the timestamps."""

    conversation_id = serializers.IntegerField()
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    character_id = serializers.IntegerField(source="author_character_id", allow_null=True)
    user_id = serializers.IntegerField(source="author_user_id", allow_null=True)
    message = serializers.CharField(source="content")
    id = serializers.IntegerField()
    created_at = KankaDateTimeField()
    updated_at = KankaDateTimeField()


class CampaignOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    locale = serializers.SerializerMethodField()
    entry = NullField()
    image = NullField()
    image_full = NullField()
    image_thumb = NullField()
    visibility = serializers.SerializerMethodField()
    is_public = serializers.BooleanField()
    created_at = KankaDateTimeField()
    updated_at = KankaDateTimeField()

    def get_locale(self, campaign) -> str:
        return "en"

    @extend_schema_field({"type": "string", "enum": ["public", "private"]})
    def get_visibility(self, campaign) -> str:
        return "public" if campaign.is_public else "private"


class ProfileOutput(serializers.Serializer):
    """Kanka's ProfileResource, with what Parley knows of the user."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    avatar = NullField()
    avatar_thumb = NullField()
    locale = serializers.SerializerMethodField()
    timezone = serializers.SerializerMethodField()
    is_patreon = serializers.BooleanField(source="is_subscriber")
    is_subscriber = serializers.BooleanField()
    rate_limit = serializers.SerializerMethodField()

    def get_locale(self, user) -> str:
        return "en"

    def get_timezone(self, user) -> str:
        return "UTC"

    def get_rate_limit(self, user) -> int:
        return limit_for(user)
