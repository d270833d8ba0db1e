"""List filters of the campaign API (django-filter): the decision table's keys and `lastSync`.

A malformed value is a 422 on that key (DjangoFilterBackend raises a
ValidationError, which `errors.py` renders), never a 500.
"""

from datetime import UTC

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from campaigns.api.targets import TARGET_NAMES, TARGETS_BY_ID, target_of_name
from campaigns.models import Entity
from conversations.ids import MAX_ID
from conversations.models import Conversation, Message
from conversations.policy import visible_filter

INVALID_LAST_SYNC = "The last sync is not a valid date."


def _parse(text: str):
    try:
        return parse_datetime(text)
    except ValueError:
        return None


class LastSyncField(forms.Field):
    """ISO 8601 or `YYYY-MM-DD HH:MM:SS`; a time without zone is UTC.

    The value is handed to the database in UTC: PostgreSQL refuses offsets
    beyond ±15:59 that Python accepts (up to ±23:59), and an instant that
    leaves years 1 to 9999 in UTC (`0001-01-01T00:00:00+01:00`) cannot be
    converted at all, so it is invalid here rather than a 500 there.
    """

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = value.strip()
        parsed = _parse(text)
        if parsed is None and " " in text:
            # An unencoded "+" of a UTC offset arrives as a space.
            head, _, offset = text.rpartition(" ")
            parsed = _parse(f"{head}+{offset}")
        if parsed is None:
            raise forms.ValidationError(INVALID_LAST_SYNC)
        if timezone.is_naive(parsed):
            return parsed.replace(tzinfo=UTC)
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(INVALID_LAST_SYNC) from None


@extend_schema_field(OpenApiTypes.DATETIME)
class LastSyncFilter(django_filters.Filter):
    """Rows changed strictly after the client's last sync (`updated_at > lastSync`)."""

    field_class = LastSyncField

    def __init__(self, **kwargs):
        super().__init__(field_name="updated_at", lookup_expr="gt", **kwargs)


def _invalid(name: str) -> str:
    return f"The selected {name.replace('_', ' ')} is invalid."


class IdField(forms.IntegerField):
    """A positive 64-bit id: anything else (a huge number too, which the database
    cannot compare) is a 422 on that key, never a 500."""

    def __init__(self, *, label=None, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)
        message = _invalid(label or "id")
        for code in ("invalid", "min_value", "max_value"):
            self.error_messages[code] = message


@extend_schema_field({"type": "integer", "minimum": 1})
class IdFilter(django_filters.Filter):
    field_class = IdField

    def __init__(self, *, field_name: str, label: str, **kwargs):
        super().__init__(field_name=field_name, label=label, **kwargs)


class IdListWidget(forms.Widget):
    """`tags=1,2`, `tags=1&tags=2` or `tags[]=1&tags[]=2`."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", lambda key: [data[key]] if key in data else [])
        values = getlist(name) + getlist(f"{name}[]")
        return [part for value in values for part in str(value).split(",") if part.strip()]


class IdListField(forms.Field):
    widget = IdListWidget

    def to_python(self, value):
        if not value:
            return []
        try:
            ids = [int(part) for part in value]
        except (TypeError, ValueError):
            raise forms.ValidationError(_invalid("tags")) from None
        if any(not 0 < pk <= MAX_ID for pk in ids):
            raise forms.ValidationError(_invalid("tags"))
        return ids


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class AnyTagFilter(django_filters.Filter):
    """Entities carrying any of the tag ids (an EXISTS, so no duplicate rows)."""

    field_class = IdListField

    def filter(self, queryset, value):
        if not value:
            return queryset
        tagged = Entity.tags.through.objects.filter(
            entity_id=OuterRef("entity_id"), tag_id__in=value
        )
        # A private tag does not exist for non-admins: filtering by its id
        # must not reveal which visible conversations carry it.
        tagged = tagged.filter(
            visible_filter(self.parent.role, private_field="tag__entity__is_private")
        )
        return queryset.filter(Exists(tagged))


class KankaFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that builds no filterset when the query string has none of its keys.

    Hot path: an unfiltered list (the common read) then validates no form of
    a dozen empty fields, with the same rows (every filter of an empty key is
    a no-op).
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        params = request.query_params
        if filterset_class is not None and not any(
            name in params or f"{name}[]" in params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


@extend_schema_field({"type": "integer", "enum": [1, 2]})
class TargetIdFilter(django_filters.TypedChoiceFilter):
    """Kanka's `target_id`: 1 members, 2 characters."""


class ConversationFilter(django_filters.rest_framework.FilterSet):
    name = django_filters.CharFilter(field_name="title", lookup_expr="icontains")
    type = django_filters.CharFilter(field_name="entity__type", lookup_expr="icontains")
    # The REST flavour's BooleanFilter takes Laravel's 1/0 as well as true/false.
    is_private = django_filters.rest_framework.BooleanFilter()
    is_closed = django_filters.rest_framework.BooleanFilter()
    target = django_filters.ChoiceFilter(
        choices=[(name, name) for name in TARGET_NAMES], method="filter_target"
    )
    target_id = TargetIdFilter(
        choices=[(pk, str(pk)) for pk in TARGETS_BY_ID], coerce=int, method="filter_target_id"
    )
    tags = AnyTagFilter()
    created_by = IdFilter(field_name="created_by_id", label="created_by")

    class Meta:
        model = Conversation
        fields = []

    @property
    def role(self):
        """The caller's campaign role, resolved by the view before filtering."""
        return self.request.parser_context["view"].role

    def filter_target(self, queryset, name, value):
        return queryset.filter(target=target_of_name(value))

    def filter_target_id(self, queryset, name, value):
        return queryset.filter(target=TARGETS_BY_ID[value])


class MessageFilter(django_filters.rest_framework.FilterSet):
    class Meta:
        model = Message
        fields = []


# `lastSync` is not a Python identifier, so it is added under its wire name.
for _filterset in (ConversationFilter, MessageFilter):
    _filterset.base_filters["lastSync"] = LastSyncFilter()
