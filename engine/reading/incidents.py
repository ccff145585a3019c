"""Incidents as coordinators and administrators see them: a filtered list, one incident, the open count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from engine.db.database import Database
from engine.db.models import Incident
from engine.errors import ErrorCode, NotFound
from engine.statuses import IncidentStatus


@dataclass(frozen=True)
class IncidentFilter:
    status: IncidentStatus | None = IncidentStatus.OPEN
    pathway: str | None = None
    instance_id: str | None = None
    #: restrict to these units (a coordinator's own); None = no restriction. A sweep's incident has no unit.
    units: tuple[str, ...] | None = None


def _conditions(flt: IncidentFilter) -> list[Any]:
    conditions = []
    if flt.status is not None:
        conditions.append(Incident.status == flt.status)
    if flt.pathway:
        conditions.append(Incident.pathway_key == flt.pathway)
    if flt.instance_id:
        conditions.append(Incident.instance_id == flt.instance_id)
    if flt.units is not None:
        conditions.append(Incident.unit.in_(flt.units))
    return conditions


def list_incidents(db: Database, flt: IncidentFilter, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Newest seen first."""
    conditions = _conditions(flt)
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(Incident).where(*conditions))
        rows = session.scalars(select(Incident).where(*conditions)
                               .order_by(Incident.last_seen_at.desc(), Incident.id.desc())
                               .limit(limit).offset(offset)).all()
        return {"total": total, "limit": limit, "offset": offset, "items": [incident_view(r) for r in rows]}


def open_incident_count(db: Database, units: tuple[str, ...] | None) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Incident)
                              .where(*_conditions(IncidentFilter(units=units))))


def get_incident(db: Database, incident_id: int) -> Incident:
    with db.reading() as session:
        row = session.get(Incident, incident_id)
        if row is None:
            raise NotFound(ErrorCode.INCIDENT_NOT_FOUND, f"no incident {incident_id}")
        session.expunge(row)
        return row


def incident_view(row: Incident) -> dict[str, Any]:
    return {name: getattr(row, name) for name in (
        "id", "kind", "status", "instance_id", "pathway_key", "pathway_version_id", "unit", "patient_key",
        "message_id", "element_id", "element_label", "error", "first_seen_at", "last_seen_at", "attempts",
        "next_attempt_at", "resolved_at", "resolved_by", "resolution")}
