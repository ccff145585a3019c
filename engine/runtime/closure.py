"""Closing a pathway before its process reaches the closure task: the patient moved, was transferred to another
hospital trust or to a contracted specialist, or no longer needs the pathway.

The closure is the pathway's own measuring point (`closure`, with an outcome from the pathway's closure task), so
reports and the timeline read it like any other closure. The process is cancelled: open tasks are withdrawn,
timers stop, and deadlines still running are `cancelled` (not counted), as when a process ends before a deadline's
end event. When the closure task is already open, the closure is registered there instead, where the pathway
file decides what follows (e.g. the follow-up plan sent to the municipality).

A transfer to another trust is a closure with the transfer outcome; the receiving trust registers a new start
(domain.md §2), so the patient key is free for a new pathway of the same type at once. When the receiving unit
is named (it works in this system too), that new start is made in the same transaction and linked.
"""

from __future__ import annotations

from datetime import date

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Connection, insert
from sqlalchemy.exc import IntegrityError

from engine.catalogue.definition import CLOSURE_POINT, TRANSFER_OUTCOME
from engine.catalogue.forms import check_occurred_on
from engine.db.models import PathwayLink
from engine.deadlines.measurement import RegisteredEvent
from engine.errors import Conflict, ErrorCode, InvalidInput
from engine.runtime import projection
from engine.runtime.context import RuntimeContext
from engine.runtime.gate import Held, changed_concurrently, locked, require_active
from engine.runtime.messages import deliver_messages
from engine.runtime.start import Referral, raced, start_in
from engine.runtime.write_path import InstanceState, StaleInstance, UnitOfWork
from engine.statuses import LinkKind

#: A receiving trust's name is a short text, e.g. "Helse Bergen HF".
MAX_TRUST_NAME = 200


def close_pathway(ctx: RuntimeContext, instance_id: str, *, closed_on: date, outcome: str, note: str | None = None,
                  actor: str | None = None) -> None:
    """Close an active pathway on `closed_on` with one of its closure outcomes."""
    try:
        with locked(ctx, instance_id=instance_id) as held:
            _close(ctx, held, closed_on, outcome, note, actor)
    except StaleInstance as exc:
        raise changed_concurrently(instance_id) from exc
    ctx.live.checkin(held.workflow, held.state)


def _close(ctx: RuntimeContext, held: Held, closed_on: date, outcome: str, note: str | None,
           actor: str | None, *, commit: bool = True) -> None:
    require_active(held)
    closure_element = _check_closure(held, outcome)
    check_occurred_on(closed_on, ctx.today(), held.state.last_occurred_on)
    work = UnitOfWork(held.conn, held.state, commit=commit)
    projection.audit(ctx, work, actor, "close_pathway", detail=f"{closed_on} {outcome}")
    held.workflow.cancel()
    event = RegisteredEvent(CLOSURE_POINT, closed_on, outcome, closure_element, note=note)
    projection.after_run(ctx, work, held.definition, held.workflow, [event], actor, closed_on)


def transfer_pathway(ctx: RuntimeContext, instance_id: str, *, transferred_on: date, receiving_trust: str,
                     receiving_unit: str | None = None, note: str | None = None,
                     actor: str | None = None) -> str | None:
    """Close the pathway as transferred to another hospital trust, which registers a new start. When the
    receiving unit works in this system too, that start is made here, in the same transaction, and linked to
    the closed pathway; its id is returned (the transferring coordinator may not see it)."""
    trust = " ".join(receiving_trust.split())
    if not trust or len(trust) > MAX_TRUST_NAME:
        raise InvalidInput(ErrorCode.RECEIVING_TRUST_INVALID,
                           f"name the receiving hospital trust (1–{MAX_TRUST_NAME} characters)")
    text = f"Overført til {trust}." + (f" {note.strip()}" if note and note.strip() else "")
    unit = " ".join((receiving_unit or "").split())
    started = None
    try:
        with locked(ctx, instance_id=instance_id) as held:
            _close(ctx, held, transferred_on, TRANSFER_OUTCOME, text, actor, commit=not unit)
            if unit:
                try:
                    started = _start_at_receiving_unit(ctx, held, unit, transferred_on, actor)
                except IntegrityError as exc:  # the start lost a race for the patient's active pathway
                    raise raced(exc, held.state.pathway_key) from exc
    except StaleInstance as exc:
        raise changed_concurrently(instance_id) from exc
    ctx.live.checkin(held.workflow, held.state)
    if started is None:
        return None
    state, workflow, deliver = started
    ctx.live.checkin(workflow, state)
    if deliver:
        deliver_messages(ctx, state.patient_key)
    return state.id


def _start_at_receiving_unit(ctx: RuntimeContext, held: Held, unit: str, transferred_on: date,
                             actor: str | None) -> tuple[InstanceState, BpmnWorkflow, bool]:
    """The receiving unit's new start of the same pathway, referral received on the day of the transfer, under
    the same setting, severity and rule set, linked to the closed pathway; it commits the closure with it."""
    closed = held.state
    referral = Referral(closed.patient_key, closed.pathway_key, unit, closed.setting, transferred_on,
                        closed.severity, closed.rule_set)
    def link(conn: Connection, started_id: str) -> None:
        conn.execute(insert(PathwayLink).values(kind=LinkKind.TRANSFER, from_instance_id=closed.id,
                                                to_instance_id=started_id, created_at=ctx.now()))
    return start_in(ctx, held.conn, referral, actor, link=link)


def _check_closure(held: Held, outcome: str) -> str:
    """The closure task's element id, once the outcome is one it offers and the task itself is not open."""
    definition = held.definition
    task = definition.closure_task
    if task is None:
        raise Conflict(ErrorCode.CLOSURE_NOT_DEFINED,
                       f"the pathway {definition.key} has no closure task, so it cannot be closed outside its process")
    open_closure = next((t for t in held.state.open_tasks if t.measuring_point == CLOSURE_POINT), None)
    if open_closure is not None:
        raise Conflict(ErrorCode.CLOSURE_TASK_OPEN, "the closure task is open: register the closure there",
                       params={"task_id": open_closure.id})
    offered = [option_id for option_id, _ in definition.closure_outcomes]
    if outcome not in offered:
        code = ErrorCode.TRANSFER_NOT_DEFINED if outcome == TRANSFER_OUTCOME else ErrorCode.CLOSURE_OUTCOME_INVALID
        raise InvalidInput(code, f"outcome must be one of {', '.join(offered)}, not {outcome!r}",
                           params={"outcomes": offered})
    return task.element_id
