"""Starting a pathway for a patient from a referral: at most one active pathway of a type per patient."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
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
from engine.runtime.messages import deliver_messages
from engine.runtime.spiff import run_engine
from engine.runtime.workflow_state import new_workflow
from engine.runtime.write_path import InstanceState, UnitOfWork
from engine.statuses import InstanceStatus


def start_pathway(ctx: RuntimeContext, *, patient_key: str, pathway_key: str, unit: str, setting: str,
                  referral_received_on: date, severity: str | None = None, rule_set: str | None = None,
                  actor: str | None = None, start_route: str = "referral") -> str:
    """Start the current version of `pathway_key` for the patient; returns the new instance's id. `start_route`
    is `referral` or `emergency` (after an emergency admission, referral_received_on being the day the emergency
    is over); it is in the task data as `start_route` from the start event on."""
    _check_start(ctx, setting, referral_received_on, unit)
    patient_key = validate_patient_key(patient_key)
    active_key = f"{pathway_key}|{patient_key}"
    try:
        with ctx.db.engine.begin() as conn, guarded("the pathway could not be started"):
            version_id = conn.scalar(select(PathwayVersion.id).where(
                PathwayVersion.pathway_key == pathway_key, PathwayVersion.is_current.is_(True)))
            if version_id is None:
                raise NotFound(ErrorCode.PATHWAY_NOT_FOUND, f"no deployed pathway {pathway_key!r}")
            existing = conn.execute(select(write_path.INSTANCE.c.id, write_path.INSTANCE.c.unit)
                                    .where(write_path.INSTANCE.c.active_key == active_key)).first()
            if existing:  # the caller decides whether the id and unit may be shown (engine.actions.commands)
                raise Conflict(ErrorCode.PATHWAY_ALREADY_ACTIVE,
                               f"patient already has an active {pathway_key} pathway ({existing.id})",
                               params={"instance_id": existing.id, "unit": existing.unit})
            definition = ctx.definitions.get(version_id, conn)
            _check_severity(definition, severity)
            if referral_received_on < definition.in_use_from:
                raise InvalidInput(ErrorCode.REFERRAL_RECEIVED_BEFORE_IN_USE,
                                   f"referral_received_on {referral_received_on} is before {definition.key} came into "
                                   f"use ({definition.in_use_from})", params={"in_use_from": definition.in_use_from})
            state = InstanceState(
                id=str(uuid.uuid4()), pathway_version_id=version_id, pathway_key=pathway_key,
                patient_key=patient_key, unit=unit, setting=setting, severity=severity,
                rule_set=rule_set or definition.default_rule_set, referral_received_on=referral_received_on,
                status=InstanceStatus.ACTIVE, active_key=active_key, started_on=None, last_occurred_on=None,
                timer_signature=None, closed_on=None, version=1,
            )
            workflow = new_workflow(definition.spec, definition.subprocess_specs)
            workflow.task_tree.data.update({
                "referral_received": referral_received_on.isoformat(), "setting": setting,
                "severity": severity, "unit": unit, "rule_set": state.rule_set, "start_route": start_route,
            })
            work = UnitOfWork(conn, state, new=True)
            projection.audit(ctx, work, actor, "start_pathway", detail=pathway_key)
            events: list[RegisteredEvent] = []
            run_engine(workflow, ctx.clock, projection.automatic_events(definition, events, referral_received_on))
            messages = projection.after_run(ctx, work, definition, workflow, events, actor)
    except IntegrityError as exc:
        if "active_key" not in str(exc.orig):
            raise
        # a concurrent start for the same patient won the race
        raise Conflict(ErrorCode.PATHWAY_ALREADY_ACTIVE,
                       f"patient already has an active {pathway_key} pathway") from exc
    ctx.live.checkin(workflow, state)
    if messages:
        deliver_messages(ctx, patient_key)
    return state.id


def _check_severity(definition: PathwayDefinition, severity: str | None) -> None:
    """A severity the pathway does not declare would silently open no deadline: refused, naming the allowed ones."""
    if severity is not None and severity not in definition.severities:
        allowed = definition.severities
        raise InvalidInput(ErrorCode.SEVERITY_INVALID,
                           f"{definition.key} has no severity {severity!r}; "
                           f"{'it declares ' + ', '.join(allowed) if allowed else 'it declares none: leave it out'}",
                           params={"allowed": list(allowed)})


def _check_start(ctx: RuntimeContext, setting: str, referral_received_on: date, unit: str) -> None:
    if setting not in SETTINGS:
        raise InvalidInput(ErrorCode.SETTING_INVALID, f"setting must be one of {', '.join(SETTINGS)}, not {setting!r}")
    if referral_received_on > ctx.today():
        raise InvalidInput(ErrorCode.REFERRAL_RECEIVED_IN_FUTURE,
                           f"referral_received_on {referral_received_on} is in the future")
    if not unit.strip():
        raise InvalidInput(ErrorCode.UNIT_REQUIRED, "unit must not be empty")
