"""The scheduler's sweeps: fire the timers that are due, deliver messages a crash left, persist overdue deadlines;
and the retry of an item that failed.

Run in-process every minute, or by `pathways tick`. Only due rows are read (indexed on their due time), never
every instance. Each due item runs in its own transaction: one that fails inside the engine is rolled back,
recorded as an incident and parked (`engine.runtime.incidents`), and the sweep goes on with the others. When
the database itself fails, nothing is parked: the round stops and the next one tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Connection, select, update

from engine.db.models import DueTimer, IndicatorMeasurement
from engine.deadlines.measurement import RegisteredEvent
from engine.deadlines.rules import overdue_sql
from engine.errors import NotFound
from engine.runtime import incidents, projection, write_path
from engine.runtime.context import RuntimeContext
from engine.runtime.failures import is_outage
from engine.runtime.gate import locked
from engine.runtime.incidents import SYSTEM_ACTOR, Item
from engine.runtime.messages import deliver_messages, redeliver
from engine.runtime.spiff import run_engine
from engine.runtime.write_path import StaleInstance, UnitOfWork
from engine.statuses import DeadlineStatus, IncidentKind

log = logging.getLogger(__name__)


def fire_due_timers(ctx: RuntimeContext, limit: int = 500) -> int:
    """Run the timers that are due now; returns the number of instances advanced. An instance whose timer
    failed is parked while its incident backs off; once the back-off has passed it is tried again."""
    now = ctx.now()
    with ctx.db.reading_connection() as conn:
        due = conn.execute(select(DueTimer.instance_id, DueTimer.element_id)
                           .where(DueTimer.due_at <= now,
                                  DueTimer.instance_id.not_in(incidents.parked_instances(IncidentKind.TIMER, now)))
                           .order_by(DueTimer.due_at).limit(limit)).all()
        retrying = incidents.due_for_retry(conn, IncidentKind.TIMER, now)
    elements: dict[str, list[str]] = {}
    for row in due:
        elements.setdefault(row.instance_id, []).append(row.element_id)
    fired = 0
    for instance_id, names in elements.items():
        incident_id = retrying.get(instance_id)
        try:
            fired += fire_instance_timers(ctx, instance_id, names, incidents.resolver(
                ctx, incident_id, SYSTEM_ACTOR, "the scheduler's retry succeeded"))
        except Exception as exc:  # recorded and parked: the other instances' timers still fire
            if is_outage(exc):  # no one's fault, and every other instance would fail too: the next tick retries
                log.warning("the database failed while firing timers: %s", exc)
                break
            incidents.record(ctx, Item(IncidentKind.TIMER, instance_id, element_id=names[0]), exc)
            log.warning("timer of pathway %s failed: %s", instance_id, exc)
    return fired


def fire_instance_timers(ctx: RuntimeContext, instance_id: str, elements: list[str],
                         on_success: Callable[[Connection], None], *, claim: bool = True) -> int:
    """Let one instance's due timers fire in one transaction: 1 if they did; 0 if another worker holds the
    instance (`claim`: skip it instead of waiting), fired them first, or the instance changed or went away."""
    try:
        with locked(ctx, instance_id=instance_id, skip_locked=claim) as held:
            if not write_path.has_due_timer(held.conn, instance_id, ctx.now()):
                ctx.live.checkin(held.workflow, held.state)  # untouched: still current
                return 0
            on_success(held.conn)
            events: list[RegisteredEvent] = []
            run_engine(held.workflow, ctx.clock, projection.automatic_events(held.definition, events, ctx.today()))
            work = UnitOfWork(held.conn, held.state)
            projection.audit(ctx, work, SYSTEM_ACTOR, "fire_timer", detail=", ".join(dict.fromkeys(elements)))
            messages = projection.after_run(ctx, work, held.definition, held.workflow, events, SYSTEM_ACTOR)
    except (StaleInstance, NotFound):  # changed or gone since the timer was read: nothing to fire
        return 0
    ctx.live.checkin(held.workflow, held.state)
    if messages:
        deliver_messages(ctx, held.state.patient_key)
    return 1


def mark_overdue(ctx: RuntimeContext) -> int:
    """Persist `overdue` for pending measurements whose due date has passed (reads read it live anyway)."""
    with ctx.db.engine.begin() as conn:
        result = conn.execute(update(IndicatorMeasurement)
                              .where(IndicatorMeasurement.status == DeadlineStatus.PENDING,
                                     overdue_sql(IndicatorMeasurement.due_on, ctx.today()))
                              .values(status=DeadlineStatus.OVERDUE))
        return result.rowcount or 0


def tick(ctx: RuntimeContext) -> tuple[int, int]:
    """(instances whose timers fired, deadlines marked overdue). Each step runs even when another failed."""
    fired = fire_due_timers(ctx)
    deliver_messages(ctx)  # anything a crash left between a command's commit and its delivery
    try:
        overdue = mark_overdue(ctx)
    except Exception as exc:
        if not is_outage(exc):
            incidents.record(ctx, Item(IncidentKind.SWEEP, element_id="mark_overdue"), exc)
        log.warning("the overdue sweep failed: %s", exc)
        overdue = 0
    return fired, overdue


def retry_incident(ctx: RuntimeContext, incident_id: int, actor: str, *, on_current_version: bool = False) -> bool:
    """Run a failed item again now, for a person (after the file was fixed); True when it succeeded and the
    incident is resolved. A failure counts as one more attempt and leaves the incident open."""
    row = incidents.open_incident(ctx, incident_id)
    incidents.audit_retry(ctx, row, actor)
    item = Item(IncidentKind(row.kind), row.instance_id, row.message_id, row.element_id)
    try:
        if on_current_version and row.instance_id:
            incidents.rebind_to_current_version(ctx, row.instance_id, actor)
        _run_item(ctx, item, incidents.resolver(ctx, incident_id, actor, "retried by hand: succeeded"))
    except Exception as exc:
        incidents.record(ctx, item, exc)
        return False
    with ctx.db.engine.begin() as conn:  # the item had nothing left to do: it resolved nothing itself
        incidents.resolve_in(conn, incident_id, ctx.now(), actor, "retried by hand: nothing left to run")
    return True


def _run_item(ctx: RuntimeContext, item: Item, on_success: Callable[[Connection], None]) -> None:
    if item.kind == IncidentKind.TIMER and item.instance_id:
        fire_instance_timers(ctx, item.instance_id, [item.element_id or "timer"], on_success, claim=False)
    elif item.kind == IncidentKind.MESSAGE and item.instance_id and item.message_id:
        redeliver(ctx, item.message_id, item.instance_id, on_success)
    else:
        mark_overdue(ctx)
