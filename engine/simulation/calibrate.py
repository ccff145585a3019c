"""A scenario estimated from history: the registered measuring points of chosen units and pathways in a window.

Only reads. What is estimated, per unit and pathway (a stream) unless said otherwise:

- **referrals per week**: pathways whose referral was received in the window, per week of it; the inpatient share,
  the severity mix and the share naming a municipal pathway coordinator of those pathways;
- **step delays** (per step, all streams together): days from a task opening to the date registered for it
  (coordinator tasks created in the window and completed), as their observed percentiles (`empirical`); for the
  tasks that had a due date, the delay as a share of the days from opening to it (`delay_to_due`), since the
  coordinators work to the due date on their worklist (a first evaluation due in 7 days is not done on the 36
  days an evaluation takes on average);
- **capacity** of the steps that need a clinician's time (`CAPACITY_STEPS`) per unit: the most registrations of
  the step in one week of the window, what the unit has shown it can do. UNCONFIRMED as a model of staff: the
  history holds no rota;
- **patient-deferred share** per step: patient-deferred registrations whose next registration is that step, per
  registration of the step, and the median length of the deferral;
- **outcome shares** per task: the registered outcomes (e.g. the clinical decision's CT/CP/CU).

Not in the history, so left at the scenario's defaults and said so in the file: no-shows (a no-show is not
registered), the share of patients under 23 (the age is in the saved form data only).
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select

from engine.clock import OSLO
from engine.db.database import Database
from engine.db.models import CoordinatorTask, MeasuringPointEvent, PathwayInstance
from engine.deadlines.calendar import working_days_between
from engine.deadlines.indicators import PATIENT_DEFERRED
from engine.errors import ErrorCode, InvalidInput
from engine.reading.periods import check_date, check_range
from engine.simulation.results import quantile
from engine.simulation.scenario import MIN_DEFERRAL_WORKING_DAYS, Scenario, load_scenario
from engine.statuses import TaskStatus

#: Steps whose weekly registrations are bounded by staff: the first attendance and the evaluations.
CAPACITY_STEPS = ("first_attendance", "evaluate_treatment")
#: The measuring point of a referral that names the municipal pathway coordinator (pathways/README.md).
MUNICIPAL_NAMED = "municipal_coordinator_named"
#: Fewer observations than this leave a value at its default: a share or a spread of two cases is noise.
MIN_OBSERVATIONS = 5
#: The longest window calibrated in one go.
MAX_WINDOW_DAYS = 3 * 366


def calibrate(db: Database, *, units: list[str], pathways: list[str], start: date, end: date,
              simulate_from: date | None = None, weeks: int = 52, warm_up_weeks: int = 8) -> tuple[Scenario, list[str]]:
    """The scenario and the notes on what could not be estimated. The scenario simulates `weeks` from
    `simulate_from` (default: the day after the window)."""
    _check(units, pathways, start, end)
    with db.reading() as session:
        instances = session.execute(
            select(PathwayInstance.id, PathwayInstance.pathway_key, PathwayInstance.unit, PathwayInstance.setting,
                   PathwayInstance.severity)
            .where(PathwayInstance.unit.in_(units), PathwayInstance.pathway_key.in_(pathways),
                   PathwayInstance.referral_received_on >= start, PathwayInstance.referral_received_on <= end)).all()
        ids = [row.id for row in instances]
        events = _events(session, ids)
        tasks = session.execute(
            select(CoordinatorTask.id, CoordinatorTask.unit, CoordinatorTask.element_id, CoordinatorTask.created_at,
                   CoordinatorTask.completed_at, CoordinatorTask.due_on)
            .where(CoordinatorTask.unit.in_(units), CoordinatorTask.pathway_key.in_(pathways),
                   CoordinatorTask.status == TaskStatus.COMPLETED,
                   CoordinatorTask.created_at >= _midnight(start),
                   CoordinatorTask.created_at < _midnight(end + timedelta(days=1)))).all()
    notes: list[str] = []
    named = {e["instance_id"] for e in events if e["code"] == MUNICIPAL_NAMED}
    streams = _streams(instances, named, (end - start).days + 1, notes)
    if not streams:
        raise InvalidInput(ErrorCode.SCENARIO_INVALID, f"no pathway of {', '.join(pathways)} in {', '.join(units)} "
                           f"had its referral received from {start} to {end}: nothing to calibrate from")
    occurred = {e["task_id"]: e["occurred_on"] for e in events if e["task_id"]}
    data: dict[str, Any] = {
        "name": f"Kalibrert fra {start} til {end}: {', '.join(units)}",
        "start": simulate_from or end + timedelta(days=1), "weeks": weeks, "warm_up_weeks": warm_up_weeks,
        "streams": streams,
        "steps": _steps(tasks, occurred, events, start, end),
        "capacity": _capacity(events, {row.id: row.unit for row in instances}, start, end),
        "outcomes": _outcomes(events),
        "variants": {"capacity_minus_20": {"capacity_factor": 0.8}, "referrals_plus_15": {"referral_factor": 1.15}},
    }
    notes.append("no_show_share is not estimated: a no-show is not registered in the engine")
    notes.append("under_23_share is not estimated: the age is in the saved form data only")
    return load_scenario(to_toml(data)), notes


def _midnight(day: date) -> datetime:
    """The first instant of a day in Norway, in UTC (the tasks' `created_at`)."""
    return datetime.combine(day, time(0), OSLO).astimezone(timezone.utc)


def _check(units: list[str], pathways: list[str], start: date, end: date) -> None:
    check_date("from", start)
    check_date("to", end)
    check_range(start, end)
    if (end - start).days > MAX_WINDOW_DAYS:
        raise InvalidInput(ErrorCode.RANGE_TOO_LONG, f"a calibration window is at most {MAX_WINDOW_DAYS} days")
    if not units or not pathways:
        raise InvalidInput(ErrorCode.UNITS_INVALID, "name at least one unit and one pathway")


def _events(session: Any, ids: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    event = MeasuringPointEvent
    for chunk in range(0, len(ids), 500):  # bounded IN lists
        rows += [dict(r._mapping) for r in session.execute(
            select(event.instance_id, event.code, event.outcome, event.occurred_on, event.element_id, event.task_id,
                   event.deferred_until, event.id)
            .where(event.instance_id.in_(ids[chunk:chunk + 500]), event.undone_at.is_(None))).all()]
    return sorted(rows, key=lambda r: (r["instance_id"], r["occurred_on"], r["id"]))


def _streams(instances: list[Any], named: set[str], days: int, notes: list[str]) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in instances:
        grouped[(row.pathway_key, row.unit)].append(row)
    streams = []
    for (pathway, unit), rows in sorted(grouped.items()):
        stream: dict[str, Any] = {"pathway": pathway, "unit": unit,
                                  "referrals_per_week": round(len(rows) * 7 / days, 3),
                                  "inpatient_share": round(sum(r.setting == "inpatient" for r in rows) / len(rows), 3),
                                  "municipal_named_share": round(sum(r.id in named for r in rows) / len(rows), 3)}
        severities = Counter(r.severity or "none" for r in rows)
        if set(severities) != {"none"}:
            stream["severity"] = dict(sorted(severities.items()))
        if len(rows) < MIN_OBSERVATIONS:
            notes.append(f"{pathway} in {unit}: only {len(rows)} referral(s) in the window")
        streams.append(stream)
    return streams


def _empirical(values: list[float]) -> dict[str, Any]:
    """The observed days as their 0th to 100th percentile: a late tail (a waiting list) is kept as it was, which a
    fitted lognormal would smooth away."""
    if min(values) == max(values):
        return {"distribution": "fixed", "value": round(values[0], 2)}
    points = [round(quantile(values, q / 100) or 0.0, 2) for q in range(101)]
    return {"distribution": "empirical", "values": points}


def _steps(tasks: list[Any], occurred: dict[str, date], events: list[dict[str, Any]], start: date,
           end: date) -> dict[str, Any]:
    delays: dict[str, list[float]] = defaultdict(list)  # the openings without a due date
    every: dict[str, list[float]] = defaultdict(list)
    to_due: dict[str, list[float]] = defaultdict(list)
    for task in tasks:
        opened = task.created_at.astimezone(OSLO).date()
        if not start <= opened <= end:
            continue
        done = occurred.get(task.id) or (task.completed_at.astimezone(OSLO).date() if task.completed_at else None)
        if done is None or done < opened:
            continue
        every[task.element_id].append(float((done - opened).days))
        if task.due_on is not None and task.due_on >= opened:
            to_due[task.element_id].append((done - opened).days / max(1, (task.due_on - opened).days))
        else:
            delays[task.element_id].append(float((done - opened).days))
    deferred, lengths, registered = _deferrals(events)
    steps: dict[str, Any] = {}
    for element_id in sorted(set(delays) | set(to_due)):
        values, shares = delays[element_id], to_due[element_id]
        if len(every[element_id]) < MIN_OBSERVATIONS:
            continue
        # too few openings without a due date: their delay is read from all the step's openings
        step: dict[str, Any] = {"delay": _empirical(values if len(values) >= MIN_OBSERVATIONS else every[element_id])}
        if len(shares) >= MIN_OBSERVATIONS:
            step["delay_to_due"] = _empirical(shares)
        if registered[element_id] >= MIN_OBSERVATIONS and deferred[element_id]:
            step["deferral_share"] = round(min(1.0, deferred[element_id] / registered[element_id]), 4)
            step["deferral_working_days"] = max(MIN_DEFERRAL_WORKING_DAYS, round(statistics.median(lengths)))
        steps[element_id] = step
    return steps


def _deferrals(events: list[dict[str, Any]]) -> tuple[Counter[str], list[int], Counter[str]]:
    """(deferrals per step they delayed, their lengths in working days, registrations per step)."""
    deferred: Counter[str] = Counter()
    registered: Counter[str] = Counter()
    lengths: list[int] = []
    pending: dict[str, bool] = {}
    for event in events:
        if event["code"] == PATIENT_DEFERRED:
            pending[event["instance_id"]] = True
            if event["deferred_until"]:
                lengths.append(working_days_between(event["occurred_on"], event["deferred_until"]))
            continue
        if event["element_id"]:
            registered[event["element_id"]] += 1
            if pending.pop(event["instance_id"], False):
                deferred[event["element_id"]] += 1
    return deferred, lengths or [10], registered


def _capacity(events: list[dict[str, Any]], unit_of: dict[str, str], start: date,
              end: date) -> list[dict[str, Any]]:
    """Per unit and staffed step the most registrations in one (Monday-based) week of the window."""
    weekly: Counter[tuple[str, str, date]] = Counter()
    for event in events:
        if event["element_id"] in CAPACITY_STEPS and start <= event["occurred_on"] <= end:
            monday = event["occurred_on"] - timedelta(days=event["occurred_on"].weekday())
            weekly[(unit_of[event["instance_id"]], event["element_id"], monday)] += 1
    busiest: dict[tuple[str, str], int] = {}
    totals: Counter[tuple[str, str]] = Counter()
    for (unit, step, _), count in weekly.items():
        busiest[(unit, step)] = max(count, busiest.get((unit, step), 0))
        totals[(unit, step)] += count
    return [{"unit": unit, "step": step, "per_week": float(n)} for (unit, step), n in sorted(busiest.items())
            if totals[(unit, step)] >= MIN_OBSERVATIONS]


def _outcomes(events: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for event in events:
        if event["outcome"] and event["element_id"]:
            counts[f"{event['element_id']}.outcome"][event["outcome"]] += 1
    return {key: dict(sorted(c.items())) for key, c in sorted(counts.items()) if sum(c.values()) >= MIN_OBSERVATIONS}


# ---- writing TOML -----------------------------------------------------------------------------------------------

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("a scenario holds finite numbers only")
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None) + " }"
    raise ValueError(f"cannot write {type(value).__name__} as TOML")


def to_toml(data: dict[str, Any], header: list[str] = ()) -> str:
    """A scenario's fields as a TOML file: scalars first, then one [[table]] per stream and capacity and one
    [table] per step, outcome and variant."""
    lines = [f"# {line}" for line in header]
    tables = {k: v for k, v in data.items() if isinstance(v, (dict, list)) and v and _is_table(v)}
    for key, value in data.items():
        if key not in tables and value is not None and value != {} and value != []:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in tables.items():
        if isinstance(value, list):
            for item in value:
                lines += ["", f"[[{_key(key)}]]"] + [f"{_key(k)} = {_value(v)}" for k, v in item.items()
                                                     if v is not None]
        else:
            for name, item in value.items():
                lines += ["", f"[{_key(key)}.{_key(name)}]"] + [f"{_key(k)} = {_value(v)}" for k, v in item.items()
                                                                if v is not None]
    return "\n".join(lines) + "\n"


def _is_table(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(item, dict) for item in value)
    return all(isinstance(item, dict) for item in value.values())


def scenario_toml(scenario: Scenario, header: list[str] = ()) -> str:
    return to_toml(scenario.model_dump(mode="python", exclude_none=True), header)
