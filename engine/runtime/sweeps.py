"""The scheduler's sweeps: fire the timers that are due, deliver messages a crash left, persist overdue deadlines.

Run in-process every minute, or by `pathways tick`. Only due rows are read (indexed on their due time), never
every instance.
"""

from __future__ import annotations

from sqlalchemy import select, update

from engine.db.models import DueTimer, IndicatorMeasurement
from engine.deadlines.measurement import RegisteredEvent
from engine.deadlines.rules import overdue_sql
from engine.errors import NotFound
from engine.runtime import projection
from engine.runtime.context import RuntimeContext
from engine.runtime.gate import locked
from engine.runtime.messages import deliver_messages
from engine.runtime.spiff import run_engine
from engine.runtime.write_path import StaleInstance, UnitOfWork
from engine.statuses import DeadlineStatus


def fire_due_timers(ctx: RuntimeContext, limit: int = 500) -> int:
    """Run the timers that are due now; returns the number of instances advanced."""
    now = ctx.now()
    with ctx.db.reading_connection() as conn:
        instance_ids = list(dict.fromkeys(conn.scalars(
            select(DueTimer.instance_id).where(DueTimer.due_at <= now).order_by(DueTimer.due_at).limit(limit))))
    fired = 0
    for instance_id in instance_ids:
        try:
            with locked(ctx, instance_id=instance_id) as held:
                events: list[RegisteredEvent] = []
                run_engine(held.workflow, ctx.clock, projection.automatic_events(held.definition, events, ctx.today()))
                messages = projection.after_run(ctx, UnitOfWork(held.conn, held.state), held.definition,
                                                held.workflow, events, "scheduler")
        except (StaleInstance, NotFound):  # changed or gone since the timer was read: nothing to fire
            continue
        ctx.live.checkin(held.workflow, held.state)
        if messages:
            deliver_messages(ctx, held.state.patient_key)
        fired += 1
    return fired


def mark_overdue(ctx: RuntimeContext) -> int:
    """Persist `overdue` for pending measurements whose due date has passed (reads read it live anyway)."""
    with ctx.db.engine.begin() as conn:
        result = conn.execute(update(IndicatorMeasurement)
                              .where(IndicatorMeasurement.status == DeadlineStatus.PENDING,
                                     overdue_sql(IndicatorMeasurement.due_on, ctx.today()))
                              .values(status=DeadlineStatus.OVERDUE))
        return result.rowcount or 0


def tick(ctx: RuntimeContext) -> tuple[int, int]:
    """(instances whose timers fired, deadlines marked overdue)."""
    fired = fire_due_timers(ctx)
    deliver_messages(ctx)  # anything a crash left between a command's commit and its delivery
    return fired, mark_overdue(ctx)
