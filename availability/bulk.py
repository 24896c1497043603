"""Bulk appends of plain rows: the one way availability writes many rows at once.

Rows are tuples in the order of `columns` (attribute names of concrete fields, `court_id` for
a foreign key); the primary key is left to the database and not returned. PostgreSQL gets one
COPY (psycopg's `cursor.copy`), other databases one `executemany` with the values adapted as
the ORM adapts them, so SQLite stores what `bulk_create` would. No model instances are built:
for the thousands of rows of a first poll, a summary rebuild or the benchmark's year of
history, building and preparing instances cost far more than the write itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Field, Model

# Up to this many rows go in one INSERT statement (a poll's changes); more go by COPY or
# executemany. SQLite takes 32,766 parameters a statement: 50 rows of a dozen columns is far
# below.
SMALL_BATCH = 50


def bulk_insert(model: type[Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Append `rows` to the model's table; returns the number of rows written."""
    rows = list(rows)
    if not rows:
        return 0
    names = ", ".join(connection.ops.quote_name(_column(model, c)) for c in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        if len(rows) <= SMALL_BATCH:
            # A poll's few changes: one statement, one round trip (COPY takes two).
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([marks] * len(rows))}",  # noqa: S608
                [_adapt(value) for row in rows for value in row],
            )
        elif connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES {marks}",  # noqa: S608 - field names
                [tuple(_adapt(value) for value in row) for row in rows],
            )
    return len(rows)


def _column(model: type[Model], name: str) -> str:
    # get_field knows a foreign key by its attribute name too ("court_id").
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field.column


def _adapt(value: Any) -> Any:
    adapt: Callable[[Any], Any] | None = _ADAPTERS.get(type(value))
    return value if adapt is None else adapt(value)


# As the ORM adapts them (SQLite keeps naive UTC text; the database's driver does the rest).
_ADAPTERS: dict[type, Callable[[Any], Any]] = {
    datetime: lambda v: connection.ops.adapt_datetimefield_value(v),
    date: lambda v: connection.ops.adapt_datefield_value(v),
}
