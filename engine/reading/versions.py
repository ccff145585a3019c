"""The versions of one pathway, newest first: content hash, file, when and by whom each was deployed, which one is
current, and how many patients run on each (one GROUP BY over the instances)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select

from engine.db.database import Database
from engine.db.models import PathwayInstance, PathwayVersion
from engine.errors import ErrorCode, NotFound
from engine.statuses import InstanceStatus

#: A pathway deployed every working day for years stays readable; older versions are beyond the list.
MAX_VERSIONS = 500


def list_versions(db: Database, key: str) -> list[dict[str, Any]]:
    running = func.sum(case((PathwayInstance.status == InstanceStatus.ACTIVE, 1), else_=0))
    with db.reading() as session:
        counts = {row.id: (int(row.running or 0), int(row.total)) for row in session.execute(
            select(PathwayInstance.pathway_version_id.label("id"), running.label("running"),
                   func.count().label("total"))
            .where(PathwayInstance.pathway_key == key).group_by(PathwayInstance.pathway_version_id))}
        versions = session.execute(
            select(PathwayVersion.id, PathwayVersion.name, PathwayVersion.content_hash, PathwayVersion.filename,
                   PathwayVersion.deployed_at, PathwayVersion.deployed_by, PathwayVersion.is_current)
            .where(PathwayVersion.pathway_key == key).order_by(PathwayVersion.id.desc()).limit(MAX_VERSIONS)).all()
    if not versions:
        raise NotFound(ErrorCode.PATHWAY_NOT_FOUND, f"no deployed pathway {key!r}")
    return [{"version_id": v.id, "name": v.name, "content_hash": v.content_hash, "filename": v.filename,
             "deployed_at": v.deployed_at, "deployed_by": v.deployed_by, "is_current": v.is_current,
             "running_instances": counts.get(v.id, (0, 0))[0], "instances": counts.get(v.id, (0, 0))[1]}
            for v in versions]


def version_of(db: Database, key: str, version_id: int) -> PathwayVersion:
    """One version of the pathway `key` (NotFound for another pathway's version)."""
    with db.reading() as session:
        version = session.get(PathwayVersion, version_id)
        if version is None or version.pathway_key != key:
            raise NotFound(ErrorCode.PATHWAY_VERSION_NOT_FOUND, f"pathway {key!r} has no version {version_id}")
        session.expunge(version)
        return version
