"""Task lists and one task with its form, from the projected `coordinator_task` table.

The list is ordered by what is really urgent: each task's *urgent date* is the nearest running (pending or
overdue) deadline of the task's pathway instance, or the task's own due date when the instance has no running
deadline, so a first evaluation due in two days is not hidden behind a task of that pathway without a due date.
Each row carries all running deadlines of its instance, nearest first. The urgent date is stored on the task
(`urgent_on`, kept by the write path whenever a command changes the instance's deadlines or tasks), so the list
is read in index order, pages by a keyset cursor, and counts stop at `COUNT_CAP`.

A page is found on the sort key alone (the covering indexes `ix_task_open_*urgent`, read in order, without
touching the table for the rows an offset skips) and only its own rows are then read whole. A list of several
units is one such ordered, limited read per unit, merged: `unit IN (…)` cannot read one index in order.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, Select, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from engine.catalogue.versions import DefinitionCache
from engine.db.database import Database
from engine.db.models import NO_URGENT_DATE, CoordinatorTask, IndicatorMeasurement, PathwayInstance
from engine.deadlines.rules import due_between_sql, is_overdue, overdue_sql, soon_limit, status_on, week_end
from engine.errors import ErrorCode, NotFound
from engine.reading import cursors
from engine.statuses import OPEN_DEADLINE_STATUSES, TaskStatus

#: The worklist's quick filters on the urgent date: overdue, due by this week's Sunday, due within 3 working days.
DUE_FILTERS = ("overdue", "this_week", "soon")
DueFilter = Literal["overdue", "this_week", "soon"]
#: Totals and quick-filter counts stop here ("1000+"): counting further would read every matching task.
COUNT_CAP = 1000
#: A list of up to this many units is merged from one ordered read per unit; more, and one read of them all.
#: Measured at regional scale (bench/README.md): merged, two units take half the time of `unit IN (…)`; from
#: five units on, one query is faster (its units hold enough of the tasks, and six counts per unit add up).
MERGED_UNITS_MAX = 4


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


#: The list's order: urgent date (none last), then on the same urgent date the task that ends a deadline before
#: the ones without a due date, then the oldest. Both indexes `ix_task_open_*urgent` hold exactly this order.
def _order(task: Any = CoordinatorTask) -> list[Any]:
    return [task.urgent_on, task.due_on.asc().nulls_last(), task.created_at, task.id]


def _sort_keys(where: ColumnElement[bool], limit: int) -> Select:
    """The sort key and id of the first `limit` matching tasks, in the list's order (an index-only read when the
    filters are on the index's columns)."""
    task = CoordinatorTask
    return (select(task.id, task.urgent_on, task.due_on, task.created_at).where(where).order_by(*_order())
            .limit(limit))


def _parts(flt: TaskFilter) -> list[TaskFilter]:
    """The list as it is read: one filter per unit, each read in its index's order and merged, or the list itself
    when one read is better: one unit (or none: all units), too many units, or a patient's tasks (its own index
    finds those few rows)."""
    if flt.unit or flt.patient_key or flt.units is None or not 2 <= len(flt.units) <= MERGED_UNITS_MAX:
        return [flt]
    return [dataclasses.replace(flt, unit=unit, units=None) for unit in sorted(set(flt.units))]


def _page(session: Session, flt: TaskFilter, today: date, after: ColumnElement[bool] | None, limit: int,
          offset: int) -> list[Row]:
    """One page of tasks in the list's order: the page's ids from the sort keys (per unit and merged, see
    `_parts`), then those rows whole."""
    def where(of: TaskFilter) -> ColumnElement[bool]:
        conditions = _conditions(of, today, CoordinatorTask.urgent_on)
        return and_(*conditions, after) if after is not None else and_(*conditions)

    # each part's first offset + limit, read in its index's order; the page is among them
    reads = [_sort_keys(where(part), offset + limit).subquery() for part in _parts(flt)]
    keys = reads[0] if len(reads) == 1 else union_all(*(select(read) for read in reads)).subquery()
    page = select(keys).order_by(*_order(keys.c)).limit(limit).offset(offset).subquery()
    table = CoordinatorTask.__table__  # rows, not ORM objects: a page is read, never changed
    return list(session.execute(select(table).join(page, table.c.id == page.c.id).order_by(*_order(page.c))))


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
               me: str | None = None, after: str | None = None) -> dict[str, Any]:
    """A page of open tasks, most urgent first (by urgent date; tasks with none last), each with its instance's
    running deadlines, and the quick filters' counts (`mine` counts `me`'s tasks).

    The page is read off an index in the list's order (per unit and merged for a few units). `after` is the
    `next_cursor` of the page before (keyset paging: as fast on page 100 as on page 1); `offset` still works, but
    reads the index entries it skips (not their rows). `total` and the counts stop at `COUNT_CAP`
    (`counts_capped` names those that did), so no count reads every task."""
    position = _after(decode_cursor(after)) if after else None
    with db.reading() as session:
        counts = _counts(session, flt, today, me)
        total = counts.pop("total")
        found = _page(session, flt, today, position, limit, offset)
        running = _running_deadlines(session, {row.instance_id for row in found}, today)
    items = []
    for row in found:
        view = task_view(row, today)
        deadlines = running.get(row.instance_id, [])
        view.update(urgent_on=None if row.urgent_on == NO_URGENT_DATE else row.urgent_on,
                    running_deadlines=deadlines, nearest_deadline=deadlines[0] if deadlines else None)
        items.append(view)
    capped = [name for name, value in (("total", total), *counts.items()) if value >= COUNT_CAP]
    next_cursor = encode_cursor(found[-1]) if len(found) == limit else None
    return {"total": total, "limit": limit, "offset": offset, "counts": counts, "count_cap": COUNT_CAP,
            "counts_capped": capped, "next_cursor": next_cursor, "items": items}


