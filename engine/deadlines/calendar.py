"""Norwegian working days: Monday to Friday except public holidays (helligdager) from the `holidays` package."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

CALENDAR_DAYS = "calendar_days"
WORKING_DAYS = "working_days"
#: "Within one month" (e.g. the Public Administration Act's reply time): same day number of the later month,
#: or that month's last day when it is shorter (31 January + 1 month = 28/29 February).
CALENDAR_MONTHS = "calendar_months"
DAY_UNITS = (CALENDAR_DAYS, WORKING_DAYS, CALENDAR_MONTHS)


@lru_cache(maxsize=64)
def _norwegian_holidays(year: int) -> frozenset[date]:
    # Sundays are listed as holidays in the Norwegian calendar of the package; weekends are handled separately.
    return frozenset(holidays.Norway(years=year, include_sundays=False).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _norwegian_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (start itself is day 0, as in "within 10 working days")."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def add_days(start: date, count: int, unit: str) -> date:
    if unit == CALENDAR_DAYS:
        return start + timedelta(days=count)
    if unit == WORKING_DAYS:
        return add_working_days(start, count)
    if unit == CALENDAR_MONTHS:
        return start + relativedelta(months=count)
    raise ValueError(f"unknown day unit {unit!r}; expected one of {', '.join(DAY_UNITS)}")


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
