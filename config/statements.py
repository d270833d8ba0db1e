"""Hot-path reads compiled once: a `.values()` queryset's SQL, run again with new values.

Building and compiling a queryset costs a millisecond or more of Python per
query (the annotated access checks and pages several), often as much as
PostgreSQL spends answering it. A `Statement` asks the ORM for the SQL once
(twice, with two sets of placeholders: where the parameters differ is where
each argument goes), then substitutes the real values and converts the row
values as the ORM does (`get_converters`), so the rows are the ones
`.values()` would give, from the same SQL.

Arguments are ids (64-bit ints; the caller answers a malformed one, as
`is_valid_id` tells, before asking) and datetimes, which reach the SQL as
parameters whatever their value. An argument passed as None, and every
other keyword (a limit, an order, a flag), changes the query's shape
instead: it is compiled once per distinct value.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable

# The two rounds' placeholders (`_placeholders`).
_IDS = (10_001, 20_002)
_DATETIMES = (datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC), datetime(1902, 3, 4, 5, 6, 7, tzinfo=UTC))


class Statement:
    """A `.values()` queryset compiled once per database and shape.

    `build(**keywords)` returns the queryset; `arguments` name the keywords
    whose values (ids or datetimes) are substituted on each call.
    """

    def __init__(self, build: Callable[..., QuerySet], *arguments: str):
        self.build = build
        self.arguments = frozenset(arguments)
        self.compiled: dict[tuple, tuple] = {}

    def rows(self, *, using: str = "default", **keywords) -> list[dict]:
        """The rows as `.values()` dicts, in the queryset's order."""
        connection = connections[using]
        values = {k: v for k, v in keywords.items() if k in self.arguments and v is not None}
        kinds = {}
        for name, value in values.items():
            kinds[name] = _kind(value)
            if kinds[name] is None:
                raise TypeError(f"{name}: a Statement's arguments are ids (bigint) or datetimes")
        shape = tuple(sorted((k, v) for k, v in keywords.items() if k not in values))
        key = (using, connection.vendor, shape, tuple(sorted(kinds.items())))
        if key not in self.compiled:
            self.compiled[key] = self._compile(connection, dict(shape), kinds)
        sql, slots, params, converters, names = self.compiled[key]
        params = list(params)
        for position, argument in slots:
            params[position] = _adapted(connection, values[argument])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [_converted(row, converters, connection) for row in rows]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def first(self, **keywords) -> dict | None:
        rows = self.rows(**keywords)
        return rows[0] if rows else None

    def _compile(self, connection, shape: dict, kinds: dict[str, str]) -> tuple:
        """The SQL, compiled twice with two sets of placeholders: where the parameters
        differ, and match each set's placeholder, is where the argument goes."""
        first, second = (self._as_sql(connection, shape, kinds, round) for round in (0, 1))
        (sql, params, compiler, query), (other_sql, other_params, _, _) = first, second
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError("an argument changes the SQL: pass it as a shape keyword")
        placeholders = [_placeholders(kinds, round) for round in (0, 1)]
        slots = []
        for position, (one, two) in enumerate(zip(params, other_params, strict=True)):
            if one == two:
                continue
            name = next(
                (
                    name
                    for name in kinds
                    if one == _adapted(connection, placeholders[0][name])
                    and two == _adapted(connection, placeholders[1][name])
                ),
                None,
            )
            if name is None:
                raise ValueError("an argument reaches the SQL transformed: pass it as a shape")
            slots.append((position, name))
        missing = set(kinds) - {name for _, name in slots}
        if missing:
            raise ValueError(f"{sorted(missing)} do not reach the SQL as parameters")
        converters = compiler.get_converters(
            [expression for expression, _, _ in compiler.select[: compiler.col_count]]
        )
        if query.selected:
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return sql, slots, tuple(params), converters, names

    def _as_sql(self, connection, shape: dict, kinds: dict[str, str], round: int) -> tuple:
        queryset = self.build(**shape, **_placeholders(kinds, round))
        if queryset._iterable_class is not ValuesIterable:
            raise TypeError("a Statement compiles a .values() queryset")
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        return sql, params, compiler, queryset.query


def _placeholders(kinds: dict[str, str], round: int) -> dict:
    """Distinct values per argument and round, within every integer column's range
    (an out-of-range id would make the ORM drop the condition rather than bind it)."""
    return {
        name: _IDS[round] + i if kinds[name] == "id" else _DATETIMES[round] + timedelta(seconds=i)
        for i, name in enumerate(sorted(kinds))
    }


def _kind(value) -> str | None:
    if type(value) is int and -(2**63) <= value < 2**63:  # a bigint: never overflows the SQL
        return "id"
    if isinstance(value, datetime):
        return "datetime"
    return None


def _adapted(connection, value):
    """The parameter the ORM passes for an argument (SQLite takes datetimes as text)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _converted(row: tuple, converters: dict, connection) -> list:
    row = list(row)
    for position, (functions, expression) in converters.items():
        value = row[position]
        for convert in functions:
            value = convert(value, expression, connection)
        row[position] = value
    return row
