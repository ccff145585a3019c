"""The audit trail: every read or change of a patient's data leaves a row (who, what, when, which patient).

Changes are audited by the runtime inside the command's own transaction (`actor` given); reads are audited
here, before the data is handed out, so a read that cannot be audited fails instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import func, insert, select

from engine.db.database import Database
from engine.db.models import AuditEvent

AUDIT = AuditEvent.__table__


def audit_row(at: datetime, actor: str, action: str, *, patient_key: str | None = None,
              instance_id: str | None = None, task_id: str | None = None, detail: str | None = None) -> dict:
    return {"at": at, "actor": actor, "action": action, "patient_key": patient_key, "instance_id": instance_id,
            "task_id": task_id, "detail": detail}


def record_reads(db: Database, rows: Iterable[dict]) -> None:
    rows = list(rows)
    if rows:
        with db.engine.begin() as conn:
            conn.execute(insert(AUDIT), rows)


def audit_trail(db: Database, *, patient_key: str | None = None, actor: str | None = None, limit: int = 100,
                offset: int = 0) -> dict:
    """Audit rows, newest first, for a patient and/or an actor (for the administrator answering "who saw what")."""
    conditions = []
    if patient_key:
        conditions.append(AUDIT.c.patient_key == patient_key)
    if actor:
        conditions.append(AUDIT.c.actor == actor)
    with db.reading_connection() as conn:
        total = conn.scalar(select(func.count()).select_from(AUDIT).where(*conditions))
        rows = conn.execute(select(AUDIT).where(*conditions).order_by(AUDIT.c.at.desc(), AUDIT.c.id.desc())
                            .limit(limit).offset(offset)).mappings().all()
    return {"total": total, "limit": limit, "offset": offset, "items": [dict(row) for row in rows]}
