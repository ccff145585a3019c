"""Coordinator tasks: complete one (register what happened and when, and the pathway moves on), claim, release.

Of two concurrent completions of one task exactly one wins; the other gets a conflict.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Callable

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from engine.access.audit import AUDIT, audit_row
from engine.catalogue.definition import OUTCOME_FIELD
from engine.catalogue.forms import check_occurred_on, validate_form
from engine.clock import Clock, spiff_clock
from engine.deadlines.measurement import RegisteredEvent
from engine.errors import Conflict, ErrorCode, InvalidInput, NotFound
from engine.runtime import projection, write_path
from engine.runtime.context import RuntimeContext
from engine.runtime.failures import engine_error
from engine.runtime.gate import StaleCache, locked
from engine.runtime.messages import deliver_messages
from engine.runtime.spiff import run_engine, share_with_parallel_branches
from engine.runtime.write_path import StaleInstance, UnitOfWork
from engine.statuses import TaskStatus


def task_closed(task_id: str, status: str | None) -> Conflict:
    """The conflict of a command on a task that is no longer open."""
    codes = {TaskStatus.COMPLETED: ErrorCode.TASK_ALREADY_COMPLETED,
             TaskStatus.CANCELLED: ErrorCode.TASK_ALREADY_CANCELLED}
    return Conflict(codes.get(status, ErrorCode.TASK_NOT_READY), f"task {task_id} is already {status}")


def complete_task(ctx: RuntimeContext, task_id: str, *, data: dict[str, Any] | None, occurred_on: date,
                  actor: str | None = None, take_over: bool = False,
                  sees_unit: Callable[[str], bool] | None = None) -> str:
    """Register the task's form data and the date it happened; returns the instance's id. A person (`actor`)
    may register a task someone else has claimed only when taking it over (`take_over`), which is audited.
    `sees_unit`: whether the person may see a unit's pathways; a task of another unit is not found (checked
    under the command's lock, before anything else is said about the task)."""
    try:
        return _complete_task(ctx, task_id, dict(data or {}), occurred_on, actor, take_over, sees_unit)
    except StaleCache:  # the cached state was behind the row; the second try reads the row
        return _complete_task(ctx, task_id, dict(data or {}), occurred_on, actor, take_over, sees_unit)


def claimed_by_other(task_id: str, holder: str) -> Conflict:
    return Conflict(ErrorCode.TASK_CLAIMED_BY_OTHER, f"task {task_id} is already claimed by {holder}; take it over "
                    "to go on", params={"assignee": holder})


def _complete_task(ctx: RuntimeContext, task_id: str, data: dict[str, Any], occurred_on: date,
                   actor: str | None, take_over: bool, sees_unit: Callable[[str], bool] | None) -> str:
    try:
        with locked(ctx, task_id=task_id) as held:
            workflow, state = held.workflow, held.state
            if sees_unit is not None and not sees_unit(state.unit):  # an instance's unit never changes
                raise NotFound(ErrorCode.TASK_NOT_FOUND, f"no task {task_id}")
            task_row = next((t for t in state.open_tasks if t.id == task_id), None)
            if task_row is None:
                raise task_closed(task_id, write_path.task_status(held.conn, task_id))
            values = validate_form(held.definition.form_of(task_row.element_id), data)
            check_occurred_on(occurred_on, ctx.today(), state.last_occurred_on)
            spiff_task = workflow.get_task_from_id(uuid.UUID(task_id))
            if spiff_task is None or not spiff_task.has_state(TaskState.READY):
                raise Conflict(ErrorCode.TASK_NOT_READY, f"task {task_id} is not ready to be completed")
            events = registered_events(task_row.measuring_point, occurred_on, values, task_row.element_id, task_id)
            run_registration(workflow, spiff_task, values, occurred_on, ctx.clock)
            run_engine(workflow, ctx.clock, projection.automatic_events(held.definition, events, occurred_on),
                       timers=state.timer_signature is not None)
            held.confirm()
            holder = held.task_assignee  # read under the lock, so a claim made meanwhile is seen
            other = actor is not None and holder is not None and holder != actor
            if other and not take_over:
                raise claimed_by_other(task_id, holder)
            work = UnitOfWork(held.conn, state, in_pipeline=held.in_pipeline)
            if other:
                projection.audit(ctx, work, actor, "take_over_task", task_id=task_id, detail=holder)
            projection.audit(ctx, work, actor, "complete_task", task_id=task_id, detail=task_row.element_id)
            work.close_task(task_row, TaskStatus.COMPLETED, ctx.now(), actor)
            messages = projection.after_run(ctx, work, held.definition, workflow, events, actor, occurred_on)
    except StaleInstance as exc:
        raise Conflict(ErrorCode.CHANGED_CONCURRENTLY,
                       f"task {task_id} was changed by someone else; reload and try again") from exc
    except OperationalError as exc:
        if "locked" in str(exc).lower():
            raise Conflict(ErrorCode.INSTANCE_BUSY, "the pathway is busy with another change; try again") from exc
        raise
    ctx.live.checkin(workflow, state)
    if messages:
        deliver_messages(ctx, state.patient_key)
    return state.id


