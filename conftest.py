"""Shared test fixtures: a fresh database per test on SQLite and PostgreSQL, and a clock the test controls.

PostgreSQL: PATHWAYS_TEST_POSTGRES_URL (default: the local server's `test` database). Each pytest process works in
a schema of its own, so parallel runs do not meet. If PostgreSQL cannot be reached the PostgreSQL variants are
skipped, except under CI=true (or PATHWAYS_REQUIRE_POSTGRES=1), where that is an error.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from engine.clock import ManualClock
from engine.deployment import deploy_directory
from engine.runtime import PathwayRuntime
from engine.schema import upgrade
from engine.store import Base, Database

ROOT = Path(__file__).resolve().parent
PATHWAYS_DIR = ROOT / "pathways"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: A Monday in an ordinary week; tests move the clock from here.
START_DAY = date(2026, 1, 5)


def _postgres_required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("PATHWAYS_REQUIRE_POSTGRES") == "1"


@contextmanager
def postgres_schema(purpose: str = "pytest"):
    """A URL to a fresh PostgreSQL schema of its own, dropped afterwards; skips (fails under CI) without a server."""
    base = os.environ.get("PATHWAYS_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    schema = f"{purpose}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no PostgreSQL here"
        if _postgres_required():
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {base}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {base}: {exc}")
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgresql_url():
    with postgres_schema() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_url():
    folder = tempfile.mkdtemp(prefix="pathways-test-")
    return f"sqlite:///{folder}/test.db"


_migrated: dict[str, Database] = {}


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request) -> Database:
    url = request.getfixturevalue(f"{request.param}_url")
    database = _migrated.get(url)
    if database is None:
        database = Database(url)
        upgrade(database)
        _migrated[url] = database
    with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    return database


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START_DAY)


@pytest.fixture
def runtime(db, clock) -> PathwayRuntime:
    deploy_directory(db, clock, PATHWAYS_DIR)
    return PathwayRuntime(db, clock)


@pytest.fixture
def client(db, clock):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from engine.settings import Settings

    settings = Settings(database_url=db.url, pathways_dir=PATHWAYS_DIR, demo_data=False, auth_mode="dev")
    app = create_app(settings, clock, run_scheduler=False)
    # An administrator by default; tests of roles send another dev user's token (engine.access.DEV_USERS).
    with TestClient(app, headers={"Authorization": "Bearer dev-admin"}) as test_client:
        yield test_client


def pytest_sessionfinish(session, exitstatus):
    for database in _migrated.values():
        database.dispose()
