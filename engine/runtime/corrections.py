"""Corrections of registered measuring points: move a wrongly dated one, or undo a registration.

Nothing is deleted: the event row keeps its id and gets the new date (or `undone_at`), and an `event_correction`
row keeps the old value, who, when and why. The instance's deadlines are then measured again from its remaining
registrations in the order they were made (`projection.remeasure`), so due dates, statuses and compliance follow.

- **Date**: the new date obeys the rules of a new registration: not in the future, not before the registration
  made before it, not after the one made after it. Timers still waiting that were set from the old date are
  set again from the new one (e.g. an evaluation reminder); timers that already fired are not moved.
- **Undo** (a clinical decision registered CT that should have been CU): SpiffWorkflow resets the workflow to
  the task (`reset_from_task_id`), the task opens again under its own id and can be registered anew. Refused
  while later registrations depend on it (tasks after it, or after the join of its parallel branch): those are
  undone first, newest first. A patient-deferred registration is undone without touching the workflow. Messages
  already sent to other pathways are not called back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Connection, select

from engine.catalogue.definition import PathwayDefinition
from engine.catalogue.forms import OCCURRED_ON
from engine.deadlines.indicators import PATIENT_DEFERRED
from engine.deadlines.measurement import RegisteredEvent
from engine.errors import Conflict, ErrorCode, InvalidInput, NotFound
from engine.runtime import projection, write_path
from engine.runtime.context import RuntimeContext
from engine.runtime.gate import Held, changed_concurrently, locked, require_active
from engine.runtime.spiff import run_engine
from engine.runtime.write_path import StaleInstance, UnitOfWork
from engine.statuses import CorrectionKind, InstanceStatus

MAX_REASON = 2000
_START_POINT = "referral_received"
_UNFINISHED = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.FUTURE | TaskState.LIKELY


@dataclass
class _Event:
    """A registration of the instance, as the correction reads it."""

    id: int
    code: str
    outcome: str | None
    occurred_on: date
    element_id: str | None
    task_id: str | None
    note: str | None
    deferred_until: date | None
    reason: str | None

    def registered(self) -> RegisteredEvent:
        return RegisteredEvent(self.code, self.occurred_on, self.outcome, self.element_id, self.task_id, self.note,
                               self.deferred_until, self.reason)


def correct_date(ctx: RuntimeContext, instance_id: str, event_id: int, *, occurred_on: date, reason: str,
                 actor: str) -> None:
    """Move a registered measuring point to the date it really happened; its deadlines are measured again."""
    reason = _reason(reason)
    try:
        with locked(ctx, instance_id=instance_id) as held:
            events = _events(held.conn, instance_id)
            event = _find(events, event_id)
            if event.code == PATIENT_DEFERRED:
                raise InvalidInput(ErrorCode.EVENT_NOT_CORRECTABLE, "a patient deferral's period is not moved; "
                                                                    "undo it and register it again")
            if occurred_on == event.occurred_on:
                raise InvalidInput(ErrorCode.CORRECTION_UNCHANGED, f"the event is already dated {occurred_on}")
            _check_between(events, event, occurred_on, ctx.today(), held.definition.in_use_from)
            old = event.occurred_on
            event.occurred_on = occurred_on
            work = UnitOfWork(held.conn, held.state)
            work.change_event(event.id, occurred_on, None)
            work.add_correction(_correction(held, event, CorrectionKind.DATE, old, occurred_on, reason, ctx.now(),
                                            actor))
            projection.audit(ctx, work, actor, "correct_event_date", detail=f"{event.id} {event.code}: {old} -> "
                                                                            f"{occurred_on}: {reason}"[:MAX_REASON])
            if event.code == _START_POINT:
                held.state.referral_received_on = occurred_on
            _redate_workflow(held, event, old, occurred_on)
            fired: list[RegisteredEvent] = []  # a timer set again from the corrected date may be due now
            run_engine(held.workflow, ctx.clock, projection.automatic_events(held.definition, fired, ctx.today()))
            _remeasure_and_commit(ctx, work, held, events, actor, fired)
    except StaleInstance as exc:
        raise changed_concurrently(instance_id) from exc
    ctx.live.checkin(held.workflow, held.state)


def undo(ctx: RuntimeContext, instance_id: str, event_id: int, *, reason: str, actor: str) -> None:
    """Undo a registration: its task opens again (a deferral is simply no longer counted)."""
    reason = _reason(reason)
    try:
        with locked(ctx, instance_id=instance_id) as held:
            require_active(held)
            events = _events(held.conn, instance_id)
            event = _find(events, event_id)
            work = UnitOfWork(held.conn, held.state)
            undone = [event] if event.code == PATIENT_DEFERRED else _reset_to(held, work, event, events, ctx.now())
            for gone in undone:
                work.change_event(gone.id, gone.occurred_on, ctx.now())
                events.remove(gone)
            work.add_correction(_correction(held, event, CorrectionKind.UNDO, event.occurred_on, None, reason,
                                            ctx.now(), actor))
            projection.audit(ctx, work, actor, "undo_event", task_id=event.task_id,
                             detail=f"{event.id} {event.code}: {reason}"[:MAX_REASON])
            _remeasure_and_commit(ctx, work, held, events, actor, [])
    except StaleInstance as exc:
        raise changed_concurrently(instance_id) from exc
    ctx.live.checkin(held.workflow, held.state)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(ErrorCode.REASON_REQUIRED, "a correction needs a reason")
    return reason[:MAX_REASON]


def counted_events(conn: Connection, instance_id: str) -> list[RegisteredEvent]:
    """The instance's registrations that count, in the order they were made: what its deadlines are measured from."""
    return [e.registered() for e in _events(conn, instance_id)]


