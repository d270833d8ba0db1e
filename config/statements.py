"""Hot-path reads compiled once: a `.values()` queryset's SQL, run again with new ids.

Building and compiling a queryset costs a millisecond or more of Python per
query (the annotated access checks and pages several), often many times what
PostgreSQL spends answering it. A `Statement` asks the ORM for the SQL once,
with a placeholder id in every place an argument goes, then substitutes the
real ids and converts the row values as the ORM does (`get_converters`), so
the rows are the ones `.values()` would give, from the same SQL.

Arguments are ids (ints; the caller checks their range with `is_valid_id`):
any other input (a limit, an order, a flag) changes the query's shape and is
passed as a keyword of `shape`, compiled once per distinct value.
"""

from collections.abc import Callable, Hashable

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable

# Placeholder ids: far below any id a table holds (ids are positive), one per argument.
_PLACEHOLDER = -7_356_202_600


class Statement:
    """A `.values()` queryset compiled once per database and shape.

    `build(**arguments, **shape)` returns the queryset; `arguments` name the
    ids substituted on each call.
    """

    def __init__(self, build: Callable[..., QuerySet], *arguments: str):
        self.build = build
        self.arguments = arguments
        self.compiled: dict[tuple, tuple] = {}

    def rows(self, *, using: str = "default", shape: dict[str, Hashable] | None = None, **ids):
        """The rows as `.values()` dicts, in the queryset's order."""
        if set(ids) != set(self.arguments):
            raise TypeError(f"expected the ids {self.arguments}, got {tuple(ids)}")
        if not all(type(value) is int for value in ids.values()):
            raise TypeError("a Statement's arguments are ids (int)")
        connection = connections[using]
        shape = shape or {}
        key = (using, connection.vendor, tuple(sorted(shape.items())))
        if key not in self.compiled:
            self.compiled[key] = self._compile(connection, shape)
        sql, slots, params, converters, names = self.compiled[key]
        values = list(params)
        for position, argument in slots:
            values[position] = ids[argument]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            rows = cursor.fetchall()
        if converters:
            rows = [_converted(row, converters, connection) for row in rows]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def first(self, **kwargs) -> dict | None:
        rows = self.rows(**kwargs)
        return rows[0] if rows else None

    def _compile(self, connection, shape: dict) -> tuple:
        placeholders = {name: _PLACEHOLDER - i for i, name in enumerate(self.arguments)}
        queryset = self.build(**placeholders, **shape)
        if queryset._iterable_class is not ValuesIterable:
            raise TypeError("a Statement compiles a .values() queryset")
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        argument_of = {value: name for name, value in placeholders.items()}
        slots = [
            (i, argument_of[p]) for i, p in enumerate(params) if _is_placeholder(p, argument_of)
        ]
        missing = set(self.arguments) - {name for _, name in slots}
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


def _is_placeholder(param, argument_of: dict) -> bool:
    return type(param) is int and param in argument_of


def _converted(row: tuple, converters: dict, connection) -> list:
    row = list(row)
    for position, (functions, expression) in converters.items():
        value = row[position]
        for convert in functions:
            value = convert(value, expression, connection)
        row[position] = value
    return row
