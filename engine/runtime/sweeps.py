"""The scheduler's sweeps: fire the timers that are due, deliver messages a crash left, persist overdue deadlines;
and the retry of an item that failed.

Run in-process every minute, or by `pathways tick`, in any number of processes at once: they claim due rows
with `SKIP LOCKED` and split the work. Only due rows are read (indexed on their due time), never every
instance. A tick fires timers until none is due or its time budget is spent. Each due item runs in its own
transaction: one that fails inside the engine is rolled back,
recorded as an incident and parked (`engine.runtime.incidents`), and the sweep goes on with the others. When
the database itself fails, nothing is parked: the round stops and the next one tries again.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, select, update

from engine.db.models import DueTimer, IndicatorMeasurement
from engine.deadlines.measurement import RegisteredEvent
from engine.deadlines.rules import overdue_sql
from engine.errors import NotFound
from engine.runtime import incidents, projection, write_path
from engine.runtime.context import RuntimeContext
from engine.runtime.failures import is_outage
from engine.runtime.gate import Held, claimed, locked
from engine.runtime.incidents import SYSTEM_ACTOR, Item
from engine.runtime.messages import deliver_messages, redeliver
from engine.runtime.spiff import run_engine
from engine.runtime.write_path import StaleInstance, UnitOfWork
from engine.statuses import DeadlineStatus, IncidentKind

log = logging.getLogger(__name__)


#: A tick fires due timers for at most this long, then stops; what is left waits for the next tick (or is taken
#: meanwhile by another process). Half the default scheduler interval, so that the in-process scheduler's next
#: tick still starts on time and the overdue sweep and message delivery run every interval.
TICK_BUDGET_SECONDS = 30.0
#: Instances a tick passes over (held by a command, changed under it, still due after firing) are left for the
#: next tick; past this many the tick stops, as a runaway guard: each claim excludes them by id.
MAX_PASSED = 500
#: Due instances read at a time; each is then claimed in its own firing transaction. One read per window keeps
#: the ordered scan of the due rows from being paid per timer.
CLAIM_WINDOW = 50
#: Measurements `mark_overdue` changes per transaction, so that it never holds a long transaction (and the row
#: locks commands on those pathways wait for) over thousands of rows.
OVERDUE_BATCH = 1000


def fire_due_timers(ctx: RuntimeContext, budget_seconds: float = TICK_BUDGET_SECONDS) -> int:
    """Run the timers that are due now, one instance per transaction, until none is left or the budget is spent;
    returns the number of instances advanced. Any number of processes may run this at once: each reads a window
    of due instances, walks it in random order and claims each instance's due timer row with `FOR UPDATE SKIP
    LOCKED` (PostgreSQL; SQLite has one writer at a time anyway) in the transaction that fires it, so they split
    the due set, never wait on one another and never fire a timer twice. An instance whose timer failed is
    parked while its incident backs off; once the back-off has passed it is tried again."""
    now = ctx.now()
    with ctx.db.reading_connection() as conn:
        retrying = incidents.due_for_retry(conn, IncidentKind.TIMER, now)
    deadline = time.monotonic() + budget_seconds
    passed: set[str] = set()
    fired = 0
    while time.monotonic() < deadline and len(passed) < MAX_PASSED:
        window = _due_window(ctx, now, passed)
        fired_in_window = 0
        for instance_id in window:
            if time.monotonic() >= deadline:
                break
            try:
                fired_in_window += fire_next_timer(ctx, instance_id, now, passed, retrying)
            except Exception as exc:  # recorded and parked: the other instances' timers still fire
                if is_outage(exc):  # no one's fault, and every other one would fail too: the next tick retries
                    log.warning("the database failed while firing timers: %s", exc)
                    return fired + fired_in_window
                passed.add(instance_id)
                incidents.record(ctx, Item(IncidentKind.TIMER, instance_id), exc)
                log.warning("timer of pathway %s failed: %s", instance_id, exc)
        fired += fired_in_window
        if not fired_in_window:  # none left, or the rest are in other sweepers' hands right now
            break
    return fired


def _due_window(ctx: RuntimeContext, now: datetime, passed: set[str]) -> list[str]:
    """Up to CLAIM_WINDOW instances with due timers, oldest first, in random order so that sweepers reading the
    same window seldom reach for the same one."""
    query = (select(DueTimer.instance_id)
             .where(DueTimer.due_at <= now,
                    DueTimer.instance_id.not_in(incidents.parked_instances(IncidentKind.TIMER, now)))
             .order_by(DueTimer.due_at).limit(CLAIM_WINDOW))
    if passed:
        query = query.where(DueTimer.instance_id.not_in(passed))
    with ctx.db.reading_connection() as conn:
        window = list(dict.fromkeys(conn.scalars(query)))
    random.shuffle(window)
    return window


def fire_next_timer(ctx: RuntimeContext, instance_id: str, now: datetime, passed: set[str],
                    retrying: dict[str, int]) -> int:
    """Claim the instance's due timer (unless another transaction holds it) and fire its due timers: 1 if they
    fired; 0 if another sweeper fired or holds them, or the instance was passed over (added to `passed`)."""
    def pick(conn: Connection) -> str | None:
        return conn.scalar(select(DueTimer.instance_id)
                           .where(DueTimer.instance_id == instance_id, DueTimer.due_at <= now,
                                  # parked since the window was read (another sweeper's run of it failed)
                                  DueTimer.instance_id.not_in(incidents.parked_instances(IncidentKind.TIMER, now)))
                           .limit(1).with_for_update(skip_locked=True))

    try:
        with claimed(ctx, pick) as held:
            if held is None:
                return 0
            elements = write_path.due_timer_elements(held.conn, instance_id, now)
            on_success = incidents.resolver(ctx, retrying.get(instance_id), SYSTEM_ACTOR,
                                            "the scheduler's retry succeeded")
            messages, still_due = _run_timers(ctx, held, elements, on_success, now)
    except (StaleInstance, NotFound):  # a command holds it, or changed it since the claim: the next tick
        passed.add(instance_id)
        return 0
    if still_due:  # fire each instance once a tick, whatever its timers do
        passed.add(instance_id)
    _after_commit(ctx, held, messages)
    return 1


def fire_instance_timers(ctx: RuntimeContext, instance_id: str, elements: list[str],
                         on_success: Callable[[Connection], None]) -> int:
    """Let one instance's due timers fire in one transaction (a person's retry; it waits for the instance's
    lock): 1 if they did; 0 if they had fired already, or the instance changed or went away."""
    try:
        with locked(ctx, instance_id=instance_id) as held:
            due = write_path.due_timer_elements(held.conn, instance_id, ctx.now())
            if not due:
                ctx.live.checkin(held.workflow, held.state)  # untouched: still current
                return 0
            messages, _ = _run_timers(ctx, held, elements, on_success, ctx.now())
    except (StaleInstance, NotFound):  # changed or gone since the timer was read: nothing to fire
        return 0
    _after_commit(ctx, held, messages)
    return 1


def _run_timers(ctx: RuntimeContext, held: Held, elements: list[str], on_success: Callable[[Connection], None],
                now: datetime) -> tuple[bool, bool]:
    """Run the engine on a held instance whose timers are due, project and commit; (deliver messages, a timer is
    still due)."""
    on_success(held.conn)
    events: list[RegisteredEvent] = []
    run_engine(held.workflow, ctx.clock, projection.automatic_events(held.definition, events, ctx.today()))
    work = UnitOfWork(held.conn, held.state)
    projection.audit(ctx, work, SYSTEM_ACTOR, "fire_timer", detail=", ".join(dict.fromkeys(elements)))
    messages = projection.after_run(ctx, work, held.definition, held.workflow, events, SYSTEM_ACTOR)
    still_due = work.timers is None or any(due_at <= now for _, due_at in work.timers)
    return messages, still_due


def _after_commit(ctx: RuntimeContext, held: Held, messages: bool) -> None:
    ctx.live.checkin(held.workflow, held.state)
    if messages:
        deliver_messages(ctx, held.state.patient_key)


def mark_overdue(ctx: RuntimeContext, batch: int = OVERDUE_BATCH) -> int:
    """Persist `overdue` for pending measurements whose due date has passed (reads read it live anyway), `batch`
    rows a transaction. Safe to run in several processes at once: each batch locks its rows with `SKIP LOCKED`
    (PostgreSQL), so two sweeps take different rows and neither waits; a row a command holds is left for the
    next tick."""
    marked = 0
    while True:
        with ctx.db.engine.begin() as conn:
            due = (select(IndicatorMeasurement.id)
                   .where(IndicatorMeasurement.status == DeadlineStatus.PENDING,
                          overdue_sql(IndicatorMeasurement.due_on, ctx.today()))
                   .limit(batch).with_for_update(skip_locked=True))
            changed = conn.execute(update(IndicatorMeasurement)
                                   .where(IndicatorMeasurement.id.in_(due.scalar_subquery()),
                                          IndicatorMeasurement.status == DeadlineStatus.PENDING)
                                   .values(status=DeadlineStatus.OVERDUE)).rowcount or 0
        marked += changed
        if changed < batch:
            return marked


def tick(ctx: RuntimeContext, budget_seconds: float = TICK_BUDGET_SECONDS) -> tuple[int, int]:
    """(instances whose timers fired, deadlines marked overdue). Each step runs even when another failed."""
    fired = fire_due_timers(ctx, budget_seconds)
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
        fire_instance_timers(ctx, item.instance_id, [item.element_id or "timer"], on_success)
    elif item.kind == IncidentKind.MESSAGE and item.instance_id and item.message_id:
        redeliver(ctx, item.message_id, item.instance_id, on_success)
    else:
        mark_overdue(ctx)
