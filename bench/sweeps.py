"""Sweeps benchmark: 10,000 due timers fired by two worker processes at once; `mark_overdue` for 10 and 10,000 rows.

How the rows are made
---------------------
A fresh PostgreSQL schema of its own (dropped at the end). The pathway files are deployed and `--timers`
pathways (tsb_d01) are started with the engine, over `--builders` processes, on one referral day. Every fresh
instance waits at the non-interrupting "Vurderingsfristen er passert" timer (10 working days + 1 day after the
referral); the clock is then moved 30 days on, so every instance has exactly one due timer. Real instances,
real workflow state, nothing copied.

What it measures
----------------
Two worker processes, each with its own runtime (cold live cache, as a second server process has), start
together and call `PathwayRuntime.tick()` back to back until no due timer is left. Printed: elapsed wall time,
instances fired per worker, ticks per worker, instances fired twice (from the `fire_timer` audit rows; must be 0),
and the cost per timer (elapsed x workers / fired). Then `mark_overdue` is timed with 10 and with 10,000
pending measurements whose due date has passed (set with SQL on the measurements the engine made).

Run:  python bench/sweeps.py [--timers 10000] [--workers 2] [--builders 2] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing
import os
import pstats
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text, update  # noqa: E402

from engine.catalogue.deployment import deploy_directory  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.db.database import Database  # noqa: E402
from engine.db.migrate import upgrade  # noqa: E402
from engine.db.models import AuditEvent, DueTimer, IndicatorMeasurement  # noqa: E402
from engine.runtime import PathwayRuntime, sweeps  # noqa: E402
from engine.statuses import DeadlineStatus  # noqa: E402

BASE_URL = os.environ.get("PATHWAYS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REFERRAL_DAY = date(2026, 3, 30)  # the Monday before Easter 2026: the timers fall due over the holiday
SWEEP_DAY = REFERRAL_DAY + timedelta(days=30)
UNITS = [f"DPS Bench {n:02d}" for n in range(10)]


def schema_url(schema: str) -> str:
    separator = "&" if "?" in BASE_URL else "?"
    return f"{BASE_URL}{separator}options={quote(f'-csearch_path={schema}')}"


def _start_range(url: str, first: int, count: int) -> None:
    runtime = PathwayRuntime(Database(url), ManualClock(REFERRAL_DAY))
    for n in range(first, first + count):
        runtime.start_pathway(patient_key=f"B-{n:06d}", pathway_key="tsb_d01", unit=UNITS[n % len(UNITS)],
                              setting="outpatient", referral_received_on=REFERRAL_DAY)


def build(url: str, timers: int, builders: int) -> float:
    db = Database(url)
    upgrade(db)
    deploy_directory(db, ManualClock(REFERRAL_DAY), ROOT / "pathways")
    db.engine.dispose()
    started = time.perf_counter()
    share = -(-timers // builders)
    jobs = [multiprocessing.Process(target=_start_range, args=(url, n * share, min(share, timers - n * share)))
            for n in range(builders) if n * share < timers]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
        if job.exitcode:
            raise SystemExit(f"a builder failed ({job.exitcode})")
    return time.perf_counter() - started


def _due(db: Database, when) -> int:
    with db.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(DueTimer).where(DueTimer.due_at <= when))


def _worker(url: str, go, results, profile: bool) -> None:
    runtime = PathwayRuntime(Database(url), ManualClock(SWEEP_DAY))
    profiler = cProfile.Profile() if profile else None
    go.wait()
    started = time.perf_counter()
    fired = ticks = 0
    if profiler:
        profiler.enable()
    while True:
        advanced, _ = runtime.tick()
        ticks += 1
        fired += advanced
        if not advanced and _due(runtime._ctx.db, runtime._ctx.now()) == 0:
            break
        if not advanced:  # the other worker holds the last ones
            time.sleep(0.05)
    if profiler:
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        results.put(("profile", out.getvalue()))
    results.put(("worker", os.getpid(), fired, ticks, time.perf_counter() - started))


def sweep(url: str, workers: int, profile: bool) -> None:
    go = multiprocessing.Event()
    results = multiprocessing.Queue()
    jobs = [multiprocessing.Process(target=_worker, args=(url, go, results, profile and n == 0))
            for n in range(workers)]
    for job in jobs:
        job.start()
    time.sleep(2)  # imports and connections done before the clock starts
    started = time.perf_counter()
    go.set()
    reports = [results.get() for _ in range(workers + (1 if profile else 0))]
    elapsed = time.perf_counter() - started
    for job in jobs:
        job.join()
    total = 0
    for report in reports:
        if report[0] == "profile":
            print(report[1])
            continue
        _, pid, fired, ticks, took = report
        total += fired
        print(f"  worker {pid}: fired {fired:6d} in {ticks:4d} ticks, {took:6.1f} s")
    db = Database(url)
    with db.engine.connect() as conn:
        per_instance = (select(AuditEvent.instance_id, func.count().label("n"))
                        .where(AuditEvent.action == "fire_timer").group_by(AuditEvent.instance_id).subquery())
        twice = conn.scalar(select(func.count()).select_from(per_instance).where(per_instance.c.n > 1))
        audited = conn.scalar(select(func.count()).select_from(per_instance))
    left = _due(db, ManualClock(SWEEP_DAY).now())
    print(f"  elapsed {elapsed:.1f} s, fired {total} (audited instances {audited}), fired twice: {twice}, "
          f"still due: {left}")
    if total:
        print(f"  cost per timer: {elapsed * 1000 / total:.2f} ms elapsed, "
              f"{elapsed * workers * 1000 / total:.2f} ms of worker time")


def time_mark_overdue(url: str, counts: list[int]) -> None:
    db = Database(url)
    runtime = PathwayRuntime(db, ManualClock(SWEEP_DAY))
    with db.engine.begin() as conn:
        pending = conn.scalar(select(func.count()).select_from(IndicatorMeasurement)
                              .where(IndicatorMeasurement.status.in_([DeadlineStatus.PENDING,
                                                                      DeadlineStatus.OVERDUE])))
    print(f"  {pending} pending/overdue measurements in all")
    for count in counts:
        with db.engine.begin() as conn:  # every one pending and due later, then `count` of them passed
            conn.execute(update(IndicatorMeasurement)
                         .where(IndicatorMeasurement.status.in_([DeadlineStatus.PENDING, DeadlineStatus.OVERDUE]))
                         .values(status=DeadlineStatus.PENDING, due_on=SWEEP_DAY + timedelta(days=60)))
            ids = select(IndicatorMeasurement.id).where(IndicatorMeasurement.status == DeadlineStatus.PENDING) \
                .order_by(IndicatorMeasurement.id).limit(count).scalar_subquery()
            conn.execute(update(IndicatorMeasurement).where(IndicatorMeasurement.id.in_(ids))
                         .values(due_on=SWEEP_DAY - timedelta(days=1)))
            conn.execute(text("ANALYZE indicator_measurement"))
        started = time.perf_counter()
        marked = sweeps.mark_overdue(runtime._ctx)
        took = time.perf_counter() - started
        print(f"  mark_overdue with {count:6d} due: marked {marked:6d} in {took * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--builders", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="cProfile the first worker")
    args = parser.parse_args()
    multiprocessing.set_start_method("spawn")
    schema = f"bench_sweeps_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(BASE_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - no server: nothing to measure
        print(f"PostgreSQL not reachable at {BASE_URL}: {exc}")
        return
    url = schema_url(schema)
    try:
        took = build(url, args.timers, args.builders)
        db = Database(url)
        print(f"built {args.timers} tsb_d01 pathways in {took:.0f} s; due timers: {_due(db, ManualClock(SWEEP_DAY).now())}")
        db.engine.dispose()
        print(f"sweep: {args.workers} workers")
        sweep(url, args.workers, args.profile)
        print("mark_overdue:")
        time_mark_overdue(url, [10, 10_000])
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
