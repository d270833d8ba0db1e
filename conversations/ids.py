"""What an id is, for every URL and parameter of both dialects, and the lookup that uses it."""

from django.db.models import Model, QuerySet

from conversations import exceptions

# Ids are positive signed 64-bit integers (PostgreSQL bigint); anything larger matches nothing.
MAX_ID = 2**63 - 1


def is_valid_id(value) -> bool:
    """Ids are positive integers; anything else can match nothing (and must not 500).

    A string must be ASCII digits only: int() also takes " 1", "1_0" and fullwidth digits,
    which no client means as an id.
    """
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()):
            return False
    elif isinstance(value, bool) or not isinstance(value, int):
        return False
    return 0 < int(value) <= MAX_ID


def row_by_id(queryset: QuerySet, pk, not_found: type[exceptions.NotFound]) -> Model:
    """The row of `queryset` with this id, or `not_found` (for a malformed id too)."""
    row = queryset.filter(pk=pk).first() if is_valid_id(pk) else None
    if row is None:
        raise not_found(object_id=pk)
    return row
