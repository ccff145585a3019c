"""Indicator measurement per instance: how registered measuring points open, restart and close deadlines.

Pure logic over plain rows (`Measurement`), so the rules are tested without a database and the runtime can
apply a command's events in memory before writing the changed rows in one go.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from engine.deadlines.indicators import PATIENT_DEFERRED, DeadlineIndicator
from engine.deadlines.rules import status_at_end
from engine.statuses import OPEN_DEADLINE_STATUSES, DeadlineStatus


@dataclass(frozen=True)
class RegisteredEvent:
    code: str
    occurred_on: date
    outcome: str | None = None
    element_id: str | None = None
    task_id: str | None = None
    note: str | None = None
    #: patient-deferred only: the last day of the period the patient caused, and the reason code
    deferred_until: date | None = None
    reason: str | None = None


@dataclass
class Measurement:
    """One row of indicator_measurement."""

    indicator_key: str
    label: str
    sequence: int
    from_point: str
    to_point: str
    limit_days: int
    day_unit: str
    start_on: date
    due_on: date
    status: str
    end_on: date | None = None
    deferral_registered: bool = False
    target_share: float | None = None
    unconfirmed: bool = False

    @property
    def key(self) -> tuple[str, int]:
        """(indicator, occurrence): identifies the measurement within its instance."""
        return self.indicator_key, self.sequence

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DEADLINE_STATUSES


def measure_event(rows: list[Measurement], applicable: list[DeadlineIndicator], event: RegisteredEvent,
                  not_starting: Collection[str] = (), limits: Mapping[str, int] | None = None) -> None:
    """Apply one registered measuring point to an instance's measurements, in place (new ones are appended).

    `not_starting` names indicators whose `when` condition is false for this event: it starts none of them, but
    still ends them, since an interval from one evaluation to the next ends even at an evaluation that opens no
    new interval. `limits` gives the patient's own limit of an indicator with a `limit_field`, read from this
    event's form."""
    if event.code == PATIENT_DEFERRED:
        for row in deferrable_open(rows, applicable):
            row.deferral_registered = True
        return
    for indicator in applicable:
        existing = [r for r in rows if r.indicator_key == indicator.key]
        open_rows = [r for r in existing if r.is_open]
        if indicator.to_point == event.code:
            for row in open_rows:
                row.end_on = event.occurred_on
                row.status = status_at_end(row.due_on, event.occurred_on, row.deferral_registered)
            open_rows = []
        if not indicator.starts_on(event.code, event.outcome) or indicator.key in not_starting:
            continue
        limit = (limits or {}).get(indicator.key, indicator.limit)
        if open_rows and not indicator.repeat:
            # A later start event (e.g. the clinical decision after extended assessment) restarts the clock.
            row = open_rows[0]
            row.start_on = event.occurred_on
            row.limit_days = limit
            row.due_on = indicator.due_on(event.occurred_on, limit)
            row.status = DeadlineStatus.PENDING
        elif not open_rows and (indicator.repeat or not existing):
            rows.append(Measurement(
                indicator_key=indicator.key, label=indicator.label, sequence=len(existing) + 1,
                from_point=indicator.from_point, to_point=indicator.to_point, limit_days=limit,
                day_unit=indicator.unit, start_on=event.occurred_on, due_on=indicator.due_on(event.occurred_on, limit),
                status=DeadlineStatus.PENDING, target_share=indicator.target_share, unconfirmed=indicator.unconfirmed,
            ))


def deferrable_open(rows: list[Measurement], applicable: list[DeadlineIndicator]) -> list[Measurement]:
    """The open deadlines a patient deferral registered now would apply to: those declared deferrable."""
    deferrable = {i.key for i in applicable if i.deferrable}
    return [row for row in rows if row.is_open and row.indicator_key in deferrable]


def cancel_open(rows: list[Measurement]) -> None:
    """The pathway ended: deadlines whose end event can no longer happen count in no compliance figure."""
    for row in rows:
        if row.is_open:
            row.status = DeadlineStatus.CANCELLED


def open_due_dates(rows: list[Measurement]) -> dict[str, date]:
    """Measuring point -> the earliest due date of the open deadlines it would end."""
    due: dict[str, date] = {}
    for row in rows:
        if row.is_open:
            due[row.to_point] = min(row.due_on, due.get(row.to_point, row.due_on))
    return due


def carry_over(before: list[Measurement], remeasured: list[Measurement]) -> list[Measurement]:
    """The measurements of an instance moved to another version: `remeasured` are what the new version's
    indicators make of its registrations. A deadline that had ended before the move keeps its row as measured
    (its status was decided under the declaration it ran under); one that ends only in the new measuring, a
    deadline nobody could watch, is left out. Open deadlines, and those of indicators the new version adds, are
    the new version's."""
    ended = {row.key: row for row in before if not row.is_open}
    kept = [ended[row.key] if row.key in ended else row for row in remeasured
            if row.key in ended or row.is_open]
    made = {row.key for row in kept}
    return kept + [row for key, row in ended.items() if key not in made]
