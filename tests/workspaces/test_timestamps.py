"""Twist's `*_ts` against datetimes: the one conversion, both ways (api/timestamps.py)."""

from datetime import UTC, datetime, timedelta

from workspaces.api.timestamps import MAX_TS, NewerThanTsParam, OlderThanTsParam, from_ts, to_ts

NOON = datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC)


def test_a_timestamp_is_whole_seconds_rounded_down():
    assert to_ts(NOON + timedelta(microseconds=999_999)) == to_ts(NOON) == 1796299200
    assert from_ts(to_ts(NOON)) == NOON


def test_newer_than_ts_admits_exactly_the_instants_shown_as_later_seconds():
    bound = NewerThanTsParam().run_validation(to_ts(NOON))

    assert not NOON + timedelta(microseconds=999_999) > bound
    assert NOON + timedelta(seconds=1) > bound


def test_older_than_ts_admits_exactly_the_instants_shown_as_earlier_seconds():
    bound = OlderThanTsParam().run_validation(str(to_ts(NOON)))

    assert bound <= NOON
    assert NOON - timedelta(microseconds=1) < bound


def test_the_largest_timestamp_still_has_a_later_second():
    last_instant = datetime(9999, 12, 31, 0, 0, 0, 999_999, tzinfo=UTC)

    assert NewerThanTsParam().run_validation(MAX_TS) == last_instant
