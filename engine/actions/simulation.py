"""What-if simulations for managers and administrators: start one on the deployed pathways (read only), follow
it, and read its answer. No patient data is read or made, so nothing is audited."""

from __future__ import annotations

from engine.access.policy import require_role
from engine.access.principals import ADMIN, MANAGER, Principal
from engine.runtime import PathwayRuntime
from engine.simulation.jobs import JOBS, Job
from engine.simulation.runner import deployed_sources

SIMULATION_ROLES = (MANAGER, ADMIN)


def check_simulation_role(user: Principal) -> None:
    require_role(user, *SIMULATION_ROLES)


def start_simulation(runtime: PathwayRuntime, user: Principal, text: str, replications: int, seed: int) -> Job:
    require_role(user, *SIMULATION_ROLES)
    return JOBS.start(user.id, text, replications, seed, deployed_sources(runtime.db), runtime.clock.now())


def simulation_job(user: Principal, job_id: str) -> Job:
    require_role(user, *SIMULATION_ROLES)
    return JOBS.get(job_id)
