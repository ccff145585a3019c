"""Starting a pathway for a patient — from a referral, after an emergency admission, by another pathway's message
or at the receiving trust after a transfer: at most one active pathway of a type per patient."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from engine.access.patient_keys import validate_patient_key
from engine.catalogue.definition import PathwayDefinition
from engine.db.models import PathwayVersion
from engine.deadlines.indicators import SETTINGS
from engine.deadlines.measurement import RegisteredEvent
from engine.errors import Conflict, ErrorCode, InvalidInput, NotFound
from engine.runtime import projection, write_path
from engine.runtime.context import RuntimeContext
from engine.runtime.failures import guarded
from engine.runtime.spiff import run_engine
from engine.runtime.workflow_state import new_workflow
from engine.runtime.write_path import InstanceState, UnitOfWork
from engine.statuses import InstanceStatus

#: How the patient came to the pathway: a referral, or an emergency admission that is over.
START_ROUTES = ("referral", "emergency")
#: A unit's name is a short text ("DPS Nord", "Porsgrunn kommune"): the column's width.
MAX_UNIT_NAME = 100


@dataclass(frozen=True)
class Referral:
    """What a start needs to know about the patient and the referral."""

    patient_key: str
    pathway_key: str
    unit: str
    setting: str
    referral_received_on: date
    severity: str | None = None
    rule_set: str | None = None
    start_route: str = "referral"
    #: the municipality and its pathway coordinator the referral names: the specialist coordinator contacts them
    municipal_unit: str | None = None
    municipal_coordinator: str | None = None
    #: task data the start event sees besides the referral's (a starting message's payload)
    data: dict[str, Any] = field(default_factory=dict)


def start_data(referral: Referral, rule_set: str) -> dict[str, Any]:
    """The start event's task data: the referral as the pathway's scripts and gateways read it."""
    return {
        **referral.data, "referral_received": referral.referral_received_on.isoformat(), "setting": referral.setting,
        "severity": referral.severity, "unit": referral.unit, "rule_set": rule_set,
        "start_route": referral.start_route, "named_municipal_unit": referral.municipal_unit,
        "named_municipal_coordinator": referral.municipal_coordinator,
    }


class Started(NamedTuple):
    instance_id: str
    patient_key: str  # as stored
    #: the start sent messages (or waits for some that may be kept): deliver them after the commit
    deliver: bool


def start_pathway(ctx: RuntimeContext, *, patient_key: str, pathway_key: str, unit: str, setting: str,
                  referral_received_on: date, severity: str | None = None, rule_set: str | None = None,
                  actor: str | None = None, start_route: str = "referral", municipal_unit: str | None = None,
                  municipal_coordinator: str | None = None) -> Started:
    """Start the current version of `pathway_key` for the patient. `start_route` is `referral` or `emergency`
    (after an emergency admission, referral_received_on being the day the emergency is over); it is in the task
    data as `start_route` from the start event on. The municipal unit and coordinator the referral names are in
    it as `named_municipal_unit` and `named_municipal_coordinator` (None when it names none)."""
    referral = Referral(patient_key, pathway_key, unit, setting, referral_received_on, severity, rule_set,
                        start_route, _named(municipal_unit), _named(municipal_coordinator))
    try:
        with ctx.db.engine.begin() as conn:
            state, workflow, deliver = start_in(ctx, conn, referral, actor)
    except IntegrityError as exc:
        raise raced(exc, pathway_key) from exc
    ctx.live.checkin(workflow, state)
    return Started(state.id, state.patient_key, deliver)


def start_in(ctx: RuntimeContext, conn: Connection, referral: Referral, actor: str | None,
             link: Callable[[Connection, str], None] | None = None) -> tuple[InstanceState, BpmnWorkflow, bool]:
    """Start the pathway in the caller's transaction (a start of its own, a message's, a transfer's) and commit
    it; `link(conn, new_id)` writes, before the commit, what ties the new pathway to the one that caused it."""
    _check_start(ctx, referral)
    patient_key = validate_patient_key(referral.patient_key)
    pathway_key = referral.pathway_key
    key = active_key(pathway_key, patient_key)
    with guarded("the pathway could not be started"):
        version_id = conn.scalar(select(PathwayVersion.id).where(
            PathwayVersion.pathway_key == pathway_key, PathwayVersion.is_current.is_(True)))
        if version_id is None:
            raise NotFound(ErrorCode.PATHWAY_NOT_FOUND, f"no deployed pathway {pathway_key!r}")
        existing = conn.execute(select(write_path.INSTANCE.c.id, write_path.INSTANCE.c.unit)
                                .where(write_path.INSTANCE.c.active_key == key)).first()
        if existing:  # the caller decides whether the id and unit may be shown (engine.actions.commands)
            raise Conflict(ErrorCode.PATHWAY_ALREADY_ACTIVE,
                           f"patient already has an active {pathway_key} pathway ({existing.id})",
                           params={"instance_id": existing.id, "unit": existing.unit})
        definition = ctx.definitions.get(version_id, conn)
        _check_severity(definition, referral.severity)
        received_on = referral.referral_received_on
        if received_on < definition.in_use_from:
            raise InvalidInput(ErrorCode.REFERRAL_RECEIVED_BEFORE_IN_USE,
                               f"referral_received_on {received_on} is before {definition.key} came into "
                               f"use ({definition.in_use_from})", params={"in_use_from": definition.in_use_from})
        state = InstanceState(
            id=str(uuid.uuid4()), pathway_version_id=version_id, pathway_key=pathway_key,
            patient_key=patient_key, unit=referral.unit, setting=referral.setting, severity=referral.severity,
            rule_set=referral.rule_set or definition.default_rule_set, referral_received_on=received_on,
            status=InstanceStatus.ACTIVE, active_key=key, started_on=None, last_occurred_on=None,
            timer_signature=None, closed_on=None, version=1,
        )
        workflow = new_workflow(definition.spec, definition.subprocess_specs)
        workflow.task_tree.data.update(start_data(referral, state.rule_set))
        work = UnitOfWork(conn, state, new=True,
                          before_commit=(lambda c: link(c, state.id)) if link is not None else None)
        projection.audit(ctx, work, actor, "start_pathway", detail=pathway_key)
        events: list[RegisteredEvent] = []
        run_engine(workflow, ctx.clock, projection.automatic_events(definition, events, received_on))
        deliver = projection.after_run(ctx, work, definition, workflow, events, actor)
    return state, workflow, deliver


def _named(text: str | None) -> str | None:
    """A name from the referral, its spaces tidied; None for none. Longer than a unit's name: refused."""
    name = " ".join((text or "").split())
    if len(name) > MAX_UNIT_NAME:
        raise InvalidInput(ErrorCode.MUNICIPAL_CONTACT_INVALID,
                           f"the municipality and its coordinator are at most {MAX_UNIT_NAME} characters each")
    return name or None


