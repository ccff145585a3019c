"""Messages between pathways and from outside them.

A BPMN message a pathway sends and does not catch itself (specialist care's follow-up plan at closure) is
written in the sender's transaction and then handed, in a transaction of its own, to an active pathway of the
same patient that waits for a message of that name, or starts the pathway that declares it starts it
(`startedByMessage`, linked to the sender); until one waits it is kept. A message from outside (a
crisis, "blålys", reported by the municipality) goes to an instance that waits for it, or is refused.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import Connection, insert, select, update

from engine.catalogue.forms import check_occurred_on
from engine.clock import spiff_clock
from engine.db.models import PathwayLink, PathwayVersion
from engine.deadlines.measurement import RegisteredEvent
from engine.errors import Conflict, ErrorCode, InvalidInput, NotFound
from engine.runtime import incidents, projection, write_path
from engine.runtime.context import RuntimeContext
from engine.runtime.failures import engine_error, is_outage
from engine.runtime.gate import Held, changed_concurrently, locked, require_active
from engine.runtime.spiff import run_engine, waiting_messages
from engine.runtime.start import MAX_UNIT_NAME, Referral, active_key, start_in
from engine.runtime.write_path import StaleInstance, UnitOfWork
from engine.statuses import IncidentKind, InstanceStatus, LinkKind

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
    waits for them, oldest first, or start the pathway such a message starts (`startedByMessage`); each delivery
    is one transaction on the receiving instance. A delivery that fails is recorded as an incident and parked
    while it backs off; the other messages are still delivered."""
    message, instance = write_path.MESSAGE, write_path.INSTANCE
    now = ctx.now()
    query = select(message.c.id, message.c.name, message.c.patient_key, message.c.sender_instance_id).where(
        message.c.delivered_at.is_(None), message.c.id.not_in(incidents.parked_messages(now)))
    if patient_key is not None:
        query = query.where(message.c.patient_key == patient_key)
    # Each read stands on its own (a delivery re-checks under the receiver's lock), and this runs after every
    # command on a pathway that waits for a message: no BEGIN and ROLLBACK round trips around them.
    with ctx.db.reading_statements() as conn:
        pending = conn.execute(query.order_by(message.c.id).limit(limit)).all()
        if not pending:
            return 0
        receivers = conn.execute(
            select(instance.c.id, instance.c.patient_key)
            .where(instance.c.patient_key.in_({m.patient_key for m in pending}),
                   instance.c.status == InstanceStatus.ACTIVE)
            .order_by(instance.c.created_at, instance.c.id)).all()
        retrying = incidents.due_for_retry(conn, IncidentKind.MESSAGE, now)
        starters = _starting_pathways(ctx, conn)
    delivered = 0
    for row in pending:
        candidates = [r.id for r in receivers if r.patient_key == row.patient_key and r.id != row.sender_instance_id]
        hook = incidents.resolver(ctx, retrying.get(row.id), incidents.SYSTEM_ACTOR,
                                  "the scheduler's retry succeeded")
        outcome = _deliver_kept(ctx, row.id, row.sender_instance_id, candidates, starters.get(row.name), hook)
        if outcome is None:
            return delivered
        delivered += outcome
    return delivered


def _deliver_kept(ctx: RuntimeContext, message_id: int, sender_id: str | None, candidates: list[str],
                  starts: str | None, hook: Callable[[Connection], None] | None) -> int | None:
    """1 when the message reached a waiting pathway or started one (`starts`: the pathway it may start), 0 when
    it stays kept (or failed and was recorded), None when the database is out (the next tick tries again)."""
    failing = sender_id
    try:
        for receiver_id in candidates:
            failing = receiver_id
            if deliver_one(ctx, message_id, receiver_id, hook):
                return 1
        failing = sender_id
        return 1 if starts is not None and start_receiver(ctx, message_id, starts, hook) else 0
    except Exception as exc:  # recorded and parked: the other messages are still delivered
        if is_outage(exc):  # kept undelivered; the next tick delivers it
            log.warning("the database failed while delivering messages: %s", exc)
            return None
        incidents.record(ctx, incidents.Item(IncidentKind.MESSAGE, failing, message_id), exc)
        return 0


def redeliver(ctx: RuntimeContext, message_id: int, instance_id: str,
              on_success: Callable[[Connection], None] | None = None) -> bool:
    """A parked message run again: to the instance it failed on, or — when that is its sender — the start it
    failed to make."""
    if deliver_one(ctx, message_id, instance_id, on_success):
        return True
    with ctx.db.reading_connection() as conn:
        name = conn.scalar(select(write_path.MESSAGE.c.name).where(write_path.MESSAGE.c.id == message_id))
        starts = _starting_pathways(ctx, conn).get(name)
    return starts is not None and start_receiver(ctx, message_id, starts, on_success)


