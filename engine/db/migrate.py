"""Schema management: Alembic migrations, run from code so that the service and the tests use the same path."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from engine.db.database import Database

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
