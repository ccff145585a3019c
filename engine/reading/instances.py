"""One pathway instance as its coordinator follows it: measuring points, each deadline's status as of today, and
open tasks, corrections of its registrations, its open incidents, and the messages and links to the patient's
other pathways, from the projected tables."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, func, select
from sqlalchemy.orm import defer

from engine.db.database import Database
from engine.db.models import (
    CoordinatorTask,
    EventCorrection,
    Incident,
    IndicatorMeasurement,
    MeasuringPointEvent,
    PathwayInstance,
    PathwayVersion,
)
from engine.db.pipeline import read_together
from engine.deadlines.rules import status_on
from engine.errors import ErrorCode, InvalidInput, NotFound
from engine.reading.coordination import LINKS_OF_INSTANCE, MESSAGES_OF_INSTANCE, link_views, message_views
from engine.reading.tasks import task_view
from engine.statuses import OPEN_DEADLINE_STATUSES, IncidentStatus, InstanceStatus, TaskStatus

# The detail is the answer to every command on an instance (each completion): its statements are built once, and
# read as Core rows on one connection, the instance with its version's name and the registrations with their
# corrections in one statement each.
_ID = bindparam("instance_id")
_INSTANCE = PathwayInstance.__table__
_EVENT = MeasuringPointEvent.__table__
_CORRECTION = EventCorrection.__table__
_CORRECTION_COLUMNS = ("id", "kind", "old_occurred_on", "new_occurred_on", "old_outcome", "reason",
                       "corrected_at", "corrected_by")
_DETAIL_INSTANCE = (select(*(c for c in _INSTANCE.c if c.key != "state"), PathwayVersion.name.label("version_name"),
                           PathwayVersion.content_hash.label("version_content_hash"))
                    .join(PathwayVersion, PathwayVersion.id == _INSTANCE.c.pathway_version_id)
                    .where(_INSTANCE.c.id == _ID))
_DETAIL_EVENTS = (select(_EVENT, *(_CORRECTION.c[name].label(f"correction_{name}") for name in _CORRECTION_COLUMNS))
                  .outerjoin(_CORRECTION, and_(_CORRECTION.c.event_id == _EVENT.c.id,
                                               _CORRECTION.c.instance_id == _EVENT.c.instance_id))
                  .where(_EVENT.c.instance_id == _ID)
                  .order_by(_EVENT.c.occurred_on, _EVENT.c.id, _CORRECTION.c.id))
_DETAIL_MEASUREMENTS = (select(IndicatorMeasurement.__table__).where(IndicatorMeasurement.instance_id == _ID)
                        .order_by(IndicatorMeasurement.start_on, IndicatorMeasurement.id))
_INCIDENT_COLUMNS = ("id", "kind", "element_id", "element_label", "error", "first_seen_at", "attempts")
_DETAIL_INCIDENTS = (select(*(Incident.__table__.c[name] for name in _INCIDENT_COLUMNS))
                     .where(Incident.instance_id == _ID, Incident.status == IncidentStatus.OPEN)
                     .order_by(Incident.id))
_DETAIL_TASKS = (select(CoordinatorTask.__table__)
                 .where(CoordinatorTask.instance_id == _ID, CoordinatorTask.status == TaskStatus.OPEN)
                 .order_by(CoordinatorTask.created_at, CoordinatorTask.id))
_DETAIL_STATEMENTS = (_DETAIL_INSTANCE, _DETAIL_EVENTS, _DETAIL_MEASUREMENTS, _DETAIL_TASKS, _DETAIL_INCIDENTS,
                      MESSAGES_OF_INSTANCE, LINKS_OF_INSTANCE)


def instance_detail(db: Database, instance_id: str, today: date) -> dict[str, Any]:
    with db.reading_statements() as conn:
        return read_instance_detail(conn, instance_id, today)


def read_instance_detail(conn: Connection, instance_id: str, today: date) -> dict[str, Any]:
    """The detail, read on `conn`, its statements sent together (one round trip on PostgreSQL). They need no
    snapshot in common: each part stands on its own (on PostgreSQL at READ COMMITTED each statement always saw
    its own snapshot)."""
    found, events, measurements, tasks, incidents, messages, links = read_together(
        conn, _DETAIL_STATEMENTS, {"instance_id": instance_id})
    if not found:
        raise NotFound(ErrorCode.INSTANCE_NOT_FOUND, f"no pathway instance {instance_id}")
    instance = found[0]
    return {
        "id": instance.id, "pathway": instance.pathway_key, "pathway_name": instance.version_name,
        "pathway_version": {"id": instance.pathway_version_id, "content_hash": instance.version_content_hash},
        "patient_key": instance.patient_key, "unit": instance.unit, "setting": instance.setting,
        "severity": instance.severity, "rule_set": instance.rule_set,
        "referral_received_on": instance.referral_received_on, "started_on": instance.started_on,
        "status": instance.status, "closed_on": instance.closed_on,
        "measuring_points": _events(events),
        "indicators": [_measurement_view(m, today) for m in measurements],
        "open_tasks": [task_view(t, today) for t in tasks],
        "open_incidents": [dict(i._mapping) for i in incidents],
        "messages": message_views(conn, instance_id, messages),
        "linked_pathways": link_views(links),
    }


def _events(rows: Any) -> list[dict[str, Any]]:
    """The registrations in order, each with its corrections (one row per correction, or one without any)."""
    views: list[dict[str, Any]] = []
    for row in rows:
        if not views or views[-1]["id"] != row.id:
            views.append(_event_view(row, []))
        if row.correction_id is not None:
            views[-1]["corrections"].append({name: row._mapping[f"correction_{name}"]
                                             for name in _CORRECTION_COLUMNS[1:]})
    return views


def _event_view(event: Any, corrections: list[Any]) -> dict[str, Any]:
    return {"id": event.id, "code": event.code, "outcome": event.outcome, "occurred_on": event.occurred_on,
            "element_id": event.element_id, "note": event.note, "registered_at": event.registered_at,
            "registered_by": event.registered_by, "deferred_until": event.deferred_until, "reason": event.reason,
            "undone": event.undone_at is not None,
            "corrections": [{"kind": c.kind, "old_occurred_on": c.old_occurred_on,
                             "new_occurred_on": c.new_occurred_on, "old_outcome": c.old_outcome, "reason": c.reason,
                             "corrected_at": c.corrected_at, "corrected_by": c.corrected_by} for c in corrections]}


def _measurement_view(m: Any, today: date) -> dict[str, Any]:
    return {"indicator": m.indicator_key, "label": m.label, "sequence": m.sequence, "from": m.from_point,
            "to": m.to_point, "limit": m.limit_days, "unit": m.day_unit, "start_on": m.start_on, "due_on": m.due_on,
            "end_on": m.end_on, "status": status_on(m.status, m.due_on, today),
            "deferral_registered": m.deferral_registered, "target_share": m.target_share,
            "unconfirmed": m.unconfirmed}


#: A patient seldom has more than a handful of pathways; this bounds a page even for a key with a long history.
MAX_PATIENT_PATHWAYS = 100


def patient_pathways(db: Database, patient_key: str, units: tuple[str, ...] | None,
                     today: date) -> list[dict[str, Any]]:
    """The patient's pathways in `units` (None: all), active first and newest first, each with its running
    deadlines (pending or overdue, nearest first) and its number of open tasks."""
    with db.reading() as session:
        query = (select(PathwayInstance).options(defer(PathwayInstance.state))
                 .where(PathwayInstance.patient_key == patient_key))
        if units is not None:
            query = query.where(PathwayInstance.unit.in_(units))
        instances = session.scalars(query.order_by(PathwayInstance.closed_on.is_not(None),
                                                   PathwayInstance.referral_received_on.desc(), PathwayInstance.id)
                                    .limit(MAX_PATIENT_PATHWAYS)).all()
        ids = [i.id for i in instances]
        names = dict(session.execute(select(PathwayVersion.id, PathwayVersion.name).where(
            PathwayVersion.id.in_({i.pathway_version_id for i in instances}))).all())
        running: dict[str, list[dict[str, Any]]] = {}
        ended: dict[str, list[dict[str, Any]]] = {}
        for m in session.scalars(select(IndicatorMeasurement).where(IndicatorMeasurement.instance_id.in_(ids))
                                 .order_by(IndicatorMeasurement.due_on, IndicatorMeasurement.id)):
            view = _measurement_view(m, today)
            target = running if m.end_on is None and view["status"] in OPEN_DEADLINE_STATUSES else ended
            target.setdefault(m.instance_id, []).append(view)
        open_tasks = dict(session.execute(select(CoordinatorTask.instance_id, func.count()).where(
            CoordinatorTask.instance_id.in_(ids), CoordinatorTask.status == TaskStatus.OPEN)
            .group_by(CoordinatorTask.instance_id)).all())
    return [{"id": i.id, "pathway": i.pathway_key, "pathway_name": names.get(i.pathway_version_id, i.pathway_key),
             "unit": i.unit, "setting": i.setting, "severity": i.severity, "status": i.status,
             "referral_received_on": i.referral_received_on, "started_on": i.started_on, "closed_on": i.closed_on,
             "running_deadlines": running.get(i.id, []), "ended_deadlines": ended.get(i.id, []),
             "open_tasks": open_tasks.get(i.id, 0)}
            for i in instances]


#: A search shows at most this many patients, and needs this many characters: it finds a patient, it does not
#: list them.
MAX_PATIENT_MATCHES = 20
MIN_PATIENT_SEARCH = 3


def find_patients(db: Database, text: str, units: tuple[str, ...] | None) -> dict[str, Any]:
    """Patients whose key contains `text` (case-insensitive, at least MIN_PATIENT_SEARCH characters) with a
    pathway in `units` (None: all): at most MAX_PATIENT_MATCHES, by key, each with its number of pathways there and
    of active ones; `more` says that further patients match (a longer search narrows them)."""
    text = text.strip()
    if len(text) < MIN_PATIENT_SEARCH:
        raise InvalidInput(ErrorCode.PATIENT_SEARCH_TOO_SHORT,
                           f"search needs at least {MIN_PATIENT_SEARCH} characters of the patient key",
                           params={"min_length": MIN_PATIENT_SEARCH})
    i = PathwayInstance
    query = (select(i.patient_key, func.count(), func.sum(case((i.status == InstanceStatus.ACTIVE, 1), else_=0)))
             .where(func.upper(i.patient_key).contains(text.upper(), autoescape=True)))
    if units is not None:
        query = query.where(i.unit.in_(units))
    with db.reading() as session:
        rows = session.execute(query.group_by(i.patient_key).order_by(i.patient_key)
                               .limit(MAX_PATIENT_MATCHES + 1)).all()
    return {"items": [{"patient_key": key, "pathways": total, "active_pathways": int(active or 0)}
                      for key, total, active in rows[:MAX_PATIENT_MATCHES]],
            "more": len(rows) > MAX_PATIENT_MATCHES}
