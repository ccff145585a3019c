"""Deploying pathway files: lint, then register a new version by content hash.

A version is immutable. Deploying changed bytes makes a new current version for new instances; running
instances stay pinned to the version they started on. Deploying identical bytes again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.catalogue.parser import content_hash, parse_pathway, pathway_files
from engine.clock import Clock
from engine.db.database import Database, lock_for_transaction
from engine.db.models import AuditEvent, PathwayVersion
from engine.errors import ErrorCode, InvalidInput


@dataclass(frozen=True)
class Deployed:
    pathway_key: str
    version_id: int
    content_hash: str
    created: bool
    warnings: tuple[str, ...] = ()


def deploy(db: Database, clock: Clock, source: bytes, filename: str, *, deployed_by: str | None = None) -> Deployed:
    """Lint and register the file. `deployed_by`: the user or "cli:<login>"; a deploy made by someone is audited
    in its own transaction (None: the pathway folder at start-up)."""
    definition, problems = parse_pathway(source, filename)
    errors = [p for p in problems if p.severity == "error"]
    if definition is None or errors:
        raise InvalidInput(ErrorCode.PATHWAY_FILE_INVALID, f"{filename} was not deployed: {len(errors)} problem(s)",
                           problems=errors)
    warnings = tuple(str(p) for p in problems if p.severity != "error")
    digest = content_hash(source)
    with db.transaction() as session:
        lock_for_transaction(session, "pathways:deploy")  # concurrent deploys of one file: the second finds it
        existing = session.scalars(select(PathwayVersion).where(PathwayVersion.content_hash == digest)).one_or_none()
        if existing is not None:
            if not existing.is_current:
                _make_current(session, existing)
                _audit(session, clock, deployed_by, existing, "made current again")
            return Deployed(existing.pathway_key, existing.id, digest, False, warnings)
        version = PathwayVersion(
            pathway_key=definition.key, name=definition.name, type_code=definition.type_code,
            content_hash=digest, filename=Path(filename).name, source=source, deployed_at=clock.now(),
            deployed_by=deployed_by, is_current=False,
        )
        session.add(version)
        session.flush()
        _make_current(session, version)
        _audit(session, clock, deployed_by, version, "new version")
        return Deployed(definition.key, version.id, digest, True, warnings)


def _audit(session: Session, clock: Clock, actor: str | None, version: PathwayVersion, what: str) -> None:
    if actor is not None:
        # in the deploy's own transaction; the row has the shape `engine.access.audit.audit_row` gives
        session.add(AuditEvent(at=clock.now(), actor=actor, action="deploy_pathway",
                               detail=f"{version.pathway_key} version {version.id} ({what}, "
                                      f"{version.content_hash[:12]})"))


def _make_current(session: Session, version: PathwayVersion) -> None:
    session.execute(update(PathwayVersion).where(PathwayVersion.pathway_key == version.pathway_key)
                    .values(is_current=False))
    version.is_current = True


def deploy_directory(db: Database, clock: Clock, directory: Path) -> list[Deployed]:
    """Deploy every pathway file in `directory`; raise on the first file with errors (nothing half-done)."""
    return [deploy(db, clock, path.read_bytes(), str(path)) for path in pathway_files(directory)]
