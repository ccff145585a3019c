"""Sweeps shared by several processes: two sweepers fire each due timer once between them, a failing timer is
still recorded and parked, a tick stops at its time budget and the next one takes the rest, and the overdue
sweep works in batches that two runs can share."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import func, select, update

from engine.catalogue.deployment import deploy
from engine.clock import ManualClock
from engine.db.models import AuditEvent, DueTimer, Incident, IndicatorMeasurement, PathwayInstance
from engine.runtime import PathwayRuntime, sweeps
from engine.statuses import DeadlineStatus, IncidentStatus
from tests.bpmn_samples import timer_then_script
from tests.support import complete

DAY = date(2026, 1, 5)
BROKEN = timer_then_script("follow_up_weeks = missing_variable + 1")
FIXED = timer_then_script("follow_up_weeks = 2")


def _waiting(runtime: PathwayRuntime, count: int, prefix: str = "P") -> list[str]:
    instances = []
    for n in range(count):
        instance_id = runtime.start_pathway(patient_key=f"{prefix}-{n:04d}", pathway_key="reminder",
                                            unit="DPS Test", setting="outpatient", referral_received_on=DAY)
        complete(runtime, instance_id, "assess", DAY)
        instances.append(instance_id)
    return instances


def _count(db, table, *where) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(table).where(*where))


def _fired_per_instance(db) -> dict[str, int]:
    with db.reading() as session:
        return {row[0]: row[1] for row in session.execute(
            select(AuditEvent.instance_id, func.count()).where(AuditEvent.action == "fire_timer")
            .group_by(AuditEvent.instance_id))}


def _sweep_together(db, clock, count: int) -> list[int]:
    workers = [PathwayRuntime(db, clock) for _ in range(count)]  # as separate processes: caches of their own
    barrier = threading.Barrier(count)
    fired: list[int] = []

    def run(worker: PathwayRuntime) -> None:
        barrier.wait()
        fired.append(worker.tick()[0])

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return fired


def test_two_sweepers_fire_every_due_timer_once_and_record_the_broken_one(db, clock):
    deploy(db, clock, BROKEN, "reminder.bpmn")
    runtime = PathwayRuntime(db, clock)
    broken = _waiting(runtime, 1, "X")[0]
    deploy(db, clock, FIXED, "reminder.bpmn")
    fine = _waiting(runtime, 60)
    measured_before = _count(db, IndicatorMeasurement)
    clock.set(DAY + timedelta(days=2))

    fired = _sweep_together(db, clock, 2)

    assert sum(fired) == 60
    assert _fired_per_instance(db) == {instance_id: 1 for instance_id in fine}  # none twice, the broken one not
    assert _count(db, DueTimer) == 1  # only the broken instance still waits, parked
    assert _count(db, IndicatorMeasurement) == measured_before  # firing twice would not add rows, but check
    with db.reading() as session:
        incidents = list(session.scalars(select(Incident)))
    assert [(i.instance_id, i.status) for i in incidents] == [(broken, IncidentStatus.OPEN)]
    # the other sweeper may have claimed it between the failed run's rollback and its incident's commit
    assert incidents[0].attempts <= 2
    assert PathwayRuntime(db, clock).tick()[0] == 0  # parked while it backs off; nothing else is due


def test_a_tick_stops_at_its_budget_and_the_next_takes_the_rest(db, clock, monkeypatch):
    deploy(db, clock, FIXED, "reminder.bpmn")
    runtime = PathwayRuntime(db, clock)
    _waiting(runtime, 8)
    clock.set(DAY + timedelta(days=2))
    seconds = iter(range(1000))  # every look at the time finds one more second gone
    monkeypatch.setattr(sweeps.time, "monotonic", lambda: next(seconds))

    first = runtime.tick(budget_seconds=4)[0]

    assert 0 < first < 8
    assert _count(db, DueTimer, DueTimer.due_at <= clock.now()) == 8 - first
    monkeypatch.undo()
    assert runtime.tick()[0] == 8 - first
    assert sorted(_fired_per_instance(db).values()) == [1] * 8


def test_a_tick_passes_over_an_instance_a_command_holds(db, clock):
    if db.engine.dialect.name != "postgresql":
        return  # SQLite: a command and a sweep never run at once (one writer)
    deploy(db, clock, FIXED, "reminder.bpmn")
    runtime = PathwayRuntime(db, clock)
    held, other = _waiting(runtime, 2)
    clock.set(DAY + timedelta(days=2))
    with db.engine.begin() as conn:  # a command's transaction on `held`, open while the sweep runs
        conn.execute(select(PathwayInstance.id).where(PathwayInstance.id == held).with_for_update())
        assert PathwayRuntime(db, clock).tick(budget_seconds=10)[0] == 1
    assert _fired_per_instance(db) == {other: 1}
    assert runtime.tick()[0] == 1  # released: the next tick fires it


def test_mark_overdue_works_in_batches_and_two_runs_mark_each_row_once(db, clock):
    deploy(db, clock, FIXED, "reminder.bpmn")
    runtime = PathwayRuntime(db, clock)
    _waiting(runtime, 30)
    with db.engine.begin() as conn:
        conn.execute(update(IndicatorMeasurement).values(status=DeadlineStatus.PENDING, due_on=DAY))
    clock.set(DAY + timedelta(days=40))
    pending = _count(db, IndicatorMeasurement, IndicatorMeasurement.status == DeadlineStatus.PENDING)
    assert pending >= 30
    later = ManualClock(clock.now())
    marked: list[int] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        marked.append(sweeps.mark_overdue(PathwayRuntime(db, later)._ctx, batch=7))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(marked) == pending  # each row once between them
    assert _count(db, IndicatorMeasurement, IndicatorMeasurement.status == DeadlineStatus.OVERDUE) == pending
    assert runtime.mark_overdue() == 0
