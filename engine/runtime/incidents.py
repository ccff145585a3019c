"""Incidents: a due item (timer, message delivery, sweep step) that failed inside the engine, recorded and parked.

The failed item's own transaction was rolled back; the incident is written in a transaction of its own, and the
item is parked until its back-off has passed, so the rest of the sweep goes on and a broken pathway file does not
fail every minute forever. After `MAX_ATTEMPTS` the item waits for a person: `retry` (after the file is fixed,
optionally moving the instance to the pathway's current version) or `resolve` with a note. Both are audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from engine.access.audit import AUDIT, audit_row
from engine.db.models import Incident, PathwayVersion
from engine.errors import Conflict, ErrorCode, InvalidInput, NotFound
from engine.runtime import write_path
from engine.runtime.context import RuntimeContext
from engine.runtime.failures import describe
from engine.runtime.workflow_state import load_state
from engine.statuses import IncidentKind, IncidentStatus

INCIDENT = Incident.__table__
#: Waits before the scheduler tries a failed item again: the first retries catch a passing cause (a database
#: restart), the later ones stop a broken file from filling the log. After the last, only a person retries.
BACKOFF = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
SYSTEM_ACTOR = "system:scheduler"
MAX_NOTE = 2000


@dataclass(frozen=True)
class Item:
    """What failed: its kind, the instance it ran on (None for a sweep step) and, for a delivery, the message."""

    kind: IncidentKind
    instance_id: str | None = None
    message_id: int | None = None
    element_id: str | None = None  # the timer element, when the error itself names no element


def parked_instances(kind: IncidentKind, now: datetime):
    """A subquery of the instances whose open incident of `kind` is still backing off or waits for a person."""
    return select(INCIDENT.c.instance_id).where(*_parked(kind, now), INCIDENT.c.instance_id.is_not(None))


def parked_messages(now: datetime):
    return select(INCIDENT.c.message_id).where(*_parked(IncidentKind.MESSAGE, now), INCIDENT.c.message_id.is_not(None))


def _parked(kind: IncidentKind, now: datetime) -> tuple:
    return (INCIDENT.c.status == IncidentStatus.OPEN, INCIDENT.c.kind == kind,
            or_(INCIDENT.c.next_attempt_at.is_(None), INCIDENT.c.next_attempt_at > now))


def _open_for(conn: Connection, item: Item):
    return conn.execute(select(INCIDENT).where(
        INCIDENT.c.status == IncidentStatus.OPEN, INCIDENT.c.kind == item.kind,
        INCIDENT.c.instance_id.is_(None) if item.instance_id is None else INCIDENT.c.instance_id == item.instance_id,
        INCIDENT.c.message_id.is_(None) if item.message_id is None else INCIDENT.c.message_id == item.message_id,
    ).with_for_update()).first()


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When the scheduler tries again after `attempts` failures; None once it has tried MAX_ATTEMPTS times."""
    return now + BACKOFF[attempts - 1] if attempts < MAX_ATTEMPTS else None


def record(ctx: RuntimeContext, item: Item, exc: BaseException) -> int:
    """Record a failure of `item` (a new incident, or one more attempt of its open one); returns its id."""
    failure = describe(exc)
    now = ctx.now()
    with ctx.db.engine.begin() as conn:
        existing = _open_for(conn, item)
        if existing is not None:
            attempts = existing.attempts + 1
            conn.execute(update(INCIDENT).where(INCIDENT.c.id == existing.id).values(
                error=failure.detail, last_seen_at=now, attempts=attempts,
                element_id=failure.element_id or existing.element_id,
                element_label=failure.element_label or existing.element_label,
                next_attempt_at=next_attempt(attempts, now)))
            return existing.id
        row = _instance_columns(conn, item.instance_id)
        element_id = failure.element_id or item.element_id
        label = failure.element_label or (_element_label(ctx, row["pathway_version_id"], element_id)
                                          if row.get("pathway_version_id") and element_id else None)
        return conn.execute(insert(INCIDENT).values(
            kind=item.kind, status=IncidentStatus.OPEN, instance_id=item.instance_id, message_id=item.message_id,
            element_id=element_id, element_label=label, error=failure.detail, first_seen_at=now, last_seen_at=now,
            attempts=1, next_attempt_at=next_attempt(1, now), **row).returning(INCIDENT.c.id)).scalar_one()


def _instance_columns(conn: Connection, instance_id: str | None) -> dict:
    if instance_id is None:
        return {}
    instance = write_path.INSTANCE
    row = conn.execute(select(instance.c.pathway_key, instance.c.pathway_version_id, instance.c.unit,
                              instance.c.patient_key).where(instance.c.id == instance_id)).first()
    return dict(row._mapping) if row else {}


def _element_label(ctx: RuntimeContext, version_id: int, element_id: str) -> str | None:
    try:
        return ctx.definitions.get(version_id).element_label(element_id)
    except Exception:  # a label is a courtesy: an incident is recorded even when the version cannot be parsed
        return None


