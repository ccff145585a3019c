"""The database connection: one SQLAlchemy engine per database, SQLite or PostgreSQL, and its transactions.

Writing and reading are told apart: `engine` (and `transaction()`) is for transactions that write, which on
SQLite take the writer lock at BEGIN (`BEGIN IMMEDIATE`), so a second concurrent command waits instead of failing
late; `reader` (and `reading()`, `reading_connection()`) is for reads, which on SQLite begin deferred and never
wait for a writer (WAL).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

#: Execution option of the reading engine: its transactions only read.
READ_ONLY = "pathways_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):  # pragma: no cover - driver hook
            dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below decide
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):  # pragma: no cover - driver hook
            # One writer at a time, decided at BEGIN: a second concurrent command waits instead of failing late.
            # A read takes no lock: in WAL mode it reads its snapshot while a writer works.
            read_only = connection.get_execution_options().get(READ_ONLY, False)
            connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class Database:
    """Owns the engine and hands out one transaction per command, and read-only transactions for reads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.reader = self.engine.execution_options(**{READ_ONLY: True})
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing transaction, committed at the end of the block (rolled back on an exception)."""
        with self._sessions() as session:
            with session.begin():
                yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session that only reads."""
        with self._read_sessions() as session:
            yield session

    @contextmanager
    def reading_connection(self) -> Iterator[Connection]:
        """A Core connection that only reads."""
        with self.reader.connect() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()
