"""Test databases: a fresh PostgreSQL schema of its own for a test session or module.

PostgreSQL: PATHWAYS_TEST_POSTGRES_URL (default: the local server's `test` database). If it cannot be reached the
caller is skipped, except under CI=true (or PATHWAYS_REQUIRE_POSTGRES=1), where that is an error. (Not in a
conftest: `features/conftest.py` and the root one share the module name `conftest`, so neither can be imported.)
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


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
