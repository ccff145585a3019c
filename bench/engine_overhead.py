"""Engine overhead benchmark: what does our engine cost per completed task, compared with raw SpiffWorkflow?

    complete-task cost through our engine (load, complete, persist, indicators)
    ------------------------------------------------------------------------ = ratio
    raw SpiffWorkflow's in-memory complete + serialize of the same model

with two targets: <= 1.5 with the live-workflow cache (steady) and <= 2 when every completion loads its state
from the row (cold: the path production takes, where one patient's completions are days apart);

and the stored bytes per instance (target < 20 KB for a fresh instance).

Measured in one process run, on SQLite (fresh temp file) and PostgreSQL (fresh schema, dropped at the end;
skipped with a message if the server cannot be reached).

How
---
N patients walk the tsb_d01 pathway in lock step (every patient does step k on the same day, the clock moves
forward between steps), as a service with many patients in flight would. For each patient there are three
copies of the same pathway, driven with identical form data, and the three timed calls are interleaved per
patient (rotating their order) so that drift and noise hit all of them alike:

* engine steady: `PathwayRuntime.complete_task` on a runtime whose live-workflow cache is left as it is;
* engine cold:   the same on a second runtime whose cache is cleared before every complete, so every complete
                 deserialises the workflow state from the database row (printed for information);
* raw:           SpiffWorkflow alone: `get_task_from_id`, `task.data.update(form)`, `task.run()`,
                 `workflow.do_engine_steps()`, `BpmnWorkflowSerializer.serialize_json(workflow)` with the stock
                 Camunda configuration (which includes the spec, as a plain SpiffWorkflow app stores it).

The timed region for the engine is exactly the `complete_task` call; task ids are looked up outside it.
The first --warmup patients are driven like the others but not counted (statement caches, imports, ...).

History: then --history-patients more patients walk the journey up to treatment and go on with
--evaluations evaluations that continue (one day apart), and each evaluation's complete_task (steady and cold,
as above) and the instance detail the API answers it with are timed: the cost at the 1st evaluation against the
last one, since a completion's cost should not grow with the pathway's history. Raw SpiffWorkflow walks the same
steps beside them: its own complete + serialise grows with the task tree it keeps (every completed task stays in
it), which is what the engine's steady path grows by.

Run:  python bench/engine_overhead.py [--patients 200] [--backends sqlite,postgresql] [--quick] [--profile]
                                    [--history-patients 20] [--evaluations 20]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine  # noqa: E402
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment  # noqa: E402
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

from engine.catalogue import expressions  # noqa: E402
from engine.catalogue.deployment import deploy_directory  # noqa: E402
from engine.catalogue.parser import load_definition  # noqa: E402
from engine.clock import ManualClock, spiff_clock  # noqa: E402
from engine.db.database import Database
from engine.db.migrate import upgrade  # noqa: E402
from engine.db.models import (
    CoordinatorTask,
    DueTimer,
    IndicatorMeasurement,
    MeasuringPointEvent,
    PathwayInstance,
    PathwayVersion,
)
from engine.demo.loader import TSB_JOURNEY  # noqa: E402
from engine.reading.instances import instance_detail  # noqa: E402
from engine.runtime import PathwayRuntime  # noqa: E402

PATHWAY = "tsb_d01"
PATHWAYS_DIR = ROOT / "pathways"
POSTGRES_BASE = os.environ.get("PATHWAYS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
START_DAY = date(2026, 1, 5)  # a Monday
UNIT = "DPS Nord – rusteam"
SETTING = "outpatient"
ACTOR = "bench-koordinator"  # a completion by a person writes its audit row in the same transaction, as through the API
STEADY_TARGET = 1.5  # the live cache holds the workflow
COLD_TARGET = 2.0  # every completion loads and deserialises the state
FRESH_BYTES_TARGET = 20 * 1024

# (element id, form data, days after the previous step): a patient who goes all the way with detoxification.
STEPS = TSB_JOURNEY

VARIANTS = ("engine_steady", "engine_cold", "raw")
#: The history walk: the journey up to treatment, then evaluations that continue, one day apart.
OPENING = TSB_JOURNEY[:7]
EVALUATION = ("evaluate_treatment", {"outcome": "continue"}, 1)
#: What the history walk times at each evaluation: the complete (steady, cold), the API's answer to it, and raw
#: SpiffWorkflow's complete + serialise of the same step.
HISTORY_VARIANTS = ("engine_steady", "engine_cold", "detail", "raw")


# ---- raw SpiffWorkflow ---------------------------------------------------------------------------------------

def raw_script_engine() -> PythonScriptEngine:
    """SpiffWorkflow's stock PythonScriptEngine/TaskDataEnvironment, given only the calendar helpers the
    pathway's timer expression calls (`timer_at(add_calendar_days(add_working_days(...)))`): without them the
    model cannot run at all. No allow-list checking - that is part of our engine's cost."""
    helpers = {name: expressions.SAFE_FUNCTIONS[name]
               for name in ("add_working_days", "add_calendar_days", "working_days_between", "timer_at")}
    return PythonScriptEngine(environment=TaskDataEnvironment(helpers))


