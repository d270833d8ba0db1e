"""Reading Twist parameters however a client sends them (workspace-api.md §3.3).

Official and third-party clients send the same call as a query string, a
form body with lists as JSON strings, or a JSON body; all three are merged
into one dict and validated by an input serializer built from these fields.
"""

import re

from django.conf import settings
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.exceptions import ParseError

from config.parsers import parse_json
from conversations.ids import MAX_ID

# ASCII digits only: int() also takes other scripts' digits, which no client means as an id.
_DECIMAL = re.compile(r"\s*[+-]?[0-9]+\s*")


def merged_params(request) -> dict:
    """Query string, then the body (form or JSON) on top; repeated keys become lists."""
    params = _plain(request.query_params)
    data = request.data
    if isinstance(data, QueryDict):
        params.update(_plain(data))
    elif isinstance(data, dict):
        params.update(data)
    else:
        # A JSON array, scalar or null body carries no named parameters.
        raise ParseError()
    return params


def _plain(querydict: QueryDict) -> dict:
    return {key: values if len(values) > 1 else values[0] for key, values in querydict.lists()}


class TwistIntegerField(serializers.IntegerField):
    """A JSON number or a decimal string; within a 64-bit id so SQL never overflows.

    Negative values pass (the id lookups answer them not-found, as for any unknown id).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", -MAX_ID - 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return data
        if isinstance(data, float) and data.is_integer():
            return int(data)
        if isinstance(data, str) and _DECIMAL.fullmatch(data):
            return int(data)
        self.fail("invalid")


class TwistBooleanField(serializers.BooleanField):
    """JSON true/false, "true"/"false" in any case, 1/0 (Twist's v1 objects used 0/1)."""

    TRUE = {"true", "1"}
    FALSE = {"false", "0"}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, int) and data in (0, 1):
            return bool(data)
        if isinstance(data, str):
            value = data.strip().lower()
            if value in self.TRUE:
                return True
            if value in self.FALSE:
                return False
        self.fail("invalid")


class IntListField(serializers.ListField):
    """A JSON array, a JSON-encoded string "[1,2]" or a comma-separated "1,2".

    At most settings.ID_LIST_MAX ids (issue 9 §4a), counted before any id is
    parsed, so an oversized list costs no per-item work: longer is 400 code 20.
    """

    default_error_messages = {"too_many": "No more than {max_length} ids."}

    def __init__(self, **kwargs):
        kwargs.setdefault("child", TwistIntegerField())
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool):
            data = [data]
        elif isinstance(data, str):
            data = _decode_int_list(data)
            if data is None:
                self.fail("not_a_list", input_type="str")
        if isinstance(data, list) and len(data) > settings.ID_LIST_MAX:
            self.fail("too_many", max_length=settings.ID_LIST_MAX)
        return super().to_internal_value(data)


def _decode_int_list(text: str):
    text = text.strip()
    if text.startswith("["):
        try:
            value = parse_json(text)
        except ValueError:
            return None
        return value if isinstance(value, list) else None
    return [part for part in (p.strip() for p in text.split(",")) if part]


class ContentField(serializers.CharField):
    """Message content, kept exactly as sent; at most settings.MESSAGE_MAX_LENGTH characters.

    Longer is 400 code 20, "Invalid argument value" (issue 9 §4b): Twist's table
    has no code for a too-long value, and 20 is its code for a bad value (114,
    "Bad Request", is for a body that cannot be read at all).
    """

    default_error_messages = {"too_long": "No more than {max_length} characters."}

    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if len(value) > settings.MESSAGE_MAX_LENGTH:
            self.fail("too_long", max_length=settings.MESSAGE_MAX_LENGTH)
        return value


class ObjectListField(serializers.ListField):
    """A JSON array of objects, or the same JSON-encoded in a string (form bodies).

    Failures carry `error_code` as their code, so the error handler answers
    Twist's dedicated code (118 attachments, 133 actions).
    """

    def __init__(self, *, error_code: str, **kwargs):
        kwargs.setdefault("child", serializers.DictField())
        self.error_code = error_code
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = parse_json(data) if data.strip() else []
            except ValueError:
                self._reject()
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            self._reject()
        for item in data:
            self.validate_item(item)
        return data

    def validate_item(self, item: dict) -> None:
        """Subclasses check an object's keys."""

    def _reject(self):
        raise serializers.ValidationError(
            f"Not a list of {self.error_code} objects.", code=self.error_code
        )


class AttachmentListField(ObjectListField):
    """Attachment objects from attachments/upload, stored and echoed back as they are."""

    def __init__(self, **kwargs):
        super().__init__(error_code="attachments", **kwargs)


class ActionListField(ObjectListField):
    """Action buttons (workspace-api.md §2.5)."""

    ACTIONS = {"open_url", "prefill_message", "send_reply"}

    def __init__(self, **kwargs):
        super().__init__(error_code="actions", **kwargs)

    def validate_item(self, item: dict) -> None:
        if item.get("action") not in self.ACTIONS:
            self._reject()
        if item.get("type", "action") != "action":
            self._reject()
        if not isinstance(item.get("button_text"), str):
            self._reject()
        if item["action"] == "open_url" and not isinstance(item.get("url"), str):
            self._reject()


class OrderField(serializers.ChoiceField):
    """`ASC` or `DESC` in any case (a live Twist accepts `asc`); validated upper-case."""

    def __init__(self, **kwargs):
        super().__init__(choices=["ASC", "DESC"], **kwargs)

    def to_internal_value(self, data):
        value = data.strip().upper() if isinstance(data, str) else data
        return super().to_internal_value(value)


def target_id(params: dict, names: tuple[str, ...]) -> int:
    """The id of what a method acts on, validated alone, before the other parameters.

    `names` are aliases (Twist renamed parameters between versions): the first
    one sent wins; none sent is a missing argument.
    """
    for name in names:
        if name in params:
            try:
                return TwistIntegerField().run_validation(params[name])
            except serializers.ValidationError as error:
                raise serializers.ValidationError({name: error.detail}) from error
    raise serializers.ValidationError({names[0]: "This field is required."}, code="required")
