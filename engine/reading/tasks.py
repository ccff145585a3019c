"""Task lists and one task with its form, from the projected `coordinator_task` table.

The list is ordered by what is really urgent: each task's *urgent date* is the nearest running (pending or
overdue) deadline of the task's pathway instance, or the task's own due date when the instance has no running
deadline, so a first evaluation due in two days is not hidden behind a task of that pathway without a due date.
Each row carries all running deadlines of its instance, nearest first; the counts of the worklist's quick filters
are computed in one SQL query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from engine.catalogue.versions import DefinitionCache
from engine.db.database import Database
from engine.db.models import CoordinatorTask, IndicatorMeasurement, PathwayInstance
from engine.deadlines.rules import due_between_sql, is_overdue, overdue_sql, soon_limit, status_on, week_end
from engine.errors import ErrorCode, NotFound
from engine.statuses import OPEN_DEADLINE_STATUSES, TaskStatus

#: The worklist's quick filters on the urgent date: overdue, due by this week's Sunday, due within 3 working days.
DUE_FILTERS = ("overdue", "this_week", "soon")
DueFilter = Literal["overdue", "this_week", "soon"]


@dataclass(frozen=True)
class TaskFilter:
    unit: str | None = None
    pathway: str | None = None
    lane: str | None = None
    assignee: str | None = None
    due_before: date | None = None
    overdue: bool | None = None
    patient_key: str | None = None
    #: on the urgent date (nearest running deadline of the pathway, else the task's own due date)
    due: DueFilter | None = None
    #: only tasks nobody has claimed
    unclaimed: bool = False
    #: restrict to these units (a coordinator's own); None = no restriction
    units: tuple[str, ...] | None = None


def _nearest_running_deadline() -> ColumnElement[date]:
    """The nearest due date among the running deadlines of the task's instance (NULL when none runs)."""
    m = IndicatorMeasurement
    return (select(func.min(m.due_on)).where(m.instance_id == CoordinatorTask.instance_id, m.end_on.is_(None),
                                             m.status.in_(OPEN_DEADLINE_STATUSES))
            .correlate(CoordinatorTask).scalar_subquery())


def urgent_date_sql() -> ColumnElement[date]:
    """A task's urgent date: the nearest running deadline of its pathway instance, else its own due date."""
    return func.coalesce(_nearest_running_deadline(), CoordinatorTask.due_on)


def _due_condition(due: DueFilter, urgent: ColumnElement[date], today: date) -> ColumnElement[bool]:
    if due == "overdue":
        return overdue_sql(urgent, today)
    return due_between_sql(urgent, today, week_end(today) if due == "this_week" else soon_limit(today))


def _conditions(flt: TaskFilter, today: date, urgent: ColumnElement[date]) -> list[Any]:
    """The filters as SQL conditions; the quick filters (`due`, `unclaimed`) after the others."""
    task = CoordinatorTask
    conditions = _base_conditions(flt, today)
    if flt.due:
        conditions.append(_due_condition(flt.due, urgent, today))
    if flt.unclaimed:
        conditions.append(task.assignee.is_(None))
    return conditions


def _base_conditions(flt: TaskFilter, today: date) -> list[Any]:
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


def list_tasks(db: Database, today: date, flt: TaskFilter, limit: int = 50, offset: int = 0,
               me: str | None = None) -> dict[str, Any]:
    """A page of open tasks, most urgent first (by urgent date; tasks with none last), each with its instance's
    running deadlines, and the quick filters' counts (`mine` counts `me`'s tasks)."""
    urgent = urgent_date_sql().label("urgent_on")
    where = and_(*_conditions(flt, today, urgent))
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(CoordinatorTask).where(where))
        found = session.execute(
            select(CoordinatorTask, urgent).where(where)
            # On the same urgent date, the task that ends a deadline before the ones without a due date.
            .order_by(urgent.is_(None), urgent, CoordinatorTask.due_on.is_(None), CoordinatorTask.due_on,
                      CoordinatorTask.created_at, CoordinatorTask.id)
            .limit(limit).offset(offset)).all()
        running = _running_deadlines(session, {row.instance_id for row, _ in found}, today)
        counts = _counts(session, flt, today, me)
    items = []
    for row, urgent_on in found:
        view = task_view(row, today)
        deadlines = running.get(row.instance_id, [])
        view.update(urgent_on=urgent_on, running_deadlines=deadlines,
                    nearest_deadline=deadlines[0] if deadlines else None)
        items.append(view)
    return {"total": total, "limit": limit, "offset": offset, "counts": counts, "items": items}


def _running_deadlines(session: Session, instance_ids: set[str], today: date) -> dict[str, list[dict[str, Any]]]:
    """The running deadlines of these instances (a page's worth), nearest first."""
    m = IndicatorMeasurement
    running: dict[str, list[dict[str, Any]]] = {}
    if not instance_ids:
        return running
    for row in session.scalars(select(m).where(m.instance_id.in_(instance_ids), m.end_on.is_(None),
                                               m.status.in_(OPEN_DEADLINE_STATUSES)).order_by(m.due_on, m.id)):
        running.setdefault(row.instance_id, []).append(
            {"indicator": row.indicator_key, "label": row.label, "due_on": row.due_on,
             "status": status_on(row.status, row.due_on, today)})
    return running


def _counts(session: Session, flt: TaskFilter, today: date, me: str | None) -> dict[str, int]:
    """How many tasks each quick filter would show, given the other filters: one aggregate query."""
    urgent = urgent_date_sql()
    inner = (select(CoordinatorTask.assignee.label("assignee"), urgent.label("urgent_on"))
             .where(*_base_conditions(flt, today)).subquery())

    def count_of(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(select(
        count_of(_due_condition("overdue", inner.c.urgent_on, today)),
        count_of(_due_condition("this_week", inner.c.urgent_on, today)),
        count_of(_due_condition("soon", inner.c.urgent_on, today)),
        count_of(inner.c.assignee == me) if me else literal(0),
        count_of(inner.c.assignee.is_(None)))).one()
    return dict(zip(("overdue", "this_week", "soon", "mine", "unclaimed"), (int(v or 0) for v in row)))


def task_view(row: CoordinatorTask, today: date) -> dict[str, Any]:
    return {
        "id": row.id, "instance_id": row.instance_id, "pathway": row.pathway_key, "unit": row.unit,
        "patient_key": row.patient_key, "element_id": row.element_id, "label": row.label, "lane": row.lane,
        "measuring_point": row.measuring_point, "assignee": row.assignee, "due_on": row.due_on, "overdue": is_overdue(row.due_on, today), "status": row.status,
        "created_at": row.created_at,
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