def _events(conn: Connection, instance_id: str) -> list[_Event]:
    """The instance's registrations that count (not undone), in the order they were made."""
    event = write_path.EVENT
    rows = conn.execute(select(event.c.id, event.c.code, event.c.outcome, event.c.occurred_on, event.c.element_id,
                               event.c.task_id, event.c.note, event.c.deferred_until, event.c.reason)
                        .where(event.c.instance_id == instance_id, event.c.undone_at.is_(None))
                        .order_by(event.c.id)).all()
    return [_Event(**row._mapping) for row in rows]


def _find(events: list[_Event], event_id: int) -> _Event:
    found = next((e for e in events if e.id == event_id), None)
    if found is None:
        raise NotFound(ErrorCode.EVENT_NOT_FOUND, f"no registration {event_id} that counts in this pathway "
                                                  f"(undone registrations cannot be corrected)")
    return found


def _check_between(events: list[_Event], event: _Event, new: date, today: date, in_use_from: date) -> None:
    """The rules of a new registration, on both sides: not in the future, between its neighbours in time, and
    not before the pathway came into use."""
    if new > today:
        raise InvalidInput(ErrorCode.OCCURRED_ON_IN_FUTURE, f"{new} is in the future (today is {today})",
                           params={"today": today})
    if new < in_use_from:
        raise InvalidInput(ErrorCode.REFERRAL_RECEIVED_BEFORE_IN_USE,
                           f"{new} is before the pathway came into use ({in_use_from})",
                           params={"in_use_from": in_use_from})
    others = [e for e in events if e.code != PATIENT_DEFERRED and e.id != event.id]
    before = max((e.occurred_on for e in others if e.id < event.id), default=None)
    after = min((e.occurred_on for e in others if e.id > event.id), default=None)
    if before is not None and new < before:
        raise InvalidInput(ErrorCode.OCCURRED_ON_BEFORE_PREVIOUS_POINT,
                           f"{new} is before the measuring point registered before it ({before})",
                           params={"previous": before})
    if after is not None and new > after:
        raise InvalidInput(ErrorCode.OCCURRED_ON_AFTER_NEXT_POINT,
                           f"{new} is after the measuring point registered after it ({after})", params={"next": after})


def _correction(held: Held, event: _Event, kind: CorrectionKind, old: date, new: date | None, reason: str,
                at: datetime, actor: str) -> dict[str, Any]:
    return {"instance_id": held.state.id, "event_id": event.id, "kind": kind, "old_occurred_on": old,
            "new_occurred_on": new, "old_outcome": event.outcome, "reason": reason, "corrected_at": at,
            "corrected_by": actor}


