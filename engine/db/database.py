"""The database connection: one SQLAlchemy engine per database, SQLite or PostgreSQL, and its transactions.

Writing and reading are told apart: `engine` (and `transaction()`) is for transactions that write, which on
SQLite take the writer lock at BEGIN (`BEGIN IMMEDIATE`), so a second concurrent command waits instead of failing
late; `reader` (and `reading()`, `reading_connection()`) is for reads, which on SQLite begin deferred and never
wait for a writer (WAL).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

#: Execution option of the reading engine: its transactions only read.
READ_ONLY = "pathways_read_only"


def _write_ahead_log(cursor: Any, attempts: int = 200) -> None:
    """Switch a SQLite file to WAL. Switching needs the file to itself and does not wait for the busy timeout,
    so processes opening a new database at the same moment retry (a few milliseconds) instead of failing."""
    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


#: Connections kept per process: FastAPI runs sync routes in a threadpool of 40 threads, each holding at most one
#: connection at a time, so a pool of 40 never closes a connection a moment after opening it. Connections are
#: opened lazily (only as many as requests run at once). N processes need N x (size + overflow) under
#: PostgreSQL's max_connections (100 by default): lower PATHWAYS_DB_POOL_SIZE for more processes.
POOL_SIZE = 40
#: Extra connections for bursts above the threads (the scheduler, a command holding a second connection).
POOL_OVERFLOW = 5
POOL_RECYCLE_SECONDS = 1800


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):  # pragma: no cover - driver hook
            dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below decide
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            _write_ahead_log(cursor)
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):  # pragma: no cover - driver hook
            # One writer at a time, decided at BEGIN: a second concurrent command waits instead of failing late.
            # A read takes no lock: in WAL mode it reads its snapshot while a writer works.
            read_only = connection.get_execution_options().get(READ_ONLY, False)
            connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    # No pre-ping: it is a round trip on every checkout, three per completion. A connection the server dropped
    # fails its first statement instead; SQLAlchemy sees the disconnect, empties the pool, and the error
    # (`connection_invalidated`, an OperationalError) is an outage to `engine.runtime.failures.is_outage`, so the
    # caller gets `database_failed` and the next call connects afresh. Recycling keeps connections from ageing
    # past server or firewall idle limits; LIFO hands out the warm connection and lets the rest idle.
    engine = create_engine(url, pool_recycle=POOL_RECYCLE_SECONDS, pool_use_lifo=True, **kwargs)

    @event.listens_for(engine, "connect")
    def _postgresql_connect(dbapi_connection, _record):  # pragma: no cover - driver hook
        # No JIT compilation: our statements are short and indexed, and a report whose plan costs past the JIT
        # threshold spent more time compiling (0.86 s measured at regional scale) than running (0.2 s).
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()

    return engine


class Database:
    """Owns the engine and hands out one transaction per command, and read-only transactions for reads."""

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE, max_overflow: int = POOL_OVERFLOW) -> None:
        self.url = url
        pool = {} if url.startswith("sqlite") else {"pool_size": pool_size, "max_overflow": max_overflow}
        self.engine = make_engine(url, **pool)
        self.reader = self.engine.execution_options(**{READ_ONLY: True})
        # PostgreSQL reads at READ COMMITTED, where every statement takes its own snapshot, in or out of a
        # transaction: reads that need nothing more skip BEGIN and ROLLBACK, two round trips.
        self._statement_reader = (self.reader.execution_options(isolation_level="AUTOCOMMIT")
                                  if self.engine.dialect.name == "postgresql" else self.reader)
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

    @contextmanager
    def reading_statements(self) -> Iterator[Connection]:
        """A Core connection for reads whose statements need no snapshot in common (one statement, or several
        that each stand on their own): on PostgreSQL each statement is its own transaction, as under READ
        COMMITTED each would see its own snapshot anyway, without the BEGIN and ROLLBACK round trips; on SQLite
        a read transaction, as `reading_connection()`."""
        with self._statement_reader.connect() as connection:
            yield connection

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold the lock `name` across processes while the block runs (a PostgreSQL session advisory lock on a
        connection of its own), so that two server processes starting at once do not both migrate, deploy or
        seed. On SQLite a writing transaction's BEGIN IMMEDIATE already lets one writer in at a time."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        with self.engine.connect() as conn:
            key = lock_key(name, conn.execute(_SCHEMA).scalar_one())
            conn.execute(_LOCK, {"key": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(_UNLOCK, {"key": key})
                conn.commit()

    def dispose(self) -> None:
        self.engine.dispose()


_LOCK = text("SELECT pg_advisory_lock(:key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:key)")
_XACT_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


_SCHEMA = text("SELECT current_schema()")


def lock_key(name: str, schema: str) -> int:
    """A stable signed 64-bit key for an advisory lock name within one schema. Advisory locks are per database,
    so the schema is part of the key: two deployments in schemas of one database (or the test suite's schemas)
    do not wait on each other's start-up."""
    return int.from_bytes(hashlib.sha256(f"{schema}\0{name}".encode()).digest()[:8], "big", signed=True)


def lock_for_transaction(session: Session, name: str) -> None:
    """Serialise the calling transaction with every other one taking `name` (PostgreSQL; a no-op on SQLite,
    whose writing transactions are serial anyway). Released at commit or rollback."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_XACT_LOCK, {"key": lock_key(name, session.execute(_SCHEMA).scalar_one())})
