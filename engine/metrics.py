"""The engine's process metrics for Prometheus: commands by name and outcome with their duration, and the
scheduler's sweeps; and the backlog read from the database when metrics are scraped (`Backlog`).

The counters live in this process (prometheus-client's default registry, or its multiprocess files when the
server runs several worker processes: `PROMETHEUS_MULTIPROC_DIR`, set by `pathways-server --workers N`). They
carry no patient data: labels are command names, error codes and sweep names.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from typing import ParamSpec, TypeVar

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from engine.clock import Clock
from engine.db.database import Database
from engine.db.models import DueTimer, Incident
from engine.errors import PathwayError
from engine.statuses import IncidentStatus

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)

COMMANDS = Counter("pathways_commands_total", "Commands run, by command and outcome (ok or the error code)",
                   ["command", "outcome"])
COMMAND_SECONDS = Histogram("pathways_command_duration_seconds", "Time a command took, by command", ["command"],
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
SWEEP_SECONDS = Histogram("pathways_sweep_duration_seconds", "Time one scheduler tick took",
                          buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120))
SWEEP_ITEMS = Counter("pathways_sweep_items_total", "What the scheduler's ticks did, by kind", ["kind"])


def outcome_of(exc: BaseException) -> str:
    """An outcome label from a bounded set: the engine's stable error code, else `error`."""
    return str(exc.code) if isinstance(exc, PathwayError) else "error"


@contextmanager
def measured(command: str) -> Iterator[None]:
    """Count one run of `command` with its outcome and time it."""
    started = time.perf_counter()
    try:
        yield
    except BaseException as exc:
        COMMANDS.labels(command, outcome_of(exc)).inc()
        raise
    else:
        COMMANDS.labels(command, "ok").inc()
    finally:
        COMMAND_SECONDS.labels(command).observe(time.perf_counter() - started)


def command(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a runtime command so each call is counted and timed as `name`."""
    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with measured(name):
                return function(*args, **kwargs)
        return wrapper
    return decorate


def record_tick(seconds: float, fired: int, marked_overdue: int) -> None:
    SWEEP_SECONDS.observe(seconds)
    SWEEP_ITEMS.labels("timers_fired").inc(fired)
    SWEEP_ITEMS.labels("deadlines_marked_overdue").inc(marked_overdue)


class Backlog(Collector):
    """What waits in the database, read at each scrape (indexed counts, the same in every worker process):
    open incidents by kind, timers scheduled and timers already due but not yet fired (the sweeps' backlog)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now: datetime = self.clock.now()
        try:
            with self.db.reading_connection() as conn:
                incidents = conn.execute(select(Incident.kind, func.count())
                                         .where(Incident.status == IncidentStatus.OPEN).group_by(Incident.kind)).all()
                scheduled = conn.scalar(select(func.count()).select_from(DueTimer)) or 0
                due = conn.scalar(select(func.count()).select_from(DueTimer).where(DueTimer.due_at <= now)) or 0
        except SQLAlchemyError as exc:  # the scrape still answers: with the database marked down
            log.warning("metrics could not read the backlog: %s", exc)
            yield GaugeMetricFamily("pathways_database_up", "1 when the database answered this scrape", value=0)
            return
        yield GaugeMetricFamily("pathways_database_up", "1 when the database answered this scrape", value=1)
        open_incidents = GaugeMetricFamily("pathways_incidents_open", "Open incidents, by kind", labels=["kind"])
        for kind, count in incidents:
            open_incidents.add_metric([str(kind)], count)
        yield open_incidents
        yield GaugeMetricFamily("pathways_timers_scheduled", "Timers waiting in running pathways", value=scheduled)
        yield GaugeMetricFamily("pathways_timers_due", "Timers due but not yet fired (the sweeps' backlog)",
                                value=due)
