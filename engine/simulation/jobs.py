"""Simulations started from the web page: run in a background thread of the server process (which starts the
replications' worker processes), with their progress, kept in memory until the server stops.

One simulation runs at a time per server process: two would share the same two cores and both take twice as
long. The last `KEPT` are kept, so a result can be downloaded after the page showed it. With several server
processes (`--workers N`) a simulation is known only to the process that started it.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from engine.errors import Conflict, ErrorCode, InvalidInput, NotFound
from engine.simulation.results import ReplicationCounts
from engine.simulation.runner import Source, check_against, definitions, simulate, variants_of
from engine.simulation.scenario import load_scenario

#: How many finished simulations a server process keeps.
KEPT = 20
#: The page's bound on replications per variant (the command line allows scenario.MAX_REPLICATIONS).
PAGE_MAX_REPLICATIONS = 50


@dataclass
class Job:
    id: str
    owner: str
    scenario_text: str
    replications: int
    seed: int
    started_at: datetime
    done: int = 0
    total: int = 0
    runs: list[ReplicationCounts] | None = None
    #: what went wrong after the start, in words for the page (the scenario itself was checked before)
    failure: str | None = None
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        return not self.finished.is_set()


class SimulationJobs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()

    def start(self, owner: str, text: str, replications: int, seed: int, sources: list[Source],
              started_at: datetime) -> Job:
        """Check the scenario now (its errors go back to the form), then run it in the background."""
        if not 1 <= replications <= PAGE_MAX_REPLICATIONS:
            raise InvalidInput(ErrorCode.SIMULATION_TOO_LARGE, f"replications must be from 1 to "
                               f"{PAGE_MAX_REPLICATIONS}, not {replications}", params={"max": PAGE_MAX_REPLICATIONS})
        scenario = load_scenario(text)
        defs = definitions(sources)
        for name, run in variants_of(scenario, None).items():
            check_against(run, defs, "" if name == "baseline" else f"variants.{name}.")
        with self._lock:
            if any(job.running for job in self._jobs.values()):
                raise Conflict(ErrorCode.SIMULATION_RUNNING, "a simulation is already running; wait until it is done")
            job = Job(str(uuid.uuid4()), owner, text, replications, seed, started_at,
                      total=replications * (1 + len(scenario.variants)))
            self._jobs[job.id] = job
            while len(self._jobs) > KEPT:
                self._jobs.popitem(last=False)

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        def work() -> None:
            try:
                job.runs = simulate(scenario, sources, replications=replications, seed=seed, progress=progress)
            except Exception as exc:  # noqa: BLE001 - a background run reports its failure on the page
                job.failure = f"{type(exc).__name__}: {exc}"
            finally:
                job.finished.set()

        threading.Thread(target=work, name=f"simulation-{job.id[:8]}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(ErrorCode.SIMULATION_NOT_FOUND, f"no simulation {job_id} in this server process")
        return job


#: The server process's simulations.
JOBS = SimulationJobs()

#: What the page offers to start from: one adult unit for half a year, with the two variants of the issue.
EXAMPLE_SCENARIO = """\
# Et eksempel: DPS Nord et halvår. Endre tallene, eller lim inn et scenario fra `pathways calibrate`.
name = "DPS Nord, første halvår"
start = 2026-01-05
weeks = 26
warm_up_weeks = 8

[[streams]]
pathway = "mental_health_adults_d11"
unit = "DPS Nord"
referrals_per_week = 10
inpatient_share = 0.2
municipal_named_share = 0.4

[[streams]]
pathway = "tsb_d01"
unit = "DPS Nord"
referrals_per_week = 8
inpatient_share = 0.15
municipal_named_share = 0.4

[steps.default]
delay = { distribution = "lognormal", mean = 4, sd = 3 }
delay_to_due = { distribution = "uniform", low = 0.2, high = 1.1 }

[steps.first_attendance]
delay = { distribution = "lognormal", mean = 6, sd = 4 }
no_show_share = 0.05
deferral_share = 0.04

[[capacity]]
unit = "DPS Nord"
step = "first_attendance"
per_week = 20

[variants.capacity_minus_20]
capacity_factor = 0.8

[variants.referrals_plus_15]
referral_factor = 1.15
"""
