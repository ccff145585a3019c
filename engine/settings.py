"""Settings from environment variables (prefix PATHWAYS_), through one pydantic-settings class."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.db.database import POOL_OVERFLOW, POOL_SIZE
from engine.logs import LogFormat

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATHWAYS_")

    database_url: str = Field(default=f"sqlite:///{PROJECT_ROOT / 'var' / 'pathways.db'}",
                              description="SQLAlchemy URL; SQLite file by default, e.g. postgresql+psycopg://…")
    pathways_dir: Path = Field(default=PROJECT_ROOT / "pathways", description="Folder of BPMN pathway files")
    demo_data: bool = Field(default=False, description="Load demo patients at start-up when the database is empty")
    scheduler_interval_seconds: float = Field(default=60.0, description="How often due timers are fired; 0 = off")
    auth_mode: Literal["tokens", "dev"] = Field(
        default="tokens", description="tokens: only users added with `pathways user add`; dev: also the fixed demo "
                                      "users of engine.access.principals.DEV_USERS (never with real patients)")
    log_format: LogFormat = Field(default="json", description="json: one JSON object per line (production); text: "
                                                             "for a terminal (the default of --demo)")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO")
    db_pool_size: int = Field(default=POOL_SIZE, ge=1, description="PostgreSQL connections kept per server process (the "
                                                            "request threadpool has 40 threads); processes x "
                                                            "(pool size + overflow) must fit max_connections")
    db_pool_overflow: int = Field(default=POOL_OVERFLOW, ge=0, description="Extra connections per process above the pool size "
                                                               "in a burst, closed again when returned")
