"""Shared test fixtures: a fresh database per test on SQLite and PostgreSQL, and a clock the test controls.

PostgreSQL: PATHWAYS_TEST_POSTGRES_URL (default: the local server's `test` database). Each pytest process works in
a schema of its own, so parallel runs do not meet. If PostgreSQL cannot be reached the PostgreSQL variants are
skipped, except under CI=true (or PATHWAYS_REQUIRE_POSTGRES=1), where that is an error.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest

from engine.catalogue.deployment import deploy_directory
from engine.clock import ManualClock
from engine.db.database import Database
from engine.db.migrate import upgrade
from engine.db.models import Base
from engine.runtime import PathwayRuntime
from tests.databases import postgres_schema

ROOT = Path(__file__).resolve().parent
PATHWAYS_DIR = ROOT / "pathways"
#: A Monday in an ordinary week; tests move the clock from here.
START_DAY = date(2026, 1, 5)


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
    # An administrator by default; tests of roles send another dev user's token (engine.access.principals.DEV_USERS).
    with TestClient(app, headers={"Authorization": "Bearer dev-admin"}) as test_client:
        yield test_client


def pytest_sessionfinish(session, exitstatus):
    for database in _migrated.values():
        database.dispose()
