"""Is the simulation worth trusting? Calibrate on one window of history, simulate the next, and compare the
predicted share within deadline with what the compliance report says happened, per indicator, unit and tertial.

The simulation's warm-up is the calibration window itself (the pathways referred then are still being evaluated
in the next), and only tertials wholly inside the second window are compared, since the report counts whole
periods. Groups the report suppresses (fewer than 5 pathways) have no actual share and are left out.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from engine.db.database import Database
from engine.reading.compliance import ComplianceRow, compliance
from engine.reading.periods import period_bounds
from engine.simulation.calibrate import calibrate
from engine.simulation.results import ALL_UNITS, deadline_rows
from engine.simulation.runner import BASELINE, Progress, deployed_sources, simulate


@dataclass(frozen=True)
class BacktestRow:
    pathway: str
    indicator: str
    unit: str
    period: str
    predicted: float | None
    predicted_p10: float | None
    predicted_p90: float | None
    actual: float
    actual_denominator: int

    @property
    def error(self) -> float | None:
        """Predicted minus actual, in percentage points."""
        return None if self.predicted is None else 100 * (self.predicted - self.actual)

    @property
    def within_spread(self) -> bool:
        return (self.predicted_p10 is not None and self.predicted_p90 is not None
                and self.predicted_p10 <= self.actual <= self.predicted_p90)


@dataclass(frozen=True)
class Backtest:
    rows: list[BacktestRow]
    notes: list[str]

    @property
    def compared(self) -> list[BacktestRow]:
        return [r for r in self.rows if r.error is not None]

    @property
    def mean_absolute_error(self) -> float | None:
        """Percentage points, each group weighted by its actual denominator."""
        rows = self.compared
        weight = sum(r.actual_denominator for r in rows)
        return sum(abs(r.error or 0) * r.actual_denominator for r in rows) / weight if weight else None

    @property
    def median_error(self) -> float | None:
        errors = [r.error for r in self.compared if r.error is not None]
        return statistics.median(errors) if errors else None

    def lines(self) -> list[str]:
        out = [f"{'pathway':<28}{'indicator':<34}{'unit':<12}{'period':<9}{'predicted %':>12}{'p10-p90 %':>13}"
               f"{'actual %':>10}{'n':>6}{'error pp':>10}"]
        for r in self.rows:
            spread = ("–" if r.predicted_p10 is None or r.predicted_p90 is None
                      else f"{100 * r.predicted_p10:.0f}-{100 * r.predicted_p90:.0f}")
            predicted = "–" if r.predicted is None else f"{100 * r.predicted:.1f}"
            error = "–" if r.error is None else f"{r.error:+.1f}"
            out.append(f"{r.pathway[:27]:<28}{r.indicator[:33]:<34}{r.unit[:11]:<12}{r.period:<9}{predicted:>12}"
                       f"{spread:>13}{100 * r.actual:>10.1f}{r.actual_denominator:>6}{error:>10}")
        mae = self.mean_absolute_error
        inside = sum(r.within_spread for r in self.compared)
        out.append(f"{len(self.compared)} group(s) compared; mean absolute error "
                   f"{'–' if mae is None else f'{mae:.1f}'} percentage points (weighted by n), median error "
                   f"{'–' if self.median_error is None else f'{self.median_error:+.1f}'}; actual within the "
                   f"10th-90th percentile in {inside} of {len(self.compared)}")
        return out + [f"note: {n}" for n in self.notes]


def backtest(db: Database, *, units: list[str], pathways: list[str], start: date, end: date,
             replications: int = 10, seed: int = 1, workers: int = 2, by_unit: bool = True,
             progress: Progress | None = None) -> Backtest:
    """Calibrate on [start, end], simulate the window of the same length after it, compare with the report per
    unit, or with the chosen units added together (`by_unit=False`: bigger groups, fewer suppressed)."""
    length = (end - start).days + 1
    second_start, second_end = end + timedelta(days=1), end + timedelta(days=length)
    weeks = max(1, round(length / 7))
    scenario, notes = calibrate(db, units=units, pathways=pathways, start=start, end=end, simulate_from=second_start,
                                weeks=weeks, warm_up_weeks=weeks)
    runs = simulate(scenario, deployed_sources(db), variants=[], replications=replications, seed=seed,
                    workers=workers, progress=progress)
    predicted = {(r.pathway, r.indicator, r.unit, r.period): r for r in deadline_rows(runs, "tertial", by_unit)
                 if r.variant == BASELINE}
    rows = []
    for actual in _actual(db, units, pathways, second_start, second_end, by_unit):
        if actual.share is None:
            continue
        first, last = period_bounds(_first_day_of(actual.period), "tertial")
        if first < second_start or last > second_end:
            continue  # a tertial the second window only partly covers
        unit = actual.unit or ALL_UNITS
        guess = predicted.get((actual.pathway_key, actual.indicator_key, unit, actual.period))
        rows.append(BacktestRow(actual.pathway_key, actual.indicator_key, unit, actual.period,
                                guess.share_median if guess else None, guess.share_p10 if guess else None,
                                guess.share_p90 if guess else None, actual.share, actual.denominator or 0))
    if not rows:
        notes.append(f"no tertial lies wholly in {second_start} – {second_end} with an unsuppressed actual share")
    return Backtest(rows, notes)


def _actual(db: Database, units: list[str], pathways: list[str], start: date, end: date,
            by_unit: bool) -> list[ComplianceRow]:
    """What the compliance report says of the second window, as of its last day."""
    rows = []
    for pathway in pathways:
        rows += compliance(db, today=end, period="tertial", start=start, end=end, pathway=pathway, units=units,
                           by_unit=by_unit)
    return rows


def _first_day_of(label: str) -> date:
    """The first day of a tertial label such as "2026-T2"."""
    year, part = label.split("-T")
    return date(int(year), 4 * (int(part) - 1) + 1, 1)