def resolve_in(conn: Connection, incident_id: int, at: datetime, by: str, resolution: str) -> None:
    """Mark the incident resolved, in the caller's transaction (the one that made the item succeed)."""
    conn.execute(update(INCIDENT).where(INCIDENT.c.id == incident_id, INCIDENT.c.status == IncidentStatus.OPEN)
                 .values(status=IncidentStatus.RESOLVED, resolved_at=at, resolved_by=by,
                         resolution=resolution[:MAX_NOTE], next_attempt_at=None))


def resolver(ctx: RuntimeContext, incident_id: int | None, by: str, resolution: str) -> Callable[[Connection], None]:
    """A hook that resolves `incident_id` (if any) inside the transaction that succeeds."""
    def hook(conn: Connection) -> None:
        if incident_id is not None:
            resolve_in(conn, incident_id, ctx.now(), by, resolution)
    return hook


def open_incident(ctx: RuntimeContext, incident_id: int):
    """The open incident row, or NotFound / Conflict(incident_resolved)."""
    with ctx.db.reading_connection() as conn:
        row = conn.execute(select(INCIDENT).where(INCIDENT.c.id == incident_id)).first()
    if row is None:
        raise NotFound(ErrorCode.INCIDENT_NOT_FOUND, f"no incident {incident_id}")
    if row.status != IncidentStatus.OPEN:
        raise Conflict(ErrorCode.INCIDENT_RESOLVED, f"incident {incident_id} is already resolved")
    return row


def resolve(ctx: RuntimeContext, incident_id: int, note: str, actor: str) -> None:
    """Close an incident by hand, with a note saying why (e.g. the pathway was closed in the EHR instead)."""
    note = note.strip()
    if not note:
        raise InvalidInput(ErrorCode.NOTE_REQUIRED, "a note saying why the incident is resolved is required")
    row = open_incident(ctx, incident_id)
    with ctx.db.engine.begin() as conn:
        resolve_in(conn, incident_id, ctx.now(), actor, note)
        conn.execute(AUDIT.insert(), audit_row(ctx.now(), actor, "resolve_incident", patient_key=row.patient_key,
                                               instance_id=row.instance_id, detail=f"{incident_id}: {note}"[:MAX_NOTE]))


def rebind_to_current_version(ctx: RuntimeContext, instance_id: str, actor: str) -> int:
    """Put the instance on its pathway's current version, when the new version has every element the instance
    has reached (a fixed script, a corrected condition); returns the version id. Moving instances whose diagram
    changed is migration, which this does not do."""
    instance = write_path.INSTANCE
    with ctx.db.engine.begin() as conn:
        row = conn.execute(select(instance.c.pathway_key, instance.c.pathway_version_id, instance.c.patient_key,
                                  instance.c.state).where(instance.c.id == instance_id).with_for_update()).one()
        current = conn.scalar(select(PathwayVersion.id).where(PathwayVersion.pathway_key == row.pathway_key,
                                                              PathwayVersion.is_current.is_(True)))
        if current is None or current == row.pathway_version_id:
            return row.pathway_version_id
        definition = ctx.definitions.get(current, conn)
        try:
            load_state(row.state, definition.spec, definition.subprocess_specs)
        except Exception as exc:
            raise InvalidInput(ErrorCode.VERSION_INCOMPATIBLE,
                               f"the current version lacks elements this pathway has reached ({exc}); it needs "
                               f"migration", params={"version": current}) from exc
        conn.execute(update(instance).where(instance.c.id == instance_id)
                     .values(pathway_version_id=current, version=instance.c.version + 1))
        conn.execute(AUDIT.insert(), audit_row(ctx.now(), actor, "rebind_version", patient_key=row.patient_key,
                                               instance_id=instance_id,
                                               detail=f"{row.pathway_version_id} -> {current}"))
    return current


def audit_retry(ctx: RuntimeContext, row, actor: str) -> None:
    with ctx.db.engine.begin() as conn:
        conn.execute(AUDIT.insert(), audit_row(ctx.now(), actor, "retry_incident", patient_key=row.patient_key,
                                               instance_id=row.instance_id, detail=str(row.id)))


def due_for_retry(conn: Connection, kind: IncidentKind, now: datetime) -> dict[Any, int]:
    """The open incidents of `kind` whose back-off has passed, by their item (instance id for a timer, message id
    for a delivery): the scheduler tries these items again and resolves the incident when one succeeds."""
    item = INCIDENT.c.message_id if kind == IncidentKind.MESSAGE else INCIDENT.c.instance_id
    return dict(conn.execute(select(item, INCIDENT.c.id).where(
        INCIDENT.c.status == IncidentStatus.OPEN, INCIDENT.c.kind == kind,
        INCIDENT.c.next_attempt_at.is_not(None), INCIDENT.c.next_attempt_at <= now)).all())
