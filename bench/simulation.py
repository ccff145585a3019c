"""What-if simulation benchmark: one unit-year (about 2,000 pathways) x 10 replications on 2 processes.

Prints, from one run:

* wall time of the whole simulation (goal: under 3 minutes on 2 cores) and simulated pathways per second;
* the cost per simulated step (a replication's time in its worker, SimPy and measurement included, divided by
  the task completions it made) divided by raw SpiffWorkflow's complete-task cost, measured in the same run the
  way bench/engine_overhead.py measures it (`raw_complete`: `task.run()`, `do_engine_steps()` and serialising
  the workflow, as a plain SpiffWorkflow app persists it), and against the same step without the serialising
  (the simulation keeps its workflows in memory, so this is the like-for-like figure).

Run:  python bench/simulation.py [--replications 10] [--workers 2] [--raw-patients 100] [--weeks 52]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.engine_overhead import (  # noqa: E402
    PATHWAY,
    START_DAY,
    STEPS,
    raw_complete,
    raw_ready_task_id,
    raw_script_engine,
    raw_start,
)
from engine.clock import ManualClock, spiff_clock  # noqa: E402
from engine.simulation import results  # noqa: E402
from engine.simulation.runner import definitions, directory_sources, simulate  # noqa: E402
from engine.simulation.scenario import load_scenario  # noqa: E402

GOAL_SECONDS = 180
#: One adult unit's year: about 38 referrals a week over six specialist pathways, the first attendances and
#: evaluations limited by staff, delays that mostly meet the deadlines.
UNIT_YEAR = """
name = "Benchmark: DPS Nord, one year"
start = 2026-01-05
weeks = {weeks}

[[streams]]
pathway = "mental_health_adults_d11"
unit = "DPS Nord"
referrals_per_week = 15
inpatient_share = 0.2
municipal_named_share = 0.4

[[streams]]
pathway = "tsb_d01"
unit = "DPS Nord"
referrals_per_week = 14
inpatient_share = 0.15
municipal_named_share = 0.4

[[streams]]
pathway = "psychosis"
unit = "DPS Nord"
referrals_per_week = 3

[[streams]]
pathway = "ocd"
unit = "DPS Nord"
referrals_per_week = 3

[[streams]]
pathway = "pregnant_women_substances"
unit = "DPS Nord"
referrals_per_week = 1

[[streams]]
pathway = "eating_disorders_children"
unit = "DPS Nord"
referrals_per_week = 2

[steps.default]
delay = {{ distribution = "lognormal", mean = 4, sd = 3 }}
delay_to_due = {{ distribution = "uniform", low = 0.2, high = 1.1 }}

[steps.first_attendance]
delay = {{ distribution = "lognormal", mean = 6, sd = 4 }}
no_show_share = 0.05
deferral_share = 0.04

[[capacity]]
unit = "DPS Nord"
step = "first_attendance"
per_week = 42

[[capacity]]
unit = "DPS Nord"
step = "evaluate_treatment"
per_week = 160
"""


def raw_costs(patients: int) -> tuple[float, float]:
    """Mean seconds per complete of raw SpiffWorkflow: (with serialising, as engine_overhead.py; without)."""
    definition = definitions(directory_sources(ROOT / "pathways"))[PATHWAY]
    engine = raw_script_engine()
    clock = ManualClock(START_DAY)
    with_serialise: list[float] = []
    in_memory: list[float] = []
    with spiff_clock(clock):  # the pathway's timer expressions read the bench clock
        for timed in (with_serialise, in_memory):
            for _ in range(patients):
                workflow, _ = raw_start(definition, engine, START_DAY)
                day = START_DAY
                for element, form, gap in STEPS:
                    day += timedelta(days=gap)
                    clock.set(day)
                    task_id = raw_ready_task_id(workflow, element)
                    started = time.perf_counter()
                    if timed is with_serialise:
                        raw_complete(workflow, task_id, form, day)
                    else:
                        _raw_complete_in_memory(workflow, task_id, form, day)
                    timed.append(time.perf_counter() - started)
    return statistics.fmean(with_serialise), statistics.fmean(in_memory)


def _raw_complete_in_memory(workflow, task_id, form, day) -> None:
    task = workflow.get_task_from_id(task_id)
    task.data.update(form)
    task.data["occurred_on"] = day.isoformat()
    task.run()
    workflow.do_engine_steps()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--raw-patients", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args(argv)

    raw_serialised, raw_memory = raw_costs(args.raw_patients)
    print(f"raw SpiffWorkflow complete ({PATHWAY}, {args.raw_patients} patients x {len(STEPS)} steps): "
          f"{1000 * raw_serialised:.2f} ms with serialising (engine_overhead.py's raw), "
          f"{1000 * raw_memory:.2f} ms in memory")

    scenario = load_scenario(UNIT_YEAR.format(weeks=args.weeks))
    sources = directory_sources(ROOT / "pathways")
    started = time.perf_counter()
    runs = simulate(scenario, sources, variants=[], replications=args.replications, seed=1, workers=args.workers)
    wall = time.perf_counter() - started

    pathways = sum(r.pathways for r in runs)
    completions = sum(r.completions for r in runs)
    busy = sum(r.seconds for r in runs)
    per_step = busy / completions
    errors = sum(sum(r.errors.values()) for r in runs)
    print(f"simulation: {args.replications} replications x ~{pathways // len(runs)} pathways "
          f"({completions // len(runs)} task completions each) on {args.workers} processes")
    print(f"  wall {wall:.1f} s (goal < {GOAL_SECONDS} s: {'met' if wall < GOAL_SECONDS else 'NOT met'}); "
          f"{pathways / wall:.0f} simulated pathways per second; {busy / len(runs):.1f} s per replication")
    print(f"  cost per simulated step {1000 * per_step:.2f} ms = {per_step / raw_serialised:.2f} x raw complete "
          f"with serialising, {per_step / raw_memory:.2f} x raw complete in memory")
    print(f"  stalled pathways {sum(r.stalled for r in runs)}, stopped by an engine error {errors}")
    rows = [r for r in results.deadline_rows(runs) if r.share_median is not None and r.denominator_median >= 20]
    for row in rows[:8]:
        print(f"  {row.pathway:<26} {row.indicator:<32} {row.period}  {100 * row.share_median:5.1f} % "
              f"({100 * (row.share_p10 or 0):.0f}-{100 * (row.share_p90 or 0):.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
