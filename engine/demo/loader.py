"""Demo data for `pathways-server --demo`: the seeded set of engine/demo/seed.py, loaded at start-up.

Loaded only into a database that has no pathway instances yet (never on top of real data): about a thousand
pathways over the last two years in DPS Nord, DPS Sør and BUP Vest, every one made through the engine's own
commands, so the coordinators' task lists and the managers' compliance figures show realistic numbers.
Deterministic: the same seed and day give the same data.

Loading takes a while, once (about 60 s on SQLite on a 2-core machine, longer on PostgreSQL; a progress bar shows
it). For a smaller or larger set, fill the database first with `pathways seed --pathways N`; `--demo` then
finds it non-empty and leaves it as it is.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from sqlalchemy import func, select

from engine.clock import Clock
from engine.db.models import PathwayInstance
from engine.demo.seed import DatabaseNotEmpty, Progress, SeedSummary, has_instances, seed
from engine.runtime import PathwayRuntime

log = logging.getLogger("pathways.demo")

#: The demo set loaded at start-up: pathways, years of referrals back from today, random seed.
DEMO_PATHWAYS = 1000
DEMO_YEARS = 2
DEMO_SEED = 2019

#: A TSB patient who goes all the way, with detoxification: (task element, form data, typical days after the
#: previous step). Walked exactly by the engine-overhead benchmark (bench/engine_overhead.py).
TSB_JOURNEY: tuple[tuple[str, dict[str, Any], int], ...] = (
    ("assess_referral", {"outcome": "right_to_care", "referral_type": "ordinary"}, 6),
    ("first_attendance", {}, 9),
    ("somatic_health_check", {"somatic_follow_up_needed": False}, 3),
    ("clinical_decision_basic", {"outcome": "CT"}, 14),
    ("plan_treatment", {"detoxification": True}, 2),
    ("detoxification_completed", {}, 8),
    ("treatment_started", {}, 2),
    ("evaluate_treatment", {"outcome": "continue"}, 7),
    ("evaluate_treatment", {"outcome": "continue"}, 50),
    ("evaluate_treatment", {"outcome": "continue"}, 50),
    ("evaluate_treatment", {"outcome": "close"}, 50),
    ("close_pathway", {"outcome": "municipal_follow_up", "follow_up_plan_sent": True,
                       "municipal_contact": "Kari Nordmann", "risk_information_shared": True,
                       "where_to_turn": "Fastlegen"}, 1),
)


def load_demo_data(runtime: PathwayRuntime, pathways: int | None = None, seed_value: int = DEMO_SEED,
                   years: float = DEMO_YEARS, progress: Progress | None = None) -> int:
    """Load the seeded demo set up to the runtime's today; returns how many pathways were created (0 if the
    database already had pathway instances). The pathways must be deployed. `progress` is told each simulated
    day (the server passes a terminal bar; without one the loading is silent apart from its start and end lines)."""
    if has_instances(runtime.db):
        return 0
    count = DEMO_PATHWAYS if pathways is None else pathways
    print(f"Loading demo data: {count} pathways over {years:g} years (only into an empty database; this takes "
          f"a moment) …", file=sys.stderr, flush=True)

    def on_clock(clock: Clock) -> PathwayRuntime:
        return PathwayRuntime(runtime.db, clock)

    try:
        summary: SeedSummary = seed(on_clock, pathways=count, years=years, today=runtime.today(), seed=seed_value,
                                    now=runtime.clock.now(), progress=progress)
    except DatabaseNotEmpty:  # another process started pathways in the meantime
        return 0
    except Exception:  # noqa: BLE001 - demo data must never stop the service from starting
        log.exception("demo data: loading stopped")
        print("Demo data: loading stopped with an error (logged); the service starts with what was loaded.",
              file=sys.stderr, flush=True)
        return _instances(runtime)
    for line in summary.lines():
        log.info("demo data: %s", line)
    print(f"Demo data loaded: {summary.lines()[0]}", file=sys.stderr, flush=True)
    return summary.instances


def _instances(runtime: PathwayRuntime) -> int:
    with runtime.db.reading() as session:
        return session.scalar(select(func.count()).select_from(PathwayInstance)) or 0
