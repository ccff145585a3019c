"""The record of instances moved between versions of a pathway (`instance_migration`), newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine.db.database import Database
from engine.db.models import InstanceMigration


def list_migrations(db: Database, pathway_key: str, *, instance_id: str | None = None, limit: int = 50,
                    offset: int = 0) -> dict[str, Any]:
    """A page of a pathway's migration records (optionally of one instance): no patient key, only the instance."""
    table = InstanceMigration.__table__
    conditions = [table.c.pathway_key == pathway_key]
    if instance_id:
        conditions.append(table.c.instance_id == instance_id)
    with db.reading_connection() as conn:
        total = conn.scalar(select(func.count()).select_from(table).where(*conditions))
        rows = conn.execute(select(table).where(*conditions).order_by(table.c.migrated_at.desc(), table.c.id.desc())
                            .limit(limit).offset(offset)).mappings().all()
    return {"total": total, "limit": limit, "offset": offset, "items": [dict(row) for row in rows]}