def _redate_workflow(held: Held, event: _Event, old: date, new: date) -> None:
    """Give the workflow the new date where it carries the old one: the registered task, and the tasks after it
    that have not run yet, whose waiting timers are then computed again from the corrected data."""
    old_text, new_text = old.isoformat(), new.isoformat()
    workflow = held.workflow
    if event.code == _START_POINT:
        for task in workflow.get_tasks():
            if task.data.get("referral_received") == old_text:
                task.data["referral_received"] = new_text
    anchor = workflow.get_task_from_id(uuid.UUID(event.task_id)) if event.task_id else None
    if anchor is None:
        return
    anchor.data[OCCURRED_ON] = new_text
    for task in workflow.get_tasks(state=_UNFINISHED):
        if task.is_descendant_of(anchor) and task.data.get(OCCURRED_ON) == old_text:
            task.data[OCCURRED_ON] = new_text
        if task.is_descendant_of(anchor) and task.state == TaskState.WAITING:
            task.internal_data.pop("event_value", None)  # a timer: evaluated again from the corrected data


def _reset_to(held: Held, work: UnitOfWork, event: _Event, events: list[_Event], now: datetime) -> list[_Event]:
    """Reset the workflow to the event's task; the registrations that go with it (its own and the automatic ones
    the run after it made)."""
    workflow, definition = held.workflow, held.definition
    task = workflow.get_task_from_id(uuid.UUID(event.task_id)) if event.task_id else None
    if task is None or not task.task_spec.manual or task.state != TaskState.COMPLETED:
        raise InvalidInput(ErrorCode.EVENT_NOT_CORRECTABLE,
                           "only a coordinator's registration of a task, or a patient deferral, can be undone")
    blocking = _depending(workflow, task)
    if blocking:
        labels = [_label(definition, t.task_spec.name) for t in blocking]
        raise Conflict(ErrorCode.LATER_REGISTRATIONS_DEPEND,
                       f"later registrations depend on this one; undo them first, newest first: {', '.join(labels)}",
                       params={"later": labels})
    removed = {str(t.id) for t in workflow.reset_from_task_id(task.id)}
    work.reopen_task(str(task.id), event.element_id or task.task_spec.name, _point_of(definition, task))
    return [e for e in events if e.id == event.id or (e.task_id in removed and e.code != PATIENT_DEFERRED)]


def _depending(workflow: Any, undone: Any) -> list[Any]:
    """Manual tasks that would be lost or left inconsistent by resetting to `undone`, newest first: completed
    tasks after it on its path, and any task (open or done) after a join its branch has taken part in."""
    ancestors = set()
    node = undone
    while node is not None:
        ancestors.add(node.id)
        node = node.parent
    depending = []
    for task in workflow.get_tasks():
        if task is undone or task.id in ancestors or not task.task_spec.manual:
            continue
        if task.is_descendant_of(undone):  # open ones go with the reset; registered ones must be undone first
            if task.state == TaskState.COMPLETED:
                depending.append(task)
        elif task.state & (TaskState.COMPLETED | TaskState.READY) and _after_join(task, ancestors):
            depending.append(task)
    return sorted(depending, key=lambda t: t.last_state_change, reverse=True)


def _after_join(task: Any, ancestors: set) -> bool:
    """`task` is in another branch than the undone task and comes after a join of the branches."""
    node = task.parent
    while node is not None and node.id not in ancestors:
        if isinstance(node.task_spec, Join) and len(node.task_spec.inputs) > 1:
            return True
        node = node.parent
    return False


def _label(definition: PathwayDefinition, element_id: str) -> str:
    return definition.element_label(element_id) or element_id


def _point_of(definition: PathwayDefinition, task: Any) -> str | None:
    task_def = definition.tasks.get(task.task_spec.name)
    return task_def.measuring_point if task_def else None


def _remeasure_and_commit(ctx: RuntimeContext, work: UnitOfWork, held: Held, events: list[_Event], actor: str,
                          new_events: list[RegisteredEvent]) -> None:
    """Measure the deadlines again from the registrations that count, then project the run and commit."""
    state = held.state
    registered = [e.registered() for e in events]
    projection.remeasure(work, held.definition, registered, held.workflow)
    state.last_occurred_on = max((e.occurred_on for e in registered), default=None)
    state.started_on = next((e.occurred_on for e in registered
                             if held.definition.starts_pathway(state.rule_set, e.code, e.outcome)), None)
    if state.status == InstanceStatus.COMPLETED:
        state.closed_on = state.last_occurred_on
    projection.after_run(ctx, work, held.definition, held.workflow, new_events, actor)