def start_receiver(ctx: RuntimeContext, message_id: int, pathway_key: str,
                   on_success: Callable[[Connection], None] | None = None) -> bool:
    """Start the pathway a kept message starts (`startedByMessage`) when the patient has none of that type
    active: the message is delivered to it and the two pathways are linked, in one transaction. False when no
    pathway is started by the message or the patient already has it (the message stays kept, visibly)."""
    message = write_path.MESSAGE
    with ctx.db.engine.begin() as conn:
        row = conn.execute(select(message).where(message.c.id == message_id, message.c.delivered_at.is_(None))
                           .with_for_update()).first()
        if row is None or conn.scalar(select(write_path.INSTANCE.c.id).where(
                write_path.INSTANCE.c.active_key == active_key(pathway_key, row.patient_key))) is not None:
            return False
        referral = _referral_in(conn, row, pathway_key)
        if on_success is not None:
            on_success(conn)
        state, workflow, deliver = start_in(ctx, conn, referral, "message", link=_linked_to(row, ctx.now()))
    ctx.live.checkin(workflow, state)
    if deliver:
        deliver_messages(ctx, state.patient_key)
    return True


def _linked_to(row: Any, now: datetime) -> Callable[[Connection, str], None]:
    """The started pathway received the message, and is linked to its sender."""
    def link(conn: Connection, started_id: str) -> None:
        conn.execute(update(write_path.MESSAGE).where(write_path.MESSAGE.c.id == row.id)
                     .values(delivered_at=now, receiver_instance_id=started_id))
        conn.execute(insert(PathwayLink).values(
            kind=LinkKind.STARTED_BY_MESSAGE, from_instance_id=row.sender_instance_id, to_instance_id=started_id,
            message_id=row.id, created_at=now))
    return link


def _starting_pathways(ctx: RuntimeContext, conn: Connection) -> dict[str, str]:
    """Message name -> the deployed pathway whose current version it starts (`startedByMessage`; the first by key
    when two declare one name). Read once per delivery round, so a message that starts nothing costs no
    transaction."""
    starters: dict[str, str] = {}
    for version_id, key in conn.execute(select(PathwayVersion.id, PathwayVersion.pathway_key)
                                        .where(PathwayVersion.is_current.is_(True))
                                        .order_by(PathwayVersion.pathway_key)).all():
        for name in ctx.definitions.get(version_id, conn).started_by_messages:
            starters.setdefault(name, key)
    return starters


def _referral_in(conn: Connection, row: Any, pathway_key: str) -> Referral:
    """Where and from when the message starts the pathway: its payload's `unit`, `setting` (else the sender's)
    and `referral_received` (else the day it was sent)."""
    payload = _payload(row)
    fields = payload if isinstance(payload, dict) else {}
    unit, setting, received = fields.get("unit"), fields.get("setting"), fields.get("referral_received")
    if not isinstance(unit, str) or not unit.strip() or len(unit) > MAX_UNIT_NAME:
        raise InvalidInput(ErrorCode.MESSAGE_START_INVALID,
                           f"the message {row.name!r} starts {pathway_key} but its payload names no unit "
                           f"(`unit`, 1–{MAX_UNIT_NAME} characters)")
    if not setting and row.sender_instance_id:
        setting = conn.scalar(select(write_path.INSTANCE.c.setting)
                              .where(write_path.INSTANCE.c.id == row.sender_instance_id))
    try:
        received_on = date.fromisoformat(received) if received else row.sent_on
    except (TypeError, ValueError):
        raise InvalidInput(ErrorCode.MESSAGE_START_INVALID,
                           f"the message {row.name!r}: referral_received must be a date YYYY-MM-DD, "
                           f"not {received!r}") from None
    return Referral(row.patient_key, pathway_key, unit.strip(), str(setting or "outpatient"), received_on,
                    data={row.result_variable or row.name: payload})


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
            if row.name in held.definition.started_by_messages and row.sender_instance_id:
                # the message that would have started this pathway finds it running: the two are linked
                conn.execute(insert(PathwayLink).values(
                    kind=LinkKind.LINKED_BY_MESSAGE, from_instance_id=row.sender_instance_id,
                    to_instance_id=state.id, message_id=message_id, created_at=ctx.now()))
            received_on = max(row.sent_on, state.last_occurred_on or row.sent_on)
            more = _receive(ctx, held, row.name, _payload(row), row.result_variable, received_on, "message")
    except (StaleInstance, NotFound):
        return False
    ctx.live.checkin(held.workflow, held.state)
    if more:
        deliver_messages(ctx, held.state.patient_key)
    return True


def _payload(row: Any) -> Any:
    """A kept message's payload, as its sender's expression made it."""
    return json.loads(row.payload) if row.payload else None


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
