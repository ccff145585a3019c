"""Several reads sent together: on PostgreSQL a psycopg pipeline (one round trip for all of them), elsewhere one
statement after another. For hot reads of a few built-once statements (a command's answer), where the round
trips, not the rows, are the cost."""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.selectable import Select


class _Prepared(NamedTuple):
    sql: str
    #: the statement's own bound values (a LIMIT, a status literal); the caller's parameters are added to them
    defaults: dict[str, Any]
    row: Callable[..., Any]
    processors: tuple[Callable[[Any], Any] | None, ...]


def read_together(conn: Connection, statements: Sequence[Select], params: dict[str, Any]) -> list[list[Any]]:
    """The rows of each statement, all given the same `params`. The rows read as SQLAlchemy rows do: attributes
    by column key, and `_mapping`. On PostgreSQL each statement sees its own snapshot, as any two statements do
    at READ COMMITTED; expanding (`IN`) parameters are not supported there."""
    if conn.dialect.name != "postgresql":
        return [conn.execute(statement, params).all() for statement in statements]
    prepared = [_prepare(statement, conn.dialect) for statement in statements]
    driver = conn.connection.driver_connection
    cursors = [driver.cursor() for _ in prepared]
    try:
        with driver.pipeline():
            for cursor, p in zip(cursors, prepared):
                cursor.execute(p.sql, {**p.defaults, **params})
        return [[_converted(p, values) for values in cursor.fetchall()] for p, cursor in zip(prepared, cursors)]
    finally:
        for cursor in cursors:
            cursor.close()


def _converted(prepared: _Prepared, values: Sequence[Any]) -> Any:
    return prepared.row(*(value if process is None else process(value)
                          for process, value in zip(prepared.processors, values)))


@functools.lru_cache(maxsize=64)
def _prepare(statement: Select, dialect: Dialect) -> _Prepared:
    """Compiled once per statement: its SQL, its bound values, and the column types' result processing (a UTC
    timestamp column's, say), which SQLAlchemy would apply to the rows it reads."""
    compiled = statement.compile(dialect=dialect)
    columns = list(statement.selected_columns)
    row = namedtuple("Row", [column.key for column in columns])  # type: ignore[misc]
    row._mapping = property(lambda self: self._asdict())
    processors = tuple(column.type.result_processor(dialect, None) for column in columns)
    return _Prepared(str(compiled), dict(compiled.params), row, processors)