RAW_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))


@dataclass
class RawPatient:
    workflow: BpmnWorkflow
    fresh_bytes: int
    final_bytes: int = 0


def raw_start(definition, script_engine, referral_received_on: date) -> tuple[BpmnWorkflow, str]:
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=script_engine)
    workflow.task_tree.data.update({
        "referral_received": referral_received_on.isoformat(),
        "setting": SETTING,
        "severity": None,
        "unit": UNIT,
        "rule_set": definition.default_rule_set,
        # what the engine's start puts in the task data too (engine/runtime/start.py)
        "start_route": "referral", "named_municipal_unit": None, "named_municipal_coordinator": None,
    })
    workflow.do_engine_steps()
    return workflow, RAW_SERIALIZER.serialize_json(workflow)


def raw_ready_task_id(workflow: BpmnWorkflow, element: str) -> uuid.UUID:
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        if task.task_spec.name == element:
            return task.id
    raise RuntimeError(f"raw workflow has no ready {element}")


def raw_complete(workflow: BpmnWorkflow, task_id: uuid.UUID, form: dict[str, Any], occurred_on: date) -> str:
    """The timed raw step: complete the task in memory, run the engine, serialise (what a plain app persists)."""
    task = workflow.get_task_from_id(task_id)
    task.data.update(form)
    task.data["occurred_on"] = occurred_on.isoformat()
    task.run()
    workflow.do_engine_steps()
    return RAW_SERIALIZER.serialize_json(workflow)


# ---- our engine ----------------------------------------------------------------------------------------------

def engine_task_id(db: Database, instance_id: str, element: str) -> str:
    with db.reading() as session:
        task_id = session.scalars(select(CoordinatorTask.id).where(
            CoordinatorTask.instance_id == instance_id, CoordinatorTask.status == "open",
            CoordinatorTask.element_id == element)).first()
    if task_id is None:
        raise RuntimeError(f"instance {instance_id} has no open {element}")
    return task_id


def state_bytes(db: Database, instance_id: str) -> int:
    with db.reading() as session:
        return len(session.scalar(select(PathwayInstance.state).where(PathwayInstance.id == instance_id)))


_PROJECTIONS = (MeasuringPointEvent, CoordinatorTask, IndicatorMeasurement, DueTimer)


def _approx_len(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, bool):
        return 1
    if isinstance(value, (int, float)):
        return 8
    if isinstance(value, date):
        return 8 if hasattr(value, "hour") else 4
    return len(str(value).encode("utf-8"))


def row_footprint(db: Database, instance_ids: list[str]) -> dict[str, tuple[float, float]]:
    """Per table: (rows per instance, approximate payload bytes per instance), payload = sum of column values
    (no row headers, no indexes). pathway_instance includes the state column."""
    out: dict[str, tuple[float, float]] = {}
    n = len(instance_ids)
    with db.reading() as session:
        for model in (PathwayInstance, *_PROJECTIONS):
            key = model.id if model is PathwayInstance else model.instance_id
            rows = session.scalars(select(model).where(key.in_(instance_ids))).all()
            columns = [c.key for c in model.__mapper__.column_attrs]
            payload = sum(_approx_len(getattr(row, c)) for row in rows for c in columns)
            out[model.__tablename__] = (len(rows) / n, payload / n)
    return out


