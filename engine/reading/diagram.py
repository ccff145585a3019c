"""One pathway version's diagram with its live overlay: the BPMN source, and per element how many patients wait
there now, how many of them are overdue, and the open incidents, counted from the projected tables with one
`GROUP BY` per table (never by loading a workflow); the waiting patients of one element; and the deadline
indicators with the elements they are measured between."""

from __future__ import annotations

from datetime import date
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from sqlalchemy import ColumnElement, Select, case, distinct, func, select

from engine.catalogue.definition import PathwayDefinition
from engine.clock import OSLO
from engine.db.database import Database
from engine.db.models import CoordinatorTask, DueTimer, Incident, PathwayInstance
from engine.deadlines.rules import is_overdue, overdue_sql
from engine.errors import ErrorCode, NotFound
from engine.statuses import IncidentStatus, TaskStatus

#: At most this many waiting patients are listed for one element (the count above the list says how many wait).
PATIENT_LIST_LIMIT = 200


def timer_elements(definition: PathwayDefinition) -> dict[str, str]:
    """What `due_timer.element_id` holds -> the timer's element id. The runtime stores a timer under the name of
    SpiffWorkflow's pending event, which is the timer element's name (its id when it has none); a name two timers
    share stays as it is, so its count shows in the table but on neither element."""
    by_name: dict[str, list[str]] = {}
    for spec in (definition.spec, *definition.subprocess_specs.values()):
        for task_spec in spec.task_specs.values() if spec is not None else ():
            event = getattr(task_spec, "event_definition", None)
            if isinstance(event, TimerEventDefinition) and event.name:
                by_name.setdefault(event.name, []).append(task_spec.bpmn_id)
    return {name: ids[0] for name, ids in by_name.items() if len(ids) == 1}


def _on_version(query: Select, version_id: int, unit: Any, units: tuple[str, ...] | None) -> Select:
    query = query.where(PathwayInstance.pathway_version_id == version_id)
    return query.where(unit.in_(units)) if units is not None else query


def element_counts(db: Database, definition: PathwayDefinition, version_id: int, units: tuple[str, ...] | None,
                   today: date) -> dict[str, dict[str, int]]:
    """Element id -> patients waiting (at an open task or a timer), overdue (at an open task past its due date,
    the rule of `engine.deadlines.rules`) and open incidents; `units` None = every unit."""
    overdue = overdue_sql(CoordinatorTask.due_on, today)
    tasks = _on_version(
        select(CoordinatorTask.element_id, func.count(distinct(CoordinatorTask.instance_id)),
               func.count(distinct(case((overdue, CoordinatorTask.instance_id)))))
        .join(PathwayInstance, PathwayInstance.id == CoordinatorTask.instance_id)
        .where(CoordinatorTask.status == TaskStatus.OPEN), version_id, CoordinatorTask.unit, units)
    timers = _on_version(
        select(DueTimer.element_id, func.count(distinct(DueTimer.instance_id)))
        .join(PathwayInstance, PathwayInstance.id == DueTimer.instance_id), version_id, PathwayInstance.unit, units)
    incident_filter: list[ColumnElement[bool]] = [Incident.status == IncidentStatus.OPEN,
                                                  Incident.pathway_version_id == version_id,
                                                  Incident.element_id.is_not(None)]
    if units is not None:
        incident_filter.append(Incident.unit.in_(units))
    incidents = select(Incident.element_id, func.count()).where(*incident_filter)
    counts: dict[str, dict[str, int]] = {}
    timer_element = timer_elements(definition)

    def at(element_id: str) -> dict[str, int]:
        return counts.setdefault(element_id, {"waiting": 0, "overdue": 0, "incidents": 0})

    with db.reading() as session:
        for element_id, waiting, late in session.execute(tasks.group_by(CoordinatorTask.element_id)):
            at(element_id).update(waiting=waiting, overdue=late)
        for stored, waiting in session.execute(timers.group_by(DueTimer.element_id)):
            at(timer_element.get(stored, stored))["waiting"] += waiting
        for element_id, count in session.execute(incidents.group_by(Incident.element_id)):
            at(element_id)["incidents"] = count
    return counts


