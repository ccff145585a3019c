"""What a principal may see and do: role checks, and patient data limited to the principal's own units.

Another unit's task or pathway is reported as not found, so its existence is not revealed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer

from engine.access.principals import ADMIN, Principal
from engine.db.database import Database
from engine.db.models import CoordinatorTask, Incident, PathwayInstance
from engine.errors import ErrorCode, Forbidden, NotFound
from engine.reading.incidents import get_incident

_Row = TypeVar("_Row", PathwayInstance, CoordinatorTask)


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Forbidden(ErrorCode.ROLE_FORBIDDEN,
                        f"the role {principal.role} may not do this (needs {' or '.join(roles)})")


def require_patient_access(principal: Principal) -> None:
    if not principal.sees_patients:
        raise Forbidden(ErrorCode.NO_PATIENT_ACCESS, f"the role {principal.role} sees no patient data")


def check_unit(principal: Principal, unit: str) -> None:
    """Starting a pathway in a unit: coordinators only in their own units."""
    require_patient_access(principal)
    if not principal.sees_unit(unit):
        raise Forbidden(ErrorCode.UNIT_FORBIDDEN,
                        f"you may start pathways only in your own units ({', '.join(principal.units)})")


def visible_instance(db: Database, principal: Principal, instance_id: str) -> PathwayInstance:
    """The instance (without its workflow state) if this principal may see it; NotFound otherwise, as if it did
    not exist."""
    return _visible(db, principal, PathwayInstance, instance_id,
                    NotFound(ErrorCode.INSTANCE_NOT_FOUND, f"no pathway instance {instance_id}"),
                    defer(PathwayInstance.state))


def visible_task(db: Database, principal: Principal, task_id: str) -> CoordinatorTask:
    """The task if this principal may see it; NotFound otherwise."""
    return _visible(db, principal, CoordinatorTask, task_id, NotFound(ErrorCode.TASK_NOT_FOUND, f"no task {task_id}"))


# A command needs only the unit of what it acts on to check access: one small statement, built once.
_TASK_UNIT = select(CoordinatorTask.unit).where(CoordinatorTask.id == bindparam("key"))
_INSTANCE_UNIT = select(PathwayInstance.unit).where(PathwayInstance.id == bindparam("key"))


def check_task(db: Database, principal: Principal, task_id: str) -> None:
    """NotFound unless this principal may see the task (as `visible_task`, reading only its unit)."""
    _check(db, principal, _TASK_UNIT, task_id, NotFound(ErrorCode.TASK_NOT_FOUND, f"no task {task_id}"))


def check_instance(db: Database, principal: Principal, instance_id: str) -> None:
    """NotFound unless this principal may see the instance (as `visible_instance`, reading only its unit)."""
    _check(db, principal, _INSTANCE_UNIT, instance_id,
           NotFound(ErrorCode.INSTANCE_NOT_FOUND, f"no pathway instance {instance_id}"))


def visible_incident(db: Database, principal: Principal, incident_id: int) -> Incident:
    """The incident if this principal may see it (a sweep's incident, which has no unit, only administrators)."""
    require_patient_access(principal)
    row = get_incident(db, incident_id)
    if row.unit is None and principal.role != ADMIN or row.unit is not None and not principal.sees_unit(row.unit):
        raise NotFound(ErrorCode.INCIDENT_NOT_FOUND, f"no incident {incident_id}")
    return row


def _visible(db: Database, principal: Principal, model: type[_Row], key: str, missing: NotFound, *options: Any) -> _Row:
    require_patient_access(principal)
    with db.reading() as session:
        row = session.get(model, key, options=list(options))
        if row is None or not principal.sees_unit(row.unit):
            raise missing
        session.expunge(row)
        return row


def _check(db: Database, principal: Principal, statement: Any, key: str, missing: NotFound) -> None:
    require_patient_access(principal)
    with db.reading_statements() as conn:
        row = conn.execute(statement, {"key": key}).first()
    if row is None or not principal.sees_unit(row.unit):
        raise missing
