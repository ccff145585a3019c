"""What a principal may see and do: role checks, and patient data limited to the principal's own units.

Another unit's task or pathway is reported as not found, so its existence is not revealed.
"""

from __future__ import annotations

from engine.access.principals import Principal
from engine.db.database import Database
from engine.db.models import CoordinatorTask, PathwayInstance
from engine.errors import Forbidden, NotFound


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Forbidden(f"the role {principal.role} may not do this (needs {' or '.join(roles)})")


def require_patient_access(principal: Principal) -> None:
    if not principal.sees_patients:
        raise Forbidden(f"the role {principal.role} sees no patient data")


def check_unit(principal: Principal, unit: str) -> None:
    """Starting a pathway in a unit: coordinators only in their own units."""
    require_patient_access(principal)
    if not principal.sees_unit(unit):
        raise Forbidden(f"you may start pathways only in your own units ({', '.join(principal.units)})")


def visible_instance(db: Database, principal: Principal, instance_id: str) -> PathwayInstance:
    """The instance if this principal may see it; NotFound otherwise, as if it did not exist."""
    require_patient_access(principal)
    with db.reading() as session:
        instance = session.get(PathwayInstance, instance_id)
        if instance is None or not principal.sees_unit(instance.unit):
            raise NotFound(f"no pathway instance {instance_id}")
        session.expunge(instance)
        return instance


def visible_task(db: Database, principal: Principal, task_id: str) -> CoordinatorTask:
    require_patient_access(principal)
    with db.reading() as session:
        task = session.get(CoordinatorTask, task_id)
        if task is None or not principal.sees_unit(task.unit):
            raise NotFound(f"no task {task_id}")
        session.expunge(task)
        return task