def postgres_sizes(db: Database, instance_ids: list[str]) -> dict[str, float]:
    """PostgreSQL's own view: pg_column_size of whole rows (after TOAST compression), per instance."""
    out: dict[str, float] = {}
    n = len(instance_ids)
    with db.reading() as session:
        out["pathway_instance.state (stored, compressed)"] = session.scalar(text(
            "select coalesce(sum(pg_column_size(state)), 0) from pathway_instance where id = any(:ids)"),
            {"ids": instance_ids}) / n
        for table, key in (("pathway_instance", "id"), ("measuring_point_event", "instance_id"),
                           ("coordinator_task", "instance_id"), ("indicator_measurement", "instance_id"),
                           ("due_timer", "instance_id")):
            out[f"{table} rows"] = session.scalar(text(
                f"select coalesce(sum(pg_column_size(t.*)), 0) from {table} t where {key} = any(:ids)"),
                {"ids": instance_ids}) / n
    return out


# ---- the run --------------------------------------------------------------------------------------------------

@dataclass
class Results:
    backend: str
    times: dict[str, list[float]] = field(default_factory=lambda: {v: [] for v in VARIANTS})
    start_times: dict[str, list[float]] = field(default_factory=lambda: {"engine": [], "raw": []})
    per_step: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    cache_hits: int = 0
    cache_misses: int = 0
    engine_fresh_bytes: list[int] = field(default_factory=list)
    engine_final_bytes: list[int] = field(default_factory=list)
    raw_fresh_bytes: list[int] = field(default_factory=list)
    raw_final_bytes: list[int] = field(default_factory=list)
    footprint_fresh: dict[str, tuple[float, float]] = field(default_factory=dict)
    footprint_final: dict[str, tuple[float, float]] = field(default_factory=dict)
    pg_fresh: dict[str, float] = field(default_factory=dict)
    pg_final: dict[str, float] = field(default_factory=dict)
    profiles: dict[str, cProfile.Profile] = field(default_factory=dict)
    #: per evaluation (1, 2, ...): per HISTORY_VARIANTS, the times of the history walk's patients
    history: list[dict[str, list[float]]] = field(default_factory=list)


def run_backend(backend: str, url: str, patients: int, warmup: int, profile: bool,
                history: tuple[int, int] = (0, 0)) -> Results:
    results = Results(backend)
    clock = ManualClock(START_DAY)
    db = Database(url)
    # Timer expressions in the raw workflows see the bench clock too (the engine installs it per command itself).
    with spiff_clock(clock):
        return _run(backend, db, clock, patients, warmup, profile, results, history)


