"""The one place that reads the time.

Engine code asks an injected `Clock`; SpiffWorkflow's timer module reads `datetime.now` directly, so while
the engine runs a workflow it installs its clock there too (`spiff_clock`), which lets tests and simulations
move time forward without sleeping.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import Iterator, Protocol
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

OSLO = ZoneInfo("Europe/Oslo")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""


def today(clock: Clock) -> date:
    """The calendar date in Norway at the clock's current instant."""
    return clock.now().astimezone(OSLO).date()


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ManualClock:
    """A clock that stands still until told to move: for tests, demos and simulations."""

    def __init__(self, start: datetime | date) -> None:
        self._now = _as_instant(start)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime | date) -> None:
        self._now = _as_instant(when)


def _as_instant(when: datetime | date) -> datetime:
    if isinstance(when, datetime):
        return when if when.tzinfo else when.replace(tzinfo=OSLO)
    # A bare date means mid-morning in Norway: a working-day instant, not a midnight edge case.
    return datetime(when.year, when.month, when.day, 9, 0, tzinfo=OSLO).astimezone(timezone.utc)


_active_clock: contextvars.ContextVar[Clock | None] = contextvars.ContextVar("spiff_clock", default=None)


class _ClockedDatetime(datetime):
    """`datetime` as SpiffWorkflow's timer module sees it: `now()` asks the engine's clock."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        clock = _active_clock.get()
        if clock is None:
            return datetime.now(tz)
        current = clock.now()
        return current.astimezone(tz) if tz is not None else current.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _ClockedDatetime


@contextmanager
def spiff_clock(clock: Clock) -> Iterator[None]:
    """Make SpiffWorkflow's timers read `clock` for the duration of the block (this thread/context only)."""
    token = _active_clock.set(clock)
    try:
        yield
    finally:
        _active_clock.reset(token)
