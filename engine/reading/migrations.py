"""The record of instances moved between versions of a pathway (`instance_migration`), newest first, and the
versions a migration chooses from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine.db.database import Database
from engine.db.models import InstanceMigration, PathwayInstance, PathwayVersion
from engine.errors import ErrorCode, NotFound
from engine.statuses import InstanceStatus


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


def pathway_versions(db: Database, pathway_key: str) -> list[dict[str, Any]]:
    """The pathway's deployed versions, newest first, with their active instances (one GROUP BY): what a
    modeller chooses a migration's versions from. NotFound when the pathway has none."""
    instance = PathwayInstance.__table__
    active = (select(instance.c.pathway_version_id, func.count().label("active")).where(
        instance.c.pathway_key == pathway_key, instance.c.status == InstanceStatus.ACTIVE)
        .group_by(instance.c.pathway_version_id).subquery())
    with db.reading_connection() as conn:
        rows = conn.execute(select(PathwayVersion.id, PathwayVersion.deployed_at, PathwayVersion.is_current,
                                   PathwayVersion.content_hash, func.coalesce(active.c.active, 0).label("active"))
                            .outerjoin(active, active.c.pathway_version_id == PathwayVersion.id)
                            .where(PathwayVersion.pathway_key == pathway_key)
                            .order_by(PathwayVersion.id.desc())).mappings().all()
    if not rows:
        raise NotFound(ErrorCode.PATHWAY_NOT_FOUND, f"no pathway {pathway_key}")
    return [dict(row) for row in rows]