def _run(backend: str, db: Database, clock: ManualClock, patients: int, warmup: int, profile: bool,
         results: Results, history: tuple[int, int]) -> Results:
    try:
        upgrade(db)
        deploy_directory(db, clock, PATHWAYS_DIR)
        steady = PathwayRuntime(db, clock)
        cold = PathwayRuntime(db, clock)
        with db.reading() as session:
            version = session.scalars(select(PathwayVersion).where(
                PathwayVersion.pathway_key == PATHWAY, PathwayVersion.is_current.is_(True))).one()
            definition = load_definition(version.source, version.filename)
        script_engine = raw_script_engine()
        profilers = {v: cProfile.Profile() for v in VARIANTS} if profile else {}

        total = warmup + patients
        steady_ids: list[str] = []
        cold_ids: list[str] = []
        raws: list[RawPatient] = []
        run_id = uuid.uuid4().int % 10**6

        # Start every pathway on day 0 (start is timed too, for information).
        for i in range(total):
            t0 = time.perf_counter()
            steady_ids.append(steady.start_pathway(patient_key=f"S-{run_id:06d}{i:05d}", pathway_key=PATHWAY, unit=UNIT,
                                                   setting=SETTING, referral_received_on=START_DAY, actor=ACTOR))
            t1 = time.perf_counter()
            cold_ids.append(cold.start_pathway(patient_key=f"C-{run_id:06d}{i:05d}", pathway_key=PATHWAY, unit=UNIT,
                                               setting=SETTING, referral_received_on=START_DAY, actor=ACTOR))
            t2 = time.perf_counter()
            workflow, blob = raw_start(definition, script_engine, START_DAY)
            t3 = time.perf_counter()
            raws.append(RawPatient(workflow, len(blob)))
            if i >= warmup:
                results.start_times["engine"].append(t1 - t0)
                results.start_times["raw"].append(t3 - t2)
        measured_steady = steady_ids[warmup:]
        results.engine_fresh_bytes = [state_bytes(db, i) for i in measured_steady]
        results.raw_fresh_bytes = [r.fresh_bytes for r in raws[warmup:]]
        results.footprint_fresh = row_footprint(db, measured_steady)
        if backend == "postgresql":
            results.pg_fresh = postgres_sizes(db, measured_steady)

        day = START_DAY
        for step_no, (element, form, gap) in enumerate(STEPS):
            day += timedelta(days=gap)
            clock.set(day)
            step_key = f"{step_no + 1:2d} {element}"
            results.per_step[step_key] = {v: [] for v in VARIANTS}
            for i in range(total):
                # Look-ups outside the timed region.
                steady_task = engine_task_id(db, steady_ids[i], element)
                cold_task = engine_task_id(db, cold_ids[i], element)
                raw = raws[i]
                raw_task = raw_ready_task_id(raw.workflow, element)
                calls: list[tuple[str, Callable[[], Any]]] = [
                    ("engine_steady", lambda: steady.complete_task(steady_task, data=form, occurred_on=day, actor=ACTOR)),
                    ("engine_cold", lambda: cold.complete_task(cold_task, data=form, occurred_on=day, actor=ACTOR)),
                    ("raw", lambda: raw_complete(raw.workflow, raw_task, form, day)),
                ]
                rotation = i % len(calls)
                for variant, call in calls[rotation:] + calls[:rotation]:
                    if variant == "engine_cold":
                        cold.clear_live_cache()  # outside the timed region: the complete must load from the row
                    prof = profilers.get(variant)
                    if prof:
                        prof.enable()
                    t0 = time.perf_counter()
                    value = call()
                    elapsed = time.perf_counter() - t0
                    if prof:
                        prof.disable()
                    if i >= warmup:
                        results.times[variant].append(elapsed)
                        results.per_step[step_key][variant].append(elapsed)
                    if variant == "raw" and step_no == len(STEPS) - 1:
                        raw.final_bytes = len(value)

        # Sanity: every copy finished the pathway.
        with db.reading() as session:
            statuses = set(session.scalars(select(PathwayInstance.status).where(
                PathwayInstance.id.in_(steady_ids + cold_ids))))
        if statuses != {"completed"} or not all(r.workflow.is_completed() for r in raws):
            raise RuntimeError(f"not every pathway completed: engine {statuses}, "
                               f"raw {sum(r.workflow.is_completed() for r in raws)}/{len(raws)}")
        results.cache_hits, results.cache_misses = steady.cache_stats()
        results.engine_final_bytes = [state_bytes(db, i) for i in measured_steady]
        results.raw_final_bytes = [r.final_bytes for r in raws[warmup:]]
        results.footprint_final = row_footprint(db, measured_steady)
        if backend == "postgresql":
            results.pg_final = postgres_sizes(db, measured_steady)
        results.profiles = profilers
        if history[0] and history[1]:
            results.history = run_history(db, clock, steady, cold, definition, script_engine, *history)
        return results
    finally:
        db.dispose()