def active_key(pathway_key: str, patient_key: str) -> str:
    """The instance column that is unique among active pathways: one active pathway of a type per patient."""
    return f"{pathway_key}|{patient_key}"


def raced(exc: IntegrityError, pathway_key: str) -> Exception:
    """A concurrent start for the same patient won the race (the unique active key); anything else stays itself."""
    if "active_key" not in str(exc.orig):
        return exc
    return Conflict(ErrorCode.PATHWAY_ALREADY_ACTIVE, f"patient already has an active {pathway_key} pathway")


def _check_severity(definition: PathwayDefinition, severity: str | None) -> None:
    """A severity the pathway does not declare would silently open no deadline: refused, naming the allowed ones."""
    if severity is not None and severity not in definition.severities:
        allowed = definition.severities
        raise InvalidInput(ErrorCode.SEVERITY_INVALID,
                           f"{definition.key} has no severity {severity!r}; "
                           f"{'it declares ' + ', '.join(allowed) if allowed else 'it declares none: leave it out'}",
                           params={"allowed": list(allowed)})


def _check_start(ctx: RuntimeContext, referral: Referral) -> None:
    setting, referral_received_on, unit = referral.setting, referral.referral_received_on, referral.unit
    if referral.start_route not in START_ROUTES:
        raise InvalidInput(ErrorCode.START_ROUTE_INVALID,
                           f"start_route must be one of {', '.join(START_ROUTES)}, not {referral.start_route!r}",
                           params={"allowed": list(START_ROUTES)})
    if setting not in SETTINGS:
        raise InvalidInput(ErrorCode.SETTING_INVALID, f"setting must be one of {', '.join(SETTINGS)}, not {setting!r}")
    if referral_received_on > ctx.today():
        raise InvalidInput(ErrorCode.REFERRAL_RECEIVED_IN_FUTURE,
                           f"referral_received_on {referral_received_on} is in the future")
    if not unit.strip() or len(unit) > MAX_UNIT_NAME:
        raise InvalidInput(ErrorCode.UNIT_REQUIRED, f"unit must not be empty, and at most {MAX_UNIT_NAME} characters")