def registered_events(measuring_point: str | None, occurred_on: date, values: dict[str, Any], element_id: str,
                      task_id: str) -> list[RegisteredEvent]:
    """The measuring point a task's registration registers (none when the task has none), with its outcome."""
    if not measuring_point:
        return []
    outcome = values.get(OUTCOME_FIELD)
    return [RegisteredEvent(measuring_point, occurred_on, str(outcome) if outcome is not None else None,
                            element_id, task_id)]


def run_registration(workflow: BpmnWorkflow, spiff_task: Any, values: dict[str, Any], occurred_on: date,
                     clock: Clock) -> None:
    """Put a task's validated form data and date on it and run it, sharing them with its parallel branches: what
    a completion does to the workflow before the engine runs on (the runtime's and the simulation's)."""
    spiff_task.data.update(values)
    spiff_task.data["occurred_on"] = occurred_on.isoformat()
    try:
        with spiff_clock(clock):  # running the task may already evaluate the next element's timer
            spiff_task.run()
    except SpiffWorkflowException as exc:
        raise engine_error(exc, "the task could not be completed") from exc
    share_with_parallel_branches(workflow, spiff_task, values, occurred_on)


def set_assignee(ctx: RuntimeContext, task_id: str, assignee: str | None, actor: str | None,
                 take_over: bool = False) -> None:
    """Claim an open task for `assignee`, or release it (None); a task someone else holds is taken over only when
    asked (`take_over`), and that is audited as such."""
    if assignee is not None and not assignee.strip():
        raise InvalidInput(ErrorCode.ASSIGNEE_REQUIRED, "assignee must not be empty")
    task = write_path.TASK
    with ctx.db.engine.begin() as conn:
        row = conn.execute(select(task.c.status, task.c.assignee, task.c.patient_key, task.c.instance_id)
                           .where(task.c.id == task_id).with_for_update()).first()
        if row is None:
            raise NotFound(ErrorCode.TASK_NOT_FOUND, f"no task {task_id}")
        if row.status != TaskStatus.OPEN:
            raise task_closed(task_id, row.status)
        taking_over = bool(assignee and row.assignee and row.assignee != assignee)
        if taking_over and not take_over:
            raise claimed_by_other(task_id, row.assignee)
        conn.execute(update(task).where(task.c.id == task_id).values(assignee=assignee))
        if actor is not None:
            action = "take_over_task" if taking_over else "claim_task" if assignee else "unclaim_task"
            conn.execute(AUDIT.insert(), audit_row(
                ctx.now(), actor, action, patient_key=row.patient_key, instance_id=row.instance_id, task_id=task_id,
                detail=f"{row.assignee} -> {assignee}" if taking_over else assignee))