def run_history(db: Database, clock: ManualClock, steady: PathwayRuntime, cold: PathwayRuntime, definition,
                script_engine, patients: int, evaluations: int) -> list[dict[str, list[float]]]:
    """Walk `patients` pathways (a steady and a cold copy each, and a raw SpiffWorkflow one) up to treatment,
    untimed, then `evaluations` evaluations that continue, in lock step; per evaluation the times of its
    complete_task (steady, cold), of the instance detail after it (what the API answers the completion with) and
    of raw SpiffWorkflow's complete + serialise of the same step (its own growth with the task tree)."""
    run_id = uuid.uuid4().int % 10**6
    day = steady.today()
    pairs = [tuple(runtime.start_pathway(patient_key=f"{prefix}-{run_id:06d}{i:05d}", pathway_key=PATHWAY,
                                         unit=UNIT, setting=SETTING, referral_received_on=day, actor=ACTOR)
                   for prefix, runtime in (("HS", steady), ("HC", cold)))
             for i in range(patients)]
    raws = [raw_start(definition, script_engine, day)[0] for _ in range(patients)]
    timed: list[dict[str, list[float]]] = []
    for step_no in range(len(OPENING) + evaluations):
        element, form, gap = OPENING[step_no] if step_no < len(OPENING) else EVALUATION
        day += timedelta(days=gap)
        clock.set(day)
        times: dict[str, list[float]] = {v: [] for v in HISTORY_VARIANTS}
        for (steady_id, cold_id), raw in zip(pairs, raws):
            steady_task = engine_task_id(db, steady_id, element)
            cold_task = engine_task_id(db, cold_id, element)
            raw_task = raw_ready_task_id(raw, element)
            cold.clear_live_cache()
            t0 = time.perf_counter()
            steady.complete_task(steady_task, data=form, occurred_on=day, actor=ACTOR)
            t1 = time.perf_counter()
            instance_detail(db, steady_id, steady.today())
            t2 = time.perf_counter()
            cold.complete_task(cold_task, data=form, occurred_on=day, actor=ACTOR)
            t3 = time.perf_counter()
            raw_complete(raw, raw_task, form, day)
            t4 = time.perf_counter()
            times["raw"].append(t4 - t3)
            times["engine_steady"].append(t1 - t0)
            times["detail"].append(t2 - t1)
            times["engine_cold"].append(t3 - t2)
        if step_no >= len(OPENING):
            timed.append(times)
    return timed


# ---- databases ------------------------------------------------------------------------------------------------

def sqlite_run(patients: int, warmup: int, profile: bool, history: tuple[int, int]) -> Results:
    with tempfile.TemporaryDirectory(prefix="bench_engine_") as tmp:
        return run_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", patients, warmup, profile, history)


def postgres_run(patients: int, warmup: int, profile: bool, history: tuple[int, int]) -> Results | str:
    schema = f"bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = create_engine(POSTGRES_BASE)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        return f"PostgreSQL not reachable at {POSTGRES_BASE}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    try:
        separator = "&" if "?" in POSTGRES_BASE else "?"
        url = f"{POSTGRES_BASE}{separator}options={quote(f'-csearch_path={schema}')}"
        return run_backend("postgresql", url, patients, warmup, profile, history)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


# ---- report ---------------------------------------------------------------------------------------------------

def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.3f}"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def kb(n: float) -> str:
    return f"{n / 1024:7.1f} KB"


