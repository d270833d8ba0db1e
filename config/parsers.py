"""JSON with a nesting limit, for both dialects' bodies and the workspace API's JSON strings.

Python's json module gives up with a RecursionError (a 500) about a thousand
levels down, and a document a few hundred levels deep that does parse can
still exhaust the stack later (validation, rendering, storing a JSONField).
No client of either API nests more than a few levels, so a document deeper
than `JSON_MAX_DEPTH` is malformed: a 400 in the dialect's format.
"""

import json

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONTooDeep(ValueError):
    def __init__(self):
        super().__init__(f"arrays and objects nested deeper than {settings.JSON_MAX_DEPTH} levels")


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON (RFC 8259) and PostgreSQL's jsonb refuses them.
    raise ValueError(f"{name} is not a JSON value")


def parse_json(text: str):
    """`json.loads` without NaN/Infinity, within the depth limit; any failure is a ValueError."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONTooDeep() from None
    _check_depth(value)
    return value


def _check_depth(value) -> None:
    """Iterative, so the check itself never recurses; `[]` is one level, `[[]]` two."""
    limit = settings.JSON_MAX_DEPTH
    pending = [(value, 1)] if isinstance(value, dict | list) else []
    while pending:
        node, depth = pending.pop()
        if depth > limit:
            raise JSONTooDeep()
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, dict | list):
                pending.append((child, depth + 1))


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (strict about NaN, as DRF's default is) through `parse_json`."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return parse_json(stream.read().decode(encoding))
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
