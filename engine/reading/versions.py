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


def find_version(db: Database, key: str, version_id: int) -> dict[str, Any]:
    """A deployed version of the pathway `key` (without its source), with its number among the pathway's versions
    in the order they were deployed; NotFound for an unknown pathway, or a version that is not one of its."""
    with db.reading() as session:
        row = session.execute(select(PathwayVersion.id, PathwayVersion.pathway_key, PathwayVersion.name,
                                     PathwayVersion.content_hash, PathwayVersion.filename, PathwayVersion.deployed_at,
                                     PathwayVersion.is_current)
                              .where(PathwayVersion.id == version_id)).one_or_none()
        if row is None or row.pathway_key != key:
            if session.scalar(select(func.count()).where(PathwayVersion.pathway_key == key)) == 0:
                raise NotFound(ErrorCode.PATHWAY_NOT_FOUND, f"no deployed pathway {key!r}")
            raise NotFound(ErrorCode.PATHWAY_VERSION_NOT_FOUND, f"pathway {key!r} has no version {version_id}")
        number = session.scalar(select(func.count()).where(PathwayVersion.pathway_key == key,
                                                           PathwayVersion.id <= version_id))
        return {**row._mapping, "number": number}


def version_source(db: Database, version_id: int) -> bytes:
    """The BPMN file of a version, byte for byte as it was deployed."""
    with db.reading() as session:
        return session.scalar(select(PathwayVersion.source).where(PathwayVersion.id == version_id))