def encode_cursor(row: CoordinatorTask | Row) -> str:
    """The position after `row` in the list's order, as an opaque URL-safe string."""
    key = [row.urgent_on.isoformat(), row.due_on.isoformat() if row.due_on else None,
           row.created_at.isoformat(), row.id]
    return cursors.opaque(json.dumps(key, separators=(",", ":")))


def decode_cursor(cursor: str) -> tuple[date, date | None, datetime, str]:
    """A cursor of `encode_cursor`; anything else is refused with `cursor_invalid`."""
    position = cursors.revealed(cursor, "task list")
    try:
        urgent, due, created, task_id = json.loads(position)
        created_at = datetime.fromisoformat(created)
        if created_at.tzinfo is None or not isinstance(task_id, str):
            raise ValueError("not a task position")
        return (date.fromisoformat(urgent), date.fromisoformat(due) if due else None, created_at, task_id)
    except (ValueError, TypeError) as exc:
        raise cursors.refused("task list", exc) from None


def _after(key: tuple[date, date | None, datetime, str]) -> ColumnElement[bool]:
    """The tasks after `key` in the list's order (`_order`; a NULL due date sorts after every date). The plain
    `urgent_on >= …` lets the index start its scan at the cursor."""
    task = CoordinatorTask
    urgent, due, created_at, task_id = key
    later_created = or_(task.created_at > created_at, and_(task.created_at == created_at, task.id > task_id))
    if due is None:
        same_urgent = and_(task.due_on.is_(None), later_created)
    else:
        same_urgent = or_(task.due_on.is_(None), task.due_on > due, and_(task.due_on == due, later_created))
    return and_(task.urgent_on >= urgent, or_(task.urgent_on > urgent, and_(task.urgent_on == urgent, same_urgent)))


def _bounded_count(where: ColumnElement[bool], in_order: bool) -> Any:
    """How many tasks match, counted up to COUNT_CAP, as a subquery. `in_order` reads them in the urgent
    index's order: with a LIMIT and no order PostgreSQL prefers a sequential scan that meets the first thousand
    of a unit's tasks among tens of thousands of others; in order it reads those thousand index entries."""
    inner = select(literal(1)).select_from(CoordinatorTask).where(where)
    if in_order:
        inner = inner.order_by(CoordinatorTask.urgent_on)
    return select(func.count()).select_from(inner.limit(COUNT_CAP).subquery()).scalar_subquery()


def _in_index_order(flt: TaskFilter) -> bool:
    """Whether the list's other filters leave the urgent index the way to count: none of them narrows the tasks
    to a few found by another index (a pathway, lane, assignee, patient or own due date)."""
    return not (flt.pathway or flt.lane or flt.assignee or flt.patient_key or flt.due_before
                or flt.overdue is not None)


def _running_deadlines(session: Session, instance_ids: set[str], today: date) -> dict[str, list[dict[str, Any]]]:
    """The running deadlines of these instances (a page's worth), nearest first."""
    m = IndicatorMeasurement
    running: dict[str, list[dict[str, Any]]] = {}
    if not instance_ids:
        return running
    # the columns shown, not whole rows: a page's 50 ORM objects cost more than the query
    for row in session.execute(select(m.instance_id, m.indicator_key, m.label, m.due_on, m.status)
                               .where(m.instance_id.in_(instance_ids), m.end_on.is_(None),
                                      m.status.in_(OPEN_DEADLINE_STATUSES)).order_by(m.due_on, m.id)):
        running.setdefault(row.instance_id, []).append(
            {"indicator": row.indicator_key, "label": row.label, "due_on": row.due_on,
             "status": status_on(row.status, row.due_on, today)})
    return running


def _counts(session: Session, flt: TaskFilter, today: date, me: str | None) -> dict[str, int]:
    """The list's total and how many tasks each quick filter would show, given the other filters, each counted
    up to COUNT_CAP, in one statement (`mine` counts `me`'s tasks). Several units are counted unit by unit (as
    the page is read, `_parts`) and added up."""
    urgent, assignee = CoordinatorTask.urgent_on, CoordinatorTask.assignee
    quick = {name: _due_condition(name, urgent, today) for name in DUE_FILTERS}
    parts = _parts(flt)
    # with one quick filter on, the total is that filter's count: not counted twice
    same_as_total = flt.due if flt.due and not flt.unclaimed else "unclaimed" if flt.unclaimed and not flt.due else None
    names = [*(["total"] if same_as_total is None else []), *DUE_FILTERS, *(["mine"] if me else []), "unclaimed"]
    columns = []
    for n, part in enumerate(parts):
        base, in_order = _base_conditions(part, today), _in_index_order(part)
        conditions = {"total": and_(*_conditions(part, today, urgent)), **{k: and_(*base, c) for k, c in quick.items()},
                      "mine": and_(*base, assignee == me), "unclaimed": and_(*base, assignee.is_(None))}
        columns += [_bounded_count(conditions[name], in_order and name != "mine").label(f"{name}_{n}")
                    for name in names]
    row = session.execute(select(*columns)).one()._mapping
    counts = {name: min(COUNT_CAP, sum(int(row[f"{name}_{n}"] or 0) for n in range(len(parts)))) for name in names}
    if same_as_total:
        counts["total"] = counts[same_as_total]
    return {name: counts.get(name, 0) for name in ("total", "overdue", "this_week", "soon", "mine", "unclaimed")}


def task_view(row: CoordinatorTask | Row, today: date) -> dict[str, Any]:
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
