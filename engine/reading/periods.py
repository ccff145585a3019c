"""Reporting periods: months ("2026-03") and tertials ("2026-T1"; T1 = January–April, T2 = May–August,
T3 = September–December), the periods of the national statistics (domain reference, section 6)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from engine.errors import ErrorCode, InvalidInput

Period = Literal["month", "tertial"]
PERIODS: tuple[str, ...] = ("month", "tertial")


def check_period(period: object) -> None:
    if period not in PERIODS:
        raise InvalidInput(ErrorCode.PERIOD_INVALID, f"period must be one of {', '.join(PERIODS)}, not {period!r}")


#: Report dates outside these are typing errors (no pathway ran before 2019; 9999-12-31 would make 96,000 periods).
EARLIEST_REPORT_DAY = date(2000, 1, 1)
LATEST_REPORT_DAY = date(2199, 12, 31)


def check_date(name: str, value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(ErrorCode.DATE_INVALID, f"{name} must be a date, not {value!r}")
    if not EARLIEST_REPORT_DAY <= value <= LATEST_REPORT_DAY:
        raise InvalidInput(ErrorCode.DATE_INVALID, f"{name} must be between {EARLIEST_REPORT_DAY} and "
                                                   f"{LATEST_REPORT_DAY}, not {value}")


def check_range(start: date, end: date) -> None:
    if start > end:
        raise InvalidInput(ErrorCode.RANGE_REVERSED, f"start ({start}) is after end ({end})")


def tertial(month: int) -> int:
    return (month - 1) // 4 + 1


def label(period: str, year: int, part: int) -> str:
    """The label of a period given by its year and its month (1–12) or tertial (1–3)."""
    return f"{year:04d}-{part:02d}" if period == "month" else f"{year:04d}-T{part}"


def period_of(day: date, period: str) -> str:
    """The label of the period containing `day`: "2026-04" (month) or "2026-T1" (tertial)."""
    check_period(period)
    check_date("day", day)
    return label(period, day.year, day.month if period == "month" else tertial(day.month))


def first_day(day: date, period: str) -> date:
    month = day.month if period == "month" else 4 * (tertial(day.month) - 1) + 1
    return date(day.year, month, 1)


def _next_first_day(day: date, period: str) -> date:
    first = first_day(day, period)
    months = 1 if period == "month" else 4
    month0 = first.month - 1 + months
    return date(first.year + month0 // 12, month0 % 12 + 1, 1)


def last_day(day: date, period: str) -> date:
    return _next_first_day(day, period) - timedelta(days=1)


def period_bounds(day: date, period: str) -> tuple[date, date]:
    """First and last day of the period containing `day`."""
    check_period(period)
    check_date("day", day)
    return first_day(day, period), last_day(day, period)


def periods_between(start: date, end: date, period: str = "tertial") -> list[str]:
    """Labels of every period from the one containing `start` to the one containing `end`, in order: the axis of
    a chart, including periods without any measurement."""
    check_period(period)
    check_date("start", start)
    check_date("end", end)
    check_range(start, end)
    labels = []
    day = first_day(start, period)
    while day <= end:
        labels.append(period_of(day, period))
        day = _next_first_day(day, period)
    return labels
