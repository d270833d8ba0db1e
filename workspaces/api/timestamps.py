"""Twist's `*_ts`: whole Unix seconds, UTC (workspace-api.md §3.6).

The one place where they meet the domain's aware datetimes, both ways: the
output field renders an instant, the input fields turn a parameter into the
bound a selector compares with (`> newer_than`, `< older_than`).
"""

from datetime import UTC, datetime, timedelta

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workspaces.api.params import TwistIntegerField

# The largest `*_ts` a parameter may carry: a second later is still a valid datetime.
MAX_TS = 253402214400


def to_ts(instant: datetime) -> int:
    """An aware datetime as Twist shows it: whole seconds, rounded down."""
    return int(instant.timestamp())


def from_ts(timestamp: int) -> datetime:
    """The first instant of a Unix second."""
    return datetime.fromtimestamp(timestamp, tz=UTC)


@extend_schema_field(OpenApiTypes.INT)
class TimestampField(serializers.Field):
    """Output: an aware datetime as integer Unix seconds."""

    def to_representation(self, value):
        return to_ts(value)


class OlderThanTsParam(TwistIntegerField):
    """Input `older_than_ts`: validated as `datetime`; `x < it` exactly when to_ts(x) < ts."""

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=0, max_value=MAX_TS, **kwargs)

    def run_validation(self, data=serializers.empty):
        return self.bound(super().run_validation(data))

    def bound(self, timestamp: int) -> datetime:
        return from_ts(timestamp)


class NewerThanTsParam(OlderThanTsParam):
    """Input `newer_than_ts`: the last instant of that second; `x > it` exactly when to_ts(x) > ts.

    Shown in whole seconds, an object never passes a filter its own `*_ts` contradicts.
    """

    def bound(self, timestamp: int) -> datetime:
        return from_ts(timestamp + 1) - timedelta(microseconds=1)