def report(results: Results, patients: int) -> list[str]:
    verdicts: list[str] = []
    b = results.backend
    raw = results.times["raw"]
    raw_mean, raw_median = statistics.fmean(raw), statistics.median(raw)
    print(f"\n=== {b}: {patients} patients x {len(STEPS)} steps = {len(raw)} timed completes per variant ===")
    print(f"{'variant':<16}{'n':>6}{'mean ms':>10}{'median ms':>11}{'p95 ms':>10}{'total s':>9}"
          f"{'ratio(mean)':>13}{'ratio(median)':>15}")
    for variant in VARIANTS:
        values = results.times[variant]
        mean, median = statistics.fmean(values), statistics.median(values)
        print(f"{variant:<16}{len(values):>6}{ms(mean):>10}{ms(median):>11}{ms(pct(values, 0.95)):>10}"
              f"{sum(values):>9.2f}{mean / raw_mean:>13.2f}{median / raw_median:>15.2f}")
    hits, misses = results.cache_hits, results.cache_misses
    print(f"engine_steady live-workflow cache: {hits} hits, {misses} misses "
          f"({100 * hits / max(1, hits + misses):.1f}% hits; includes warm-up patients)"
          f"{'  <- more patients in flight than the cache holds' if misses else ''}")

    print(f"\nper step, mean ms ({b}):")
    print(f"  {'step':<30}{'steady':>9}{'cold':>9}{'raw':>9}{'steady/raw':>12}")
    for step, by_variant in results.per_step.items():
        s, c, r = (statistics.fmean(by_variant[v]) for v in VARIANTS)
        print(f"  {step:<30}{ms(s):>9}{ms(c):>9}{ms(r):>9}{s / r:>12.2f}")

    es, rs = results.start_times["engine"], results.start_times["raw"]
    print(f"\nstart (info): engine start_pathway mean {ms(statistics.fmean(es)).strip()} ms, raw start+serialize "
          f"mean {ms(statistics.fmean(rs)).strip()} ms, ratio {statistics.fmean(es) / statistics.fmean(rs):.2f}")

    print(f"\nstored bytes per instance ({b}), median over {len(results.engine_fresh_bytes)} instances:")
    print(f"  engine pathway_instance.state, fresh      {kb(statistics.median(results.engine_fresh_bytes))}"
          f"  (max {kb(max(results.engine_fresh_bytes)).strip()})")
    print(f"  engine pathway_instance.state, completed  {kb(statistics.median(results.engine_final_bytes))}"
          f"  (max {kb(max(results.engine_final_bytes)).strip()})")
    print(f"  raw serialize_json (with spec), fresh     {kb(statistics.median(results.raw_fresh_bytes))}")
    print(f"  raw serialize_json (with spec), completed {kb(statistics.median(results.raw_final_bytes))}")
    print("  row payload per instance (approx. sum of column values; no row headers or indexes):")
    print(f"    {'table':<24}{'rows fresh':>11}{'bytes fresh':>13}{'rows done':>11}{'bytes done':>12}")
    total_fresh = total_final = 0.0
    for table, (rows_fresh, bytes_fresh) in results.footprint_fresh.items():
        rows_final, bytes_final = results.footprint_final[table]
        total_fresh += bytes_fresh
        total_final += bytes_final
        print(f"    {table:<24}{rows_fresh:>11.1f}{bytes_fresh:>13.0f}{rows_final:>11.1f}{bytes_final:>12.0f}")
    print(f"    {'total':<24}{'':>11}{total_fresh:>13.0f}{'':>11}{total_final:>12.0f}")
    if results.pg_fresh:
        print("  PostgreSQL pg_column_size per instance (after TOAST compression):")
        for key, value in results.pg_fresh.items():
            print(f"    {key:<46} fresh {value:>8.0f} B   completed {results.pg_final[key]:>8.0f} B")

    steady_ratio = statistics.fmean(results.times["engine_steady"]) / raw_mean
    steady_median_ratio = statistics.median(results.times["engine_steady"]) / raw_median
    cold_ratio = statistics.fmean(results.times["engine_cold"]) / raw_mean
    fresh = statistics.median(results.engine_fresh_bytes)
    cold_median_ratio = statistics.median(results.times["engine_cold"]) / raw_median
    for name, ratio, median_ratio, target in (("steady", steady_ratio, steady_median_ratio, STEADY_TARGET),
                                              ("cold load", cold_ratio, cold_median_ratio, COLD_TARGET)):
        verdicts.append(f"ratio {b} {name}: {ratio:.2f} (target <= {target:g}) {'OK' if ratio <= target else 'FAIL'}"
                        f"   [median-based {median_ratio:.2f}]")
    verdicts.append(f"stored bytes {b} fresh instance: {fresh / 1024:.1f} KB state "
                    f"(target < {FRESH_BYTES_TARGET // 1024} KB) {'OK' if fresh < FRESH_BYTES_TARGET else 'FAIL'}"
                    f"   [+ ~{(total_fresh - results.footprint_fresh['pathway_instance'][1]) / 1024:.1f} KB "
                    f"projection rows]")
    if results.history:
        verdicts.extend(report_history(results))
    return verdicts


