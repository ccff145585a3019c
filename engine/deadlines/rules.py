"""Every rule that decides a deadline's due date and status: the one home of "when is it due" and "is it overdue".

- **Due date**: `due_date` — the start date plus the limit in the deadline's unit (calendar days, Norwegian
  working days, or calendar months; `engine.deadlines.calendar`).
- **Overdue**: a deadline, or a task that ends one, is overdue on a day *after* its due date (`is_overdue`); the
  same rule in SQL is `overdue_sql`, which the task list, the overdue sweep and the compliance report use.
- **Status as of a day**: a stored `pending` row past its due date reads as `overdue` (`status_on`), whether or
  not the sweep has persisted it yet.
- **Status at the end event**: `met` on or before the due date; after it, `deferred` when a patient deferral
  was registered while the deadline ran, else `breached` (`status_at_end`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement

from engine.deadlines.calendar import add_days
from engine.statuses import DeadlineStatus


def due_date(start_on: date, limit: int, unit: str) -> date:
    """The last day within the deadline: `limit` days (of `unit`) after the start event's date."""
    return add_days(start_on, limit, unit)


def is_overdue(due_on: date | None, today: date) -> bool:
    """Past its due date on `today` (a deadline is still within time on the due date itself)."""
    return due_on is not None and due_on < today


def overdue_sql(due_on: ColumnElement[date], today: date) -> ColumnElement[bool]:
    """`is_overdue` as a SQL condition on a due-date column (a NULL due date is never overdue)."""
    return due_on < today


def status_on(status: str, due_on: date, today: date) -> DeadlineStatus:
    """The status of a stored measurement as of `today`."""
    if status == DeadlineStatus.PENDING and is_overdue(due_on, today):
        return DeadlineStatus.OVERDUE
    return DeadlineStatus(status)


def status_at_end(due_on: date, end_on: date, deferral_registered: bool) -> DeadlineStatus:
    """The status of a deadline whose end event happened on `end_on`."""
    if end_on <= due_on:
        return DeadlineStatus.MET
    return DeadlineStatus.DEFERRED if deferral_registered else DeadlineStatus.BREACHED
