"""Wire-format fields of the campaign API: Kanka timestamps, image URLs, Laravel messages."""

from datetime import UTC

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def iso(value) -> str:
    """Today's Kanka form, `2018-08-22T12:35:21.000000Z` (UTC, microseconds)."""
    return value.astimezone(UTC).strftime(ISO_FORMAT)


def kanka_datetime(value):
    """The seed's object form, or ISO when `CAMPAIGN_API_DATETIME_FORMAT == "iso"`.

    The setting is read on every call, so it can change without a restart
    (and tests can switch it).
    """
    if value is None:
        return None
    if settings.CAMPAIGN_API_DATETIME_FORMAT == "iso":
        return iso(value)
    return {
        "date": value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
        "timezone_type": 3,
        "timezone": "UTC",
    }


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "object",
                "properties": {
                    "date": {"type": "string", "example": "2018-08-22 12:35:21.000000"},
                    "timezone_type": {"type": "integer", "example": 3},
                    "timezone": {"type": "string", "example": "UTC"},
                },
            },
            {"type": "string", "example": "2018-08-22T12:35:21.000000Z"},
        ]
    }
)
class KankaDateTimeField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return kanka_datetime(value)


@extend_schema_field({"type": "string", "nullable": True})
class NullIfBlankField(serializers.Field):
    """Kanka sends `null`, not `""`, for an empty entry or type."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value or None


def media_url(request, path: str) -> str | None:
    if not path:
        return None
    return request.build_absolute_uri(settings.MEDIA_URL + path)


def thumb_path(path: str) -> str:
    stem, dot, ext = path.rpartition(".")
    return f"{stem}_thumb.{ext}" if dot else f"{path}_thumb"


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class ImageUrlField(serializers.Field):
    """The absolute URL of an entity's image (or of its thumbnail), `null` when none."""

    def __init__(self, *, thumb: bool = False, **kwargs):
        self.thumb = thumb
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        if not value:
            return None
        return media_url(self.context["request"], thumb_path(value) if self.thumb else value)


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class TagIdsField(serializers.Field):
    """Tag ids (Tag rows, not their entities) from the prefetched `entity.tag_list`."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return [tag.pk for tag in value]


def laravel(field: str, **extra) -> dict[str, str]:
    """Laravel's validation messages (lang/en/validation.php) for one input field."""
    attr = field.replace("_", " ")
    required = f"The {attr} field is required."
    invalid_choice = f"The selected {attr} is invalid."
    return {
        "required": required,
        "null": required,
        "blank": required,
        "max_length": f"The {attr} may not be greater than {{max_length}} characters.",
        "invalid": f"The {attr} must be a string.",
        "invalid_choice": invalid_choice,
        "not_a_list": f"The {attr} must be an array.",
        "empty": f"The {attr} must be an array.",
        "max_string_length": f"The {attr} must be an integer.",
        "min_value": invalid_choice,
        "max_value": invalid_choice,
        **extra,
    }


def laravel_int(field: str) -> dict[str, str]:
    return laravel(field, invalid=f"The {field.replace('_', ' ')} must be an integer.")


def laravel_bool(field: str) -> dict[str, str]:
    return laravel(field, invalid=f"The {field.replace('_', ' ')} field must be true or false.")