def report_history(results: Results) -> list[str]:
    """Cost per completion along the pathway's history: the 1st evaluation against the last."""
    b, history = results.backend, results.history
    patients = len(history[0]["engine_steady"])
    print(f"\nhistory ({b}): {patients} patients, evaluations that continue after the journey up to treatment; "
          f"mean ms at the n-th evaluation")
    print(f"  {'evaluation':<12}" + "".join(f"{v:>15}" for v in HISTORY_VARIANTS))
    shown = sorted({1, 2, 5, 10, 20, 50, 100, len(history)} & set(range(1, len(history) + 1)))
    for n in shown:
        print(f"  {n:<12}" + "".join(f"{ms(statistics.fmean(history[n - 1][v])):>15}" for v in HISTORY_VARIANTS))
    first, last = history[0], history[-1]
    growth = "   ".join(f"{v} {statistics.fmean(last[v]) / statistics.fmean(first[v]):.2f} "
                        f"[median-based {statistics.median(last[v]) / statistics.median(first[v]):.2f}]"
                        for v in HISTORY_VARIANTS)
    return [f"history {b}: mean cost at evaluation {len(history)} / evaluation 1 (goal: no growth, 1.0): {growth}"]


def print_profiles(results: Results, top: int) -> None:
    for variant, prof in results.profiles.items():
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        stats.strip_dirs().sort_stats("cumulative").print_stats(top)
        print(f"\n--- cProfile {results.backend} {variant} (cumulative, top {top}) ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12000])
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        stats.strip_dirs().sort_stats("tottime").print_stats(top)
        print(f"\n--- cProfile {results.backend} {variant} (tottime, top {top}) ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12000])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=200, help="measured patients per backend (default 200)")
    parser.add_argument("--warmup", type=int, default=5, help="extra patients driven but not counted (default 5)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--quick", action="store_true", help="smoke run: 10 patients, 2 warm-up")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the timed regions and print the hotspots (inflates the timings)")
    parser.add_argument("--profile-top", type=int, default=30)
    parser.add_argument("--history-patients", type=int, default=20,
                        help="patients of the history walk (default 20; 0: none)")
    parser.add_argument("--evaluations", type=int, default=20,
                        help="evaluations each history patient goes through (default 20)")
    args = parser.parse_args(argv)
    if args.quick:
        args.patients, args.warmup = min(args.patients, 10), min(args.warmup, 2)
        args.history_patients, args.evaluations = min(args.history_patients, 3), min(args.evaluations, 5)
    if args.patients < 1 or args.warmup < 0:
        parser.error("--patients must be at least 1 and --warmup not negative")
    if args.history_patients < 0 or args.evaluations < 0:
        parser.error("--history-patients and --evaluations must not be negative")
    history = (args.history_patients, args.evaluations)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")

    import platform

    import SpiffWorkflow
    import sqlalchemy
    print(f"engine overhead benchmark: pathway {PATHWAY}, {args.patients} patients (+{args.warmup} warm-up), "
          f"{len(STEPS)} completes each; Python {platform.python_version()}, SpiffWorkflow "
          f"{getattr(SpiffWorkflow, '__version__', '?')}, SQLAlchemy {sqlalchemy.__version__}"
          f"{'; PROFILING (timings inflated)' if args.profile else ''}")
    verdicts: list[str] = []
    all_results: list[Results] = []
    for backend in backends:
        started = time.perf_counter()
        if backend == "sqlite":
            outcome: Results | str = sqlite_run(args.patients, args.warmup, args.profile, history)
        else:
            outcome = postgres_run(args.patients, args.warmup, args.profile, history)
        if isinstance(outcome, str):
            print(f"\n=== {backend}: SKIPPED - {outcome} ===")
            verdicts.append(f"ratio {backend}: skipped ({outcome})")
            continue
        all_results.append(outcome)
        verdicts.extend(report(outcome, args.patients))
        print(f"({backend} run took {time.perf_counter() - started:.1f} s)")
    if args.profile:
        for results in all_results:
            print_profiles(results, args.profile_top)
    print("\n=== summary ===")
    for line in verdicts:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
