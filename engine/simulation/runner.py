"""Running a scenario: which pathway definitions, checking the scenario against them, and the replications in
parallel processes.

The definitions are the deployed ones (the current version of each pathway in the database, read only) or the
files of a folder; they go to the workers as BPMN source and are parsed once per process. Replication i of every
variant uses seed `seed + i`, so a variant differs from the baseline by its own fields, not by its luck, and the
same seed gives the same answer however many processes run it.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import select

from engine.catalogue.definition import PathwayDefinition
from engine.catalogue.parser import load_definition
from engine.db.database import Database
from engine.db.models import PathwayVersion
from engine.errors import ErrorCode, FieldCode, FieldProblem, InvalidInput
from engine.simulation.model import Replication
from engine.simulation.results import ReplicationCounts, count_replication
from engine.simulation.scenario import DEFAULT_STEP, MAX_REPLICATIONS, Scenario

#: The name of the scenario itself among its variants.
BASELINE = "baseline"
#: Told after every finished replication: (done, total).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Source:
    """A pathway file as the workers receive it."""

    filename: str
    content: bytes


def deployed_sources(db: Database) -> list[Source]:
    """The current version of every deployed pathway (a read; nothing is written)."""
    with db.reading() as session:
        rows = session.execute(select(PathwayVersion.filename, PathwayVersion.source)
                               .where(PathwayVersion.is_current.is_(True))
                               .order_by(PathwayVersion.pathway_key)).all()
    return [Source(filename, bytes(source)) for filename, source in rows]


def directory_sources(directory: Path) -> list[Source]:
    return [Source(path.name, path.read_bytes()) for path in sorted(directory.glob("*.bpmn"))]


_parsed: dict[tuple[str, int], PathwayDefinition] = {}


def definitions(sources: list[Source]) -> dict[str, PathwayDefinition]:
    """Parsed once per process (parsing costs tens of milliseconds a file)."""
    result = {}
    for source in sources:
        key = (source.filename, hash(source.content))
        if key not in _parsed:
            _parsed[key] = load_definition(source.content, source.filename)
        result[_parsed[key].key] = _parsed[key]
    return result


def check_against(scenario: Scenario, defs: dict[str, PathwayDefinition], prefix: str = "") -> None:
    """Every pathway, step and capacity the scenario names exists in the definitions; else each typo is named."""
    problems = []
    for i, stream in enumerate(scenario.streams):
        if stream.pathway not in defs:
            problems.append(FieldProblem(f"{prefix}streams[{i}].pathway", FieldCode.NOT_AN_OPTION,
                                         f"no deployed pathway {stream.pathway!r}; deployed: {', '.join(sorted(defs))}"))
        else:
            known = set(defs[stream.pathway].severities) | {"none"}
            for name in stream.severity:
                if name not in known:
                    problems.append(FieldProblem(f"{prefix}streams[{i}].severity.{name}", FieldCode.NOT_AN_OPTION,
                                                 f"{stream.pathway} declares no severity {name!r}"))
    tasks_of_unit: dict[str, set[str]] = {}
    for stream in scenario.streams:
        if stream.pathway in defs:
            tasks_of_unit.setdefault(stream.unit, set()).update(defs[stream.pathway].tasks)
    every_task = set().union(*tasks_of_unit.values()) if tasks_of_unit else set()
    for i, item in enumerate(scenario.capacity):
        if item.step not in tasks_of_unit.get(item.unit, set()):
            problems.append(FieldProblem(f"{prefix}capacity[{i}].step", FieldCode.NOT_AN_OPTION,
                                         f"no pathway of {item.unit!r} in the scenario has a task {item.step!r}"))
    for name in scenario.steps:
        if name != DEFAULT_STEP and name not in every_task:
            problems.append(FieldProblem(f"{prefix}steps.{name}", FieldCode.NOT_AN_OPTION,
                                         f"no pathway in the scenario has a task {name!r}"))
    if problems:
        raise InvalidInput(ErrorCode.SCENARIO_INVALID, "; ".join(f"{p.field}: {p.message}" for p in problems),
                           fields=problems)


def variants_of(scenario: Scenario, names: list[str] | None) -> dict[str, Scenario]:
    """The baseline and the named variants (None: every variant of the file)."""
    chosen = list(scenario.variants) if names is None else names
    return {BASELINE: scenario, **{name: scenario.variant(name) for name in chosen}}


def replicate(scenario: Scenario, sources: list[Source], seed: int, variant: str) -> ReplicationCounts:
    """One replication, in whichever process runs it."""
    started = time.perf_counter()
    replication = Replication(scenario, definitions(sources), seed).run()
    return count_replication(replication, variant, time.perf_counter() - started)


def simulate(scenario: Scenario, sources: list[Source], *, variants: list[str] | None = None, replications: int = 10,
             seed: int = 1, workers: int = 2, progress: Progress | None = None) -> list[ReplicationCounts]:
    """Every replication of the baseline and the variants, in replication order per variant (not in the order
    they finished). `workers` = 1 runs them in this process."""
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise InvalidInput(ErrorCode.SIMULATION_TOO_LARGE,
                           f"replications must be from 1 to {MAX_REPLICATIONS}, not {replications}",
                           params={"max": MAX_REPLICATIONS})
    runs = variants_of(scenario, variants)
    defs = definitions(sources)
    for name, run in runs.items():
        check_against(run, defs, "" if name == BASELINE else f"variants.{name}.")
    jobs = [(run, seed + i, name) for name, run in runs.items() for i in range(replications)]
    results: list[ReplicationCounts | None] = [None] * len(jobs)
    if workers <= 1 or len(jobs) == 1:
        for index, (run, job_seed, name) in enumerate(jobs):
            results[index] = replicate(run, sources, job_seed, name)
            if progress:
                progress(index + 1, len(jobs))
    else:
        # spawn, not fork: the server that starts a run has threads (a forked lock would never be released)
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(replicate, run, sources, job_seed, name): index
                       for index, (run, job_seed, name) in enumerate(jobs)}
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if progress:
                    progress(done, len(jobs))
    return [r for r in results if r is not None]
