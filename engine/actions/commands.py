"""Commands for a signed-in user: the access check, the runtime command (audited as the user), and the view
returned: the pathway instance after it, or the task."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.access.audit import audit_row, record_reads
from engine.access.patient_keys import validate_patient_key
from engine.access.policy import check_instance, check_task, check_unit, require_patient_access, visible_incident
from engine.access.principals import Principal
from engine.actions.reads import with_assignee_names
from engine.errors import Conflict, ErrorCode
from engine.reading.incidents import incident_view
from engine.reading.instances import instance_detail
from engine.reading.tasks import get_task
from engine.runtime import PathwayRuntime


def start_pathway(runtime: PathwayRuntime, user: Principal, *, patient_key: str, pathway_key: str, unit: str,
                  setting: str, referral_received_on: date, severity: str | None = None,
                  rule_set: str | None = None, start_route: str = "referral", municipal_unit: str | None = None,
                  municipal_coordinator: str | None = None) -> dict[str, Any]:
    """Start a pathway in one of the user's units; the new instance's detail."""
    check_unit(user, unit)
    try:
        instance_id = runtime.start_pathway(patient_key=patient_key, pathway_key=pathway_key, unit=unit,
                                            setting=setting, referral_received_on=referral_received_on,
                                            severity=severity, rule_set=rule_set, actor=user.id,
                                            start_route=start_route, municipal_unit=municipal_unit,
                                            municipal_coordinator=municipal_coordinator)
    except Conflict as exc:
        if exc.code != ErrorCode.PATHWAY_ALREADY_ACTIVE or user.sees_unit(exc.params.get("unit") or ""):
            raise
        raise _active_elsewhere(runtime, user, patient_key, pathway_key) from None
    return instance_detail(runtime.db, instance_id, runtime.today())


def _active_elsewhere(runtime: PathwayRuntime, user: Principal, patient_key: str, pathway_key: str) -> Conflict:
    """The patient's pathway of this type runs in a unit the user cannot see: say so without its id or unit
    (anything more would let any coordinator probe a patient's treatment elsewhere), and audit the attempt."""
    record_reads(runtime.db, [audit_row(runtime.clock.now(), user.id, "start_refused_active_elsewhere",
                                       patient_key=validate_patient_key(patient_key), detail=pathway_key)])
    return Conflict(ErrorCode.PATHWAY_ALREADY_ACTIVE,
                    f"the patient already has an active {pathway_key} pathway in another unit; the units agree on "
                    f"a transfer before a new one is started")


def register_patient_deferred(runtime: PathwayRuntime, user: Principal, instance_id: str, *, deferred_from: date,
                              deferred_until: date | None, working_days: int | None, reason: str,
                              note: str | None) -> dict[str, Any]:
    check_instance(runtime.db, user, instance_id)
    runtime.register_patient_deferred(instance_id, deferred_from=deferred_from, deferred_until=deferred_until,
                                      working_days=working_days, reason=reason, note=note, actor=user.id)
    return instance_detail(runtime.db, instance_id, runtime.today())


def correct_event_date(runtime: PathwayRuntime, user: Principal, instance_id: str, event_id: int, *,
                       occurred_on: date, reason: str) -> dict[str, Any]:
    """Move a registration to the date it really happened (coordinators of the unit, administrators)."""
    check_instance(runtime.db, user, instance_id)
    runtime.correct_event_date(instance_id, event_id, occurred_on=occurred_on, reason=reason, actor=user.id)
    return instance_detail(runtime.db, instance_id, runtime.today())


def undo_event(runtime: PathwayRuntime, user: Principal, instance_id: str, event_id: int, *,
               reason: str) -> dict[str, Any]:
    """Undo a registration, so its task can be registered anew."""
    check_instance(runtime.db, user, instance_id)
    runtime.undo_event(instance_id, event_id, reason=reason, actor=user.id)
    return instance_detail(runtime.db, instance_id, runtime.today())


def close_pathway(runtime: PathwayRuntime, user: Principal, instance_id: str, *, closed_on: date, outcome: str,
                  note: str | None) -> dict[str, Any]:
    """Close the pathway now (the patient moved, no longer needs it …); open deadlines are not counted."""
    check_instance(runtime.db, user, instance_id)
    runtime.close_pathway(instance_id, closed_on=closed_on, outcome=outcome, note=note, actor=user.id)
    return instance_detail(runtime.db, instance_id, runtime.today())


def transfer_pathway(runtime: PathwayRuntime, user: Principal, instance_id: str, *, transferred_on: date,
                     receiving_trust: str, note: str | None, receiving_unit: str | None = None) -> dict[str, Any]:
    """Close the pathway as transferred to another trust; the receiving trust registers a new start (made here
    and linked when the receiving unit is named — a unit the user need not work in: it is a handover)."""
    check_instance(runtime.db, user, instance_id)
    runtime.transfer_pathway(instance_id, transferred_on=transferred_on, receiving_trust=receiving_trust,
                             receiving_unit=receiving_unit, note=note, actor=user.id)
    return instance_detail(runtime.db, instance_id, runtime.today())


def send_message(runtime: PathwayRuntime, user: Principal, instance_id: str, name: str, *,
                 data: dict[str, Any] | None, occurred_on: date | None) -> dict[str, Any]:
    check_instance(runtime.db, user, instance_id)
    runtime.send_message(instance_id, name, data=data, occurred_on=occurred_on, actor=user.id)
    return instance_detail(runtime.db, instance_id, runtime.today())


def complete_task(runtime: PathwayRuntime, user: Principal, task_id: str, *, data: dict[str, Any] | None,
                  occurred_on: date, take_over: bool = False) -> dict[str, Any]:
    """Register what happened and when; the instance's detail after the pathway moved on. A task someone else
    has claimed is refused (`task_claimed_by_other`) unless the user takes it over."""
    require_patient_access(user)
    instance_id = runtime.complete_task(task_id, data=data, occurred_on=occurred_on, actor=user.id,
                                        take_over=take_over, sees_unit=user.sees_unit)
    return instance_detail(runtime.db, instance_id, runtime.today())


def claim_task(runtime: PathwayRuntime, user: Principal, task_id: str, assignee: str | None = None, *,
               take_over: bool = False) -> dict[str, Any]:
    """Claim the task, for the user or the named assignee (taking it over from someone else only when asked);
    the task after it."""
    check_task(runtime.db, user, task_id)
    runtime.claim_task(task_id, user.id if assignee is None else assignee, actor=user.id, take_over=take_over)
    return with_assignee_names(runtime, [get_task(runtime.db, runtime.definitions, task_id, runtime.today())])[0]


def unclaim_task(runtime: PathwayRuntime, user: Principal, task_id: str) -> dict[str, Any]:
    check_task(runtime.db, user, task_id)
    runtime.unclaim_task(task_id, actor=user.id)
    return get_task(runtime.db, runtime.definitions, task_id, runtime.today())


def retry_incident(runtime: PathwayRuntime, user: Principal, incident_id: int, *,
                   on_current_version: bool = False) -> dict[str, Any]:
    """Run the failed item again (optionally on the pathway's current version); the incident after it."""
    visible_incident(runtime.db, user, incident_id)
    runtime.retry_incident(incident_id, actor=user.id, on_current_version=on_current_version)
    return incident_view(visible_incident(runtime.db, user, incident_id))


def resolve_incident(runtime: PathwayRuntime, user: Principal, incident_id: int, note: str) -> dict[str, Any]:
    visible_incident(runtime.db, user, incident_id)
    runtime.resolve_incident(incident_id, note=note, actor=user.id)
    return incident_view(visible_incident(runtime.db, user, incident_id))
