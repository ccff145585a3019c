"""The audit trail: every read or change of a patient's data leaves a row (who, what, when, which patient).

Changes are audited by the runtime inside the command's own transaction (`actor` given); reads are audited
here, before the data is handed out, so a read that cannot be audited fails instead. A list read (the task list)
is one row naming no single patient, with the pathways and patients it showed in `audit_shown`: the trail of a
patient finds it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

from sqlalchemy import func, insert, select, union_all

from engine.clock import OSLO
from engine.db.database import Database
from engine.db.models import AuditEvent, AuditShown
from engine.errors import InvalidInput
from engine.reading.periods import check_date, check_range

AUDIT = AuditEvent.__table__
SHOWN = AuditShown.__table__


def audit_row(at: datetime, actor: str, action: str, *, patient_key: str | None = None,
              instance_id: str | None = None, task_id: str | None = None, detail: str | None = None) -> dict:
    return {"at": at, "actor": actor, "action": action, "patient_key": patient_key, "instance_id": instance_id,
            "task_id": task_id, "detail": detail}


def record_reads(db: Database, rows: Iterable[dict]) -> None:
    rows = list(rows)
    if rows:
        with db.engine.begin() as conn:
            conn.execute(insert(AUDIT), rows)


def record_list_read(db: Database, at: datetime, actor: str, action: str,
                     shown: Iterable[tuple[str, str]], detail: str | None = None) -> None:
    """One audit row for a list read that showed these (patient key, instance id) pairs, each pair a row of
    `audit_shown`; a list that showed nobody leaves no row."""
    pairs = sorted(set(shown))
    if not pairs:
        return
    with db.engine.begin() as conn:
        event_id = conn.execute(insert(AUDIT), audit_row(at, actor, action, detail=detail)).inserted_primary_key[0]
        conn.execute(insert(SHOWN), [{"event_id": event_id, "patient_key": patient, "instance_id": instance}
                                     for patient, instance in pairs])


@dataclass(frozen=True)
class AuditFilter:
    """Which audit rows an administrator asks for; every part optional. The dates are days in Norway (Europe/Oslo),
    both included: 2026-03-29 means from midnight to midnight Norwegian time, whatever the UTC offset that day."""

    patient_key: str | None = None
    actor: str | None = None
    action: str | None = None
    from_date: date | None = None
    to_date: date | None = None

    def check(self) -> None:
        """Refuses a date outside the years a trail can have (`date_invalid`, naming the field) and a from-date
        after the to-date (`range_reversed`)."""
        for name in ("from_date", "to_date"):
            value = getattr(self, name)
            if value is not None:
                try:
                    check_date(name, value)
                except InvalidInput as exc:
                    raise InvalidInput(exc.code, str(exc), params={"field": name}) from None
        if self.from_date is not None and self.to_date is not None:
            check_range(self.from_date, self.to_date)

    def described(self) -> str | None:
        """What was asked for besides the patient, for the audit row of the read itself: "actor=… action=…"."""
        parts = [f"{name}={value}" for name, value in (("actor", self.actor), ("action", self.action),
                                                        ("from", self.from_date), ("to", self.to_date)) if value]
        return " ".join(parts) or None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), OSLO).astimezone(timezone.utc)


def audit_trail(db: Database, flt: AuditFilter, *, limit: int = 100, offset: int = 0) -> dict:
    """Audit rows, newest first, by patient, actor, action and Norwegian days (for the administrator answering
    "who saw what"), the filter checked by the caller (`AuditFilter.check`). Patient and actor use their indexes;
    the dates bound `at` as a half-open range of instants."""
    conditions = []
    if flt.patient_key:  # the patient's own rows, and the list reads that showed the patient, each by its index
        # (an OR of the two made PostgreSQL scan the whole trail)
        own = select(AUDIT.c.id).where(AUDIT.c.patient_key == flt.patient_key)
        showed = select(SHOWN.c.event_id).where(SHOWN.c.patient_key == flt.patient_key)
        conditions.append(AUDIT.c.id.in_(union_all(own, showed)))
    if flt.actor:
        conditions.append(AUDIT.c.actor == flt.actor)
    if flt.action:
        conditions.append(AUDIT.c.action == flt.action)
    if flt.from_date:
        conditions.append(AUDIT.c.at >= _day_start(flt.from_date))
    if flt.to_date:
        conditions.append(AUDIT.c.at < _day_start(flt.to_date + timedelta(days=1)))
    with db.reading_connection() as conn:
        total = conn.scalar(select(func.count()).select_from(AUDIT).where(*conditions))
        rows = conn.execute(select(AUDIT).where(*conditions).order_by(AUDIT.c.at.desc(), AUDIT.c.id.desc())
                            .limit(limit).offset(offset)).mappings().all()
        shown = _shown(conn, [row["id"] for row in rows])
    items = [{**row, "shown": shown.get(row["id"], [])} for row in rows]
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def _shown(conn: Any, event_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    """What the list reads among these rows showed, by row: (patient key, instance id), in that order."""
    found: dict[int, list[dict[str, str]]] = {}
    if event_ids:
        for row in conn.execute(select(SHOWN).where(SHOWN.c.event_id.in_(event_ids))
                                .order_by(SHOWN.c.event_id, SHOWN.c.patient_key, SHOWN.c.instance_id)):
            found.setdefault(row.event_id, []).append({"patient_key": row.patient_key,
                                                       "instance_id": row.instance_id})
    return found
