"""What a simulation answers: per pathway, indicator, unit and period the share within deadline over the
replications (median and 10th–90th percentile), and per unit and step the waits and queue lengths; as a table,
CSV or JSON, a baseline and its variants side by side.

Each replication is counted as the compliance report counts (engine/reading/compliance.py, UNCONFIRMED rule):
numerator = met; denominator = met + breached + still overdue on the last simulated day without a patient
deferral; patient-deferred overruns apart; a closed deadline in the period of its end date, an overdue one in
that of its due date; cancelled ones and those not yet due nowhere. Only periods from the scenario's `start` on
count (the warm-up weeks fill the queues, they are not reported).
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Iterable

from engine.deadlines.rules import status_on
from engine.reading.periods import period_of
from engine.simulation.model import Replication
from engine.statuses import DeadlineStatus

#: Index of each count in a deadline tally.
MET, BREACHED, OVERDUE, DEFERRED = range(4)
#: The compliance report's goal where an indicator declares no target (engine/reading/compliance.py `goal`).
DEFAULT_TARGET = 0.8


@dataclass
class ReplicationCounts:
    """What one replication made, small enough to send back from a worker process."""

    variant: str
    seed: int
    #: (pathway, indicator, unit, day the row counts on) -> [met, breached, overdue, deferred]
    deadlines: dict[tuple[str, str, str, date], list[int]] = field(default_factory=dict)
    #: (pathway, indicator) -> (label, target share or None)
    indicators: dict[tuple[str, str], tuple[str, float | None]] = field(default_factory=dict)
    #: (unit, step) -> waits (days, from opening to registration), slot waits, daily queue lengths, no-shows, deferrals
    steps: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    pathways: int = 0
    completions: int = 0
    stalled: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def count_replication(replication: Replication, variant: str, seconds: float) -> ReplicationCounts:
    counts = ReplicationCounts(variant, replication.seed, seconds=seconds)
    today, start = replication.last_day, replication.scenario.start
    tally: dict[tuple[str, str, str, date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for stream, pathway in replication.pathways:
        counts.pathways += 1
        counts.completions += pathway.completions
        counts.stalled += pathway.stalled
        if pathway.error:
            counts.errors[pathway.error] = counts.errors.get(pathway.error, 0) + 1
        for row in pathway.rows:
            counts.indicators.setdefault((stream.pathway, row.indicator_key), (row.label, row.target_share))
            where = _counted(row.status, row.due_on, row.end_on, row.deferral_registered, today)
            if where is not None and where[1] >= start:
                tally[(stream.pathway, row.indicator_key, stream.unit, where[1])][where[0]] += 1
    counts.deadlines = dict(tally)
    for key, log in replication.steps.items():
        counts.steps[key] = {"waits": log.waits, "slot_waits": log.slot_waits, "queue": log.queue_samples,
                             "no_shows": log.no_shows, "deferrals": log.deferrals}
    return counts


def _counted(status: str, due_on: date, end_on: date | None, deferred: bool, today: date) -> tuple[int, date] | None:
    """(which count, the day whose period it counts in) of one measurement, as the compliance report counts it."""
    if status == DeadlineStatus.MET and end_on:
        return MET, end_on
    if status == DeadlineStatus.BREACHED and end_on:
        return BREACHED, end_on
    if status == DeadlineStatus.DEFERRED and end_on:
        return DEFERRED, end_on
    if status_on(status, due_on, today) == DeadlineStatus.OVERDUE:
        return (DEFERRED if deferred else OVERDUE), due_on
    return None


@dataclass(frozen=True)
class ResultRow:
    variant: str
    pathway: str
    indicator: str
    label: str
    unit: str
    period: str
    target: float
    share_median: float | None
    share_p10: float | None
    share_p90: float | None
    denominator_median: float
    #: replications with a denominator in this group (the share is over these)
    replications: int


@dataclass(frozen=True)
class StepRow:
    variant: str
    unit: str
    step: str
    registrations_median: float
    wait_days_median: float | None
    wait_days_p90: float | None
    slot_wait_days_median: float | None
    queue_mean: float | None
    queue_max: float | None
    no_shows_median: float
    deferrals_median: float


def quantile(values: list[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (numpy's default): q=0.5 the median."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


#: The unit of a row that adds every unit together (`by_unit=False`).
ALL_UNITS = "(all units)"


def deadline_rows(runs: list[ReplicationCounts], period: str = "tertial", by_unit: bool = True) -> list[ResultRow]:
    """One row per variant, pathway, indicator, unit (or all units together) and period, over the variant's
    replications."""
    grouped: dict[tuple[str, str, str, str, str], dict[int, list[int]]] = defaultdict(dict)
    labels: dict[tuple[str, str], tuple[str, float | None]] = {}
    for index, run in enumerate(runs):
        labels.update(run.indicators)
        for (pathway, indicator, unit, day), tally in run.deadlines.items():
            per_run = grouped[(run.variant, pathway, indicator, unit if by_unit else ALL_UNITS, period_of(day, period))]
            summed = per_run.setdefault(index, [0, 0, 0, 0])
            for i, n in enumerate(tally):
                summed[i] += n
    replications = defaultdict(int)
    for run in runs:
        replications[run.variant] += 1
    rows = []
    for (variant, pathway, indicator, unit, label), per_run in sorted(grouped.items(), key=_row_order(runs)):
        shares, denominators = [], []
        for tally in per_run.values():
            denominator = tally[MET] + tally[BREACHED] + tally[OVERDUE]
            denominators.append(denominator)
            if denominator:
                shares.append(tally[MET] / denominator)
        denominators += [0] * (replications[variant] - len(per_run))
        name, target = labels.get((pathway, indicator), (indicator, None))
        rows.append(ResultRow(variant, pathway, indicator, name, unit, label,
                              target if target is not None else DEFAULT_TARGET, quantile(shares, 0.5),
                              quantile(shares, 0.1), quantile(shares, 0.9), quantile(denominators, 0.5) or 0.0,
                              len(shares)))
    return rows


def _row_order(runs: list[ReplicationCounts]):
    variants = list(dict.fromkeys(run.variant for run in runs))
    return lambda item: (item[0][1], item[0][2], item[0][3], item[0][4], variants.index(item[0][0]))


def step_rows(runs: list[ReplicationCounts]) -> list[StepRow]:
    per: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        for (unit, step), log in run.steps.items():
            per[(run.variant, unit, step)].append(log)
    variants = list(dict.fromkeys(run.variant for run in runs))
    rows = []
    for (variant, unit, step), logs in sorted(per.items(), key=lambda i: (i[0][1], i[0][2], variants.index(i[0][0]))):
        def median_of(values: Iterable[float | None]) -> float | None:
            return quantile([v for v in values if v is not None], 0.5)

        queues = [log["queue"] for log in logs if log["queue"]]
        rows.append(StepRow(
            variant, unit, step, median_of(len(log["waits"]) for log in logs) or 0.0,
            median_of(quantile(log["waits"], 0.5) for log in logs),
            median_of(quantile(log["waits"], 0.9) for log in logs),
            median_of(quantile(log["slot_waits"], 0.5) for log in logs),
            median_of(statistics.fmean(q) for q in queues) if queues else None,
            median_of(max(q) for q in queues) if queues else None,
            median_of(log["no_shows"] for log in logs) or 0.0, median_of(log["deferrals"] for log in logs) or 0.0))
    return rows


# ---- output -----------------------------------------------------------------------------------------------------

def _pct(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.1f}"


def table_lines(rows: list[ResultRow], steps: list[StepRow]) -> list[str]:
    lines = [f"{'pathway':<28}{'indicator':<36}{'unit':<14}{'period':<9}{'variant':<20}{'median %':>9}"
             f"{'p10 %':>7}{'p90 %':>7}{'target':>7}{'n':>7}"]
    for r in rows:
        lines.append(f"{r.pathway[:27]:<28}{r.indicator[:35]:<36}{r.unit[:13]:<14}{r.period:<9}{r.variant[:19]:<20}"
                     f"{_pct(r.share_median):>9}{_pct(r.share_p10):>7}{_pct(r.share_p90):>7}"
                     f"{100 * r.target:>6.0f}%{r.denominator_median:>7.0f}")
    lines.append("")
    lines.append(f"{'unit':<14}{'step':<34}{'variant':<20}{'done':>7}{'wait d':>8}{'p90 d':>7}{'slot d':>8}"
                 f"{'queue':>7}{'max q':>7}")
    for s in steps:
        def num(value: float | None, digits: int = 1) -> str:
            return "–" if value is None else f"{value:.{digits}f}"

        lines.append(f"{s.unit[:13]:<14}{s.step[:33]:<34}{s.variant[:19]:<20}{s.registrations_median:>7.0f}"
                     f"{num(s.wait_days_median):>8}{num(s.wait_days_p90):>7}{num(s.slot_wait_days_median):>8}"
                     f"{num(s.queue_mean):>7}{num(s.queue_max, 0):>7}")
    return lines


def to_csv(rows: list[ResultRow]) -> str:
    out = io.StringIO()
    names = list(ResultRow.__dataclass_fields__)
    writer = csv.DictWriter(out, names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(asdict(row))
    return out.getvalue()


def to_json(rows: list[ResultRow], steps: list[StepRow], runs: list[ReplicationCounts]) -> str:
    return json.dumps({"deadlines": [asdict(r) for r in rows], "steps": [asdict(s) for s in steps],
                       "replications": [{"variant": r.variant, "seed": r.seed, "pathways": r.pathways,
                                         "completions": r.completions, "stalled": r.stalled, "errors": r.errors,
                                         "seconds": round(r.seconds, 3)} for r in runs]},
                      ensure_ascii=False, indent=1)
