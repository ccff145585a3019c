"""Messages between pathways and from outside them.

A BPMN message a pathway sends and does not catch itself (specialist care's follow-up plan at closure) is
written in the sender's transaction and then handed, in a transaction of its own, to an active pathway of the
same patient that waits for a message of that name; until one waits it is kept. A message from outside (a
crisis, "blålys", reported by the municipality) goes to an instance that waits for it, or is refused.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import Connection, select, update

from engine.catalogue.forms import check_occurred_on
from engine.clock import spiff_clock
from engine.deadlines.measurement import RegisteredEvent
from engine.errors import Conflict, ErrorCode, InvalidInput, NotFound
from engine.runtime import incidents, projection, write_path
from engine.runtime.context import RuntimeContext
from engine.runtime.failures import engine_error, is_outage
from engine.runtime.gate import Held, changed_concurrently, locked, require_active
from engine.runtime.spiff import run_engine, waiting_messages
from engine.runtime.write_path import StaleInstance, UnitOfWork
from engine.statuses import IncidentKind, InstanceStatus

log = logging.getLogger(__name__)


def send_message(ctx: RuntimeContext, instance_id: str, name: str, *, data: dict[str, Any] | None = None,
                 occurred_on: date | None = None, actor: str | None = None) -> None:
    """Deliver a message from outside the pathways to an instance that waits for a message of that name."""
    if data is not None and not isinstance(data, dict):
        raise InvalidInput(ErrorCode.MESSAGE_DATA_INVALID, "message data must be an object of field names and values")
    occurred_on = occurred_on or ctx.today()
    try:
        with locked(ctx, instance_id=instance_id) as held:
            require_active(held)
            waiting = waiting_messages(held.workflow)
            if name not in waiting:
                raise Conflict(ErrorCode.MESSAGE_NOT_AWAITED,
                               f"pathway {instance_id} is not waiting for the message {name!r}; it waits for: "
                               f"{', '.join(sorted(waiting)) or 'no message'}", params={"waiting": sorted(waiting)})
            check_occurred_on(occurred_on, ctx.today(), held.state.last_occurred_on)
            delivered = _receive(ctx, held, name, dict(data or {}), name, occurred_on, actor, audit="send_message")
    except StaleInstance as exc:
        raise changed_concurrently(instance_id) from exc
    ctx.live.checkin(held.workflow, held.state)
    if delivered:
        deliver_messages(ctx, held.state.patient_key)


def deliver_messages(ctx: RuntimeContext, patient_key: str | None = None, limit: int = 200) -> int:
    """Hand messages kept for a patient (all patients when None) to an active pathway of that patient that
    waits for them, oldest first; each delivery is one transaction on the receiving instance. A delivery that
    fails is recorded as an incident and parked while it backs off; the other messages are still delivered."""
    message, instance = write_path.MESSAGE, write_path.INSTANCE
    now = ctx.now()
    query = select(message.c.id, message.c.patient_key, message.c.sender_instance_id).where(
        message.c.delivered_at.is_(None), message.c.id.not_in(incidents.parked_messages(now)))
    if patient_key is not None:
        query = query.where(message.c.patient_key == patient_key)
    with ctx.db.reading_connection() as conn:
        pending = conn.execute(query.order_by(message.c.id).limit(limit)).all()
        if not pending:
            return 0
        receivers = conn.execute(
            select(instance.c.id, instance.c.patient_key)
            .where(instance.c.patient_key.in_({m.patient_key for m in pending}),
                   instance.c.status == InstanceStatus.ACTIVE)
            .order_by(instance.c.created_at, instance.c.id)).all()
        retrying = incidents.due_for_retry(conn, IncidentKind.MESSAGE, now)
    delivered = 0
    for row in pending:
        for receiver in receivers:
            if receiver.patient_key != row.patient_key or receiver.id == row.sender_instance_id:
                continue
            hook = incidents.resolver(ctx, retrying.get(row.id), incidents.SYSTEM_ACTOR,
                                      "the scheduler's retry succeeded")
            try:
                if deliver_one(ctx, row.id, receiver.id, hook):
                    delivered += 1
                    break
            except Exception as exc:  # recorded and parked: the other messages are still delivered
                if is_outage(exc):  # kept undelivered; the next tick delivers it
                    log.warning("the database failed while delivering messages: %s", exc)
                    return delivered
                incidents.record(ctx, incidents.Item(IncidentKind.MESSAGE, receiver.id, row.id), exc)
                break
    return delivered


def deliver_one(ctx: RuntimeContext, message_id: int, instance_id: str,
                on_success: Callable[[Connection], None] | None = None) -> bool:
    """Deliver one kept message to one instance, if it still waits for it; raises when the engine fails."""
    message = write_path.MESSAGE
    try:
        with locked(ctx, instance_id=instance_id) as held:
            conn, state = held.conn, held.state
            row = conn.execute(select(message).where(message.c.id == message_id, message.c.delivered_at.is_(None))
                               .with_for_update()).first()
            if state.status != InstanceStatus.ACTIVE or row is None or row.name not in waiting_messages(held.workflow):
                ctx.live.checkin(held.workflow, state)  # untouched: still current
                return False
            if on_success is not None:
                on_success(conn)
            conn.execute(update(message).where(message.c.id == message_id)
                         .values(delivered_at=ctx.now(), receiver_instance_id=state.id))
            received_on = max(row.sent_on, state.last_occurred_on or row.sent_on)
            payload = json.loads(row.payload) if row.payload else None
            more = _receive(ctx, held, row.name, payload, row.result_variable, received_on, "message")
    except (StaleInstance, NotFound):
        return False
    ctx.live.checkin(held.workflow, held.state)
    if more:
        deliver_messages(ctx, held.state.patient_key)
    return True


def _receive(ctx: RuntimeContext, held: Held, name: str, payload: Any, result_variable: str | None,
             occurred_on: date, actor: str | None, audit: str | None = None) -> bool:
    work = UnitOfWork(held.conn, held.state)
    if audit:
        projection.audit(ctx, work, actor, audit, detail=name)
    event = BpmnEvent(MessageEventDefinition(name), payload={"payload": payload, "result_var": result_variable})
    events: list[RegisteredEvent] = []
    try:
        with spiff_clock(ctx.clock):
            held.workflow.send_event(event)
    except SpiffWorkflowException as exc:
        raise engine_error(exc, f"the pathway could not receive the message {name!r}") from exc
    run_engine(held.workflow, ctx.clock, projection.automatic_events(held.definition, events, occurred_on))
    return projection.after_run(ctx, work, held.definition, held.workflow, events, actor, occurred_on)
