"""Schema management: Alembic migrations, run from code so that the service and the tests use the same path."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from engine.db.database import Database
from engine.errors import ErrorCode, Unavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(db: Database) -> None:
    """Bring the database schema to the newest migration; one process at a time (two servers starting together
    on an empty database would otherwise both create the tables)."""
    config = alembic_config(db.url)
    with db.exclusive("pathways:migrate"), db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@cache
def head_revision() -> str:
    """The newest migration this version of the code has (read from the migration files once per process)."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "the migrations folder has no head revision"
    return head


def check_ready(db: Database) -> str:
    """The schema revision when the database answers and its schema is this code's newest; otherwise
    `Unavailable`: `database_failed` (unreachable) or `schema_outdated` (behind or ahead of the code)."""
    try:
        with db.reading_connection() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        cause = type(getattr(exc, "orig", None) or exc).__name__
        raise Unavailable(ErrorCode.DATABASE_FAILED, f"the database did not answer ({cause})",
                          params={"cause": cause}) from None
    if current != head_revision():
        raise Unavailable(ErrorCode.SCHEMA_OUTDATED, f"the schema is at {current}, the code needs {head_revision()}",
                          params={"current": current or "-", "head": head_revision()})
    return current
