"""Read side: task lists, instance detail and the pathway list, straight from the projected tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select

from engine.catalogue.parser import load_definition
from engine.db.database import Database
from engine.db.models import CoordinatorTask, IndicatorMeasurement, MeasuringPointEvent, PathwayInstance, PathwayVersion
from engine.deadlines import indicators as ind
from engine.errors import NotFound


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


def list_tasks(db: Database, today: date, flt: TaskFilter, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    conditions = [CoordinatorTask.status == "open"]
    if flt.unit:
        conditions.append(CoordinatorTask.unit == flt.unit)
    if flt.units is not None:
        conditions.append(CoordinatorTask.unit.in_(flt.units))
    if flt.pathway:
        conditions.append(CoordinatorTask.pathway_key == flt.pathway)
    if flt.lane:
        conditions.append(CoordinatorTask.lane == flt.lane)
    if flt.assignee:
        conditions.append(CoordinatorTask.assignee == flt.assignee)
    if flt.patient_key:
        conditions.append(CoordinatorTask.patient_key == flt.patient_key)
    if flt.due_before:
        conditions.append(CoordinatorTask.due_on < flt.due_before)
    if flt.overdue is True:
        conditions.append(CoordinatorTask.due_on < today)
    elif flt.overdue is False:
        conditions.append(or_(CoordinatorTask.due_on.is_(None), CoordinatorTask.due_on >= today))
    where = and_(*conditions)
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
        "overdue": bool(row.due_on and row.due_on < today), "status": row.status, "created_at": row.created_at,
    }


def get_task(db: Database, task_id: str, today: date) -> dict[str, Any]:
    with db.reading() as session:
        row = session.get(CoordinatorTask, task_id)
        if row is None:
            raise NotFound(f"no task {task_id}")
        view = task_view(row, today)
        instance = session.get(PathwayInstance, row.instance_id)
        definition = load_definition(instance.pathway_version.source, instance.pathway_version.filename)
        task_def = definition.tasks.get(row.element_id)
        view["form"] = [
            {"id": f.id, "label": f.label, "type": f.type, "required": f.required,
             "options": [{"id": o, "label": label} for o, label in f.options]}
            for f in (task_def.form if task_def else ())
        ]
        return view


def instance_detail(db: Database, instance_id: str, today: date) -> dict[str, Any]:
    with db.reading() as session:
        instance = session.get(PathwayInstance, instance_id)
        if instance is None:
            raise NotFound(f"no pathway instance {instance_id}")
        events = session.scalars(select(MeasuringPointEvent).where(MeasuringPointEvent.instance_id == instance_id)
                                 .order_by(MeasuringPointEvent.occurred_on, MeasuringPointEvent.id)).all()
        measurements = session.scalars(select(IndicatorMeasurement)
                                       .where(IndicatorMeasurement.instance_id == instance_id)
                                       .order_by(IndicatorMeasurement.start_on, IndicatorMeasurement.id)).all()
        tasks = session.scalars(select(CoordinatorTask).where(CoordinatorTask.instance_id == instance_id)
                                .order_by(CoordinatorTask.created_at, CoordinatorTask.id)).all()
        version = instance.pathway_version
        return {
            "id": instance.id, "pathway": instance.pathway_key, "pathway_name": version.name,
            "pathway_version": {"id": version.id, "content_hash": version.content_hash},
            "patient_key": instance.patient_key, "unit": instance.unit, "setting": instance.setting,
            "severity": instance.severity, "rule_set": instance.rule_set,
            "referral_received_on": instance.referral_received_on, "started_on": instance.started_on,
            "status": instance.status,
            "closed_on": instance.closed_on,
            "measuring_points": [
                {"code": e.code, "outcome": e.outcome, "occurred_on": e.occurred_on, "element_id": e.element_id,
                 "note": e.note, "registered_at": e.registered_at, "registered_by": e.registered_by}
                for e in events],
            "indicators": [
                {"indicator": m.indicator_key, "label": m.label, "sequence": m.sequence, "from": m.from_point,
                 "to": m.to_point, "limit": m.limit_days, "unit": m.day_unit, "start_on": m.start_on,
                 "due_on": m.due_on, "end_on": m.end_on,
                 "status": ind.effective_status(m.status, m.due_on, today),
                 "deferral_registered": m.deferral_registered, "target_share": m.target_share,
                 "unconfirmed": m.unconfirmed}
                for m in measurements],
            "open_tasks": [task_view(t, today) for t in tasks if t.status == "open"],
        }


def list_pathways(db: Database) -> list[dict[str, Any]]:
    with db.reading() as session:
        versions = session.scalars(select(PathwayVersion).where(PathwayVersion.is_current.is_(True))
                                   .order_by(PathwayVersion.pathway_key)).all()
        counts = dict(session.execute(select(PathwayVersion.pathway_key, func.count())
                                      .group_by(PathwayVersion.pathway_key)).all())
        return [pathway_view(v, counts.get(v.pathway_key, 1)) for v in versions]


def get_pathway(db: Database, key: str) -> dict[str, Any]:
    with db.reading() as session:
        version = session.scalars(select(PathwayVersion).where(PathwayVersion.pathway_key == key,
                                                               PathwayVersion.is_current.is_(True))).one_or_none()
        if version is None:
            raise NotFound(f"no deployed pathway {key!r}")
        count = session.scalar(select(func.count()).where(PathwayVersion.pathway_key == key))
        return pathway_view(version, count or 1)


def pathway_view(version: PathwayVersion, version_count: int) -> dict[str, Any]:
    definition = load_definition(version.source, version.filename)
    return {
        "key": version.pathway_key, "name": version.name, "type_code": version.type_code,
        "version_id": version.id, "content_hash": version.content_hash, "deployed_at": version.deployed_at,
        "versions": version_count, "rule_set": definition.default_rule_set, "lanes": list(definition.lanes),
        "pathway_start": {rule_set: {"measuring_point": code, "outcomes": list(outcomes)}
                          for rule_set, (code, outcomes) in definition.pathway_start.items()},
        "measuring_points": sorted(definition.codes),
        "indicators": [
            {"key": i.key, "label": i.label, "from": i.from_point, "to": i.to_point, "limit": i.limit,
             "unit": i.unit, "setting": i.setting, "severity": i.severity, "target_share": i.target_share,
             "target_unconfirmed": i.target_unconfirmed, "repeat": i.repeat, "from_outcomes": list(i.from_outcomes),
             "source": i.source, "unconfirmed": i.unconfirmed, "note": i.note}
            for i in definition.indicators],
    }
