"""Every rule that decides a deadline's due date and status: the one home of "when is it due" and "is it overdue".

- **Due date**: `due_date` — the start date plus the limit in the deadline's unit (calendar days, Norwegian
  working days, or calendar months; `engine.deadlines.calendar`).
- **Overdue**: a deadline, or a task that ends one, is overdue on a day *after* its due date (`is_overdue`); the
  same rule in SQL is `overdue_sql`, which the task list, the overdue sweep and the compliance report use.
- **Status as of a day**: a stored `pending` row past its due date reads as `overdue` (`status_on`), whether or
  not the sweep has persisted it yet.
- **Urgency on the worklist**: a deadline is *due soon* when it is not overdue and falls within
  `SOON_WORKING_DAYS` Norwegian working days (`is_due_soon`, `soon_limit`), *due this week* when it is not overdue
  and falls on or before this week's Sunday (`week_end`); `urgency` names the one that applies.
- **Status at the end event**: `met` on or before the due date; after it, `deferred` when a patient deferral
  was registered while the deadline ran, else `breached` (`status_at_end`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, and_

from engine.deadlines.calendar import add_days, add_working_days
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


#: A deadline due within this many working days is "due soon" (the worklist's "Forfaller snart").
SOON_WORKING_DAYS = 3


def soon_limit(today: date) -> date:
    """The last day that is still "due soon" on `today`."""
    return add_working_days(today, SOON_WORKING_DAYS)


def week_end(today: date) -> date:
    """The Sunday of `today`'s week: the last day that is "due this week"."""
    return today + timedelta(days=6 - today.weekday())


def is_due_soon(due_on: date | None, today: date) -> bool:
    """Not overdue, and due within `SOON_WORKING_DAYS` working days."""
    return due_on is not None and today <= due_on <= soon_limit(today)


def urgency(due_on: date | None, today: date) -> DeadlineStatus | Literal["due_soon"] | None:
    """`overdue`, `due_soon`, or None for a deadline that is neither (or has no due date)."""
    if is_overdue(due_on, today):
        return DeadlineStatus.OVERDUE
    return "due_soon" if is_due_soon(due_on, today) else None


def due_between_sql(due_on: ColumnElement[date], today: date, last: date) -> ColumnElement[bool]:
    """Not overdue on `today` and due on or before `last` (`soon_limit` or `week_end`), as a SQL condition."""
    return and_(due_on >= today, due_on <= last)


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
