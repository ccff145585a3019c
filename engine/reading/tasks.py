"""Task lists and one task with its form, from the projected `coordinator_task` table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select

from engine.catalogue.versions import DefinitionCache
from engine.db.database import Database
from engine.db.models import CoordinatorTask, PathwayInstance
from engine.deadlines.rules import is_overdue, overdue_sql
from engine.errors import ErrorCode, NotFound
from engine.statuses import TaskStatus


@dataclass(frozen=True)
class TaskFilter:
    unit: str | None = None
    pathway: str | None = None
    lane: str | None = None
    assignee: str | None = None
    due_before: date | None = None
    overdue: bool | None = None
    patient_key: str | None = None
    #: restrict to these units (a coordinator's own); None = no restriction
    units: tuple[str, ...] | None = None


def _conditions(flt: TaskFilter, today: date) -> list[Any]:
    task = CoordinatorTask
    conditions = [task.status == TaskStatus.OPEN]
    for column, value in ((task.unit, flt.unit), (task.pathway_key, flt.pathway), (task.lane, flt.lane),
                          (task.assignee, flt.assignee), (task.patient_key, flt.patient_key)):
        if value:
            conditions.append(column == value)
    if flt.units is not None:
        conditions.append(task.unit.in_(flt.units))
    if flt.due_before:
        conditions.append(task.due_on < flt.due_before)
    if flt.overdue is True:
        conditions.append(overdue_sql(task.due_on, today))
    elif flt.overdue is False:
        conditions.append(or_(task.due_on.is_(None), ~overdue_sql(task.due_on, today)))
    return conditions


def list_tasks(db: Database, today: date, flt: TaskFilter, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """A page of open tasks, earliest due first (tasks without a due date last)."""
    where = and_(*_conditions(flt, today))
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(CoordinatorTask).where(where))
        rows = session.scalars(
            select(CoordinatorTask).where(where)
            .order_by(CoordinatorTask.due_on.is_(None), CoordinatorTask.due_on, CoordinatorTask.created_at,
                      CoordinatorTask.id)
            .limit(limit).offset(offset)).all()
        return {"total": total, "limit": limit, "offset": offset,
                "items": [task_view(row, today) for row in rows]}


def task_view(row: CoordinatorTask, today: date) -> dict[str, Any]:
    return {
        "id": row.id, "instance_id": row.instance_id, "pathway": row.pathway_key, "unit": row.unit,
        "patient_key": row.patient_key, "element_id": row.element_id, "label": row.label, "lane": row.lane,
        "measuring_point": row.measuring_point, "assignee": row.assignee, "due_on": row.due_on,
        "overdue": is_overdue(row.due_on, today), "status": row.status, "created_at": row.created_at,
    }


def get_task(db: Database, definitions: DefinitionCache, task_id: str, today: date) -> dict[str, Any]:
    """One task with its form (from the task's pathway version) and the instance's latest measuring point date,
    before which no registration may be dated."""
    with db.reading() as session:
        row = session.get(CoordinatorTask, task_id)
        if row is None:
            raise NotFound(ErrorCode.TASK_NOT_FOUND, f"no task {task_id}")
        view = task_view(row, today)
        version_id, last_occurred_on = session.execute(
            select(PathwayInstance.pathway_version_id, PathwayInstance.last_occurred_on)
            .where(PathwayInstance.id == row.instance_id)).one()
    view["form"] = [f.as_view() for f in definitions.get(version_id).form_of(row.element_id)]
    view["last_occurred_on"] = last_occurred_on
    return view