def waiting_patients(db: Database, definition: PathwayDefinition, version_id: int, element_id: str,
                     units: tuple[str, ...] | None, today: date) -> list[dict[str, Any]]:
    """The patients waiting at one element (open tasks there, then timers there), earliest due first."""
    stored = [name for name, timer in timer_elements(definition).items() if timer == element_id] + [element_id]
    tasks = _on_version(
        select(CoordinatorTask.instance_id, CoordinatorTask.patient_key, CoordinatorTask.label,
               CoordinatorTask.due_on, CoordinatorTask.unit)
        .join(PathwayInstance, PathwayInstance.id == CoordinatorTask.instance_id)
        .where(CoordinatorTask.status == TaskStatus.OPEN, CoordinatorTask.element_id == element_id),
        version_id, CoordinatorTask.unit, units)
    timers = _on_version(
        select(DueTimer.instance_id, PathwayInstance.patient_key, DueTimer.due_at, PathwayInstance.unit)
        .join(PathwayInstance, PathwayInstance.id == DueTimer.instance_id).where(DueTimer.element_id.in_(stored)),
        version_id, PathwayInstance.unit, units)
    with db.reading() as session:
        rows = [{"instance_id": r.instance_id, "patient_key": r.patient_key, "unit": r.unit, "task": r.label,
                 "due_on": r.due_on, "overdue": is_overdue(r.due_on, today), "waits_for": "task"}
                for r in session.execute(tasks.order_by(CoordinatorTask.due_on, CoordinatorTask.id)
                                         .limit(PATIENT_LIST_LIMIT))]
        rows += [{"instance_id": r.instance_id, "patient_key": r.patient_key, "unit": r.unit, "task": None,
                  "due_on": r.due_at.astimezone(OSLO).date(), "overdue": False, "waits_for": "timer"}
                 for r in session.execute(timers.order_by(DueTimer.due_at, DueTimer.id)
                                          .limit(PATIENT_LIST_LIMIT - len(rows)))]
    return rows


def require_element(definition: PathwayDefinition, element_id: str) -> None:
    """NotFound unless the version has an element of that id (in its process or one of its sub-processes)."""
    specs = (definition.spec, *definition.subprocess_specs.values())
    if element_id not in definition.tasks and not any(element_id in s.task_specs for s in specs if s is not None):
        raise NotFound(ErrorCode.ELEMENT_NOT_FOUND, f"version {definition.content_hash[:12]} has no element "
                                                    f"{element_id!r}")


def diagram_overlay(definition: PathwayDefinition, counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The overlay of a version: a row per element (every user task in the order of the file, then any other
    element with a count, e.g. a timer) and the deadline indicators with the elements of their start and end
    measuring points."""
    element_ids = list(definition.tasks) + sorted(set(counts) - set(definition.tasks))
    elements = [{"element_id": element_id, "label": definition.element_label(element_id) or element_id,
                 **counts.get(element_id, {"waiting": 0, "overdue": 0, "incidents": 0})}
                for element_id in element_ids]
    by_code: dict[str, list[str]] = {}
    for element_id, code in definition.measuring_points.items():
        by_code.setdefault(code, []).append(element_id)
    def named(code: str) -> list[dict[str, str]]:
        return [{"element_id": e, "label": definition.element_label(e) or e} for e in by_code.get(code, [])]

    indicators = [{"key": i.key, "label": i.label, "from": i.from_point, "to": i.to_point, "limit": i.limit,
                   "unit": i.unit, "from_elements": named(i.from_point), "to_elements": named(i.to_point)}
                  for i in definition.indicators]
    return {"elements": elements, "indicators": indicators}
