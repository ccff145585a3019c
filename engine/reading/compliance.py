"""Compliance with the deadline indicators (forløpstider) per pathway, indicator, unit and period, for managers.

One SQL `GROUP BY` over `indicator_measurement` (no workflow replay, no rows aggregated in Python), identical on
SQLite and PostgreSQL.

Periods
    `month` ("2026-03") or `tertial` ("2026-T1"; T1 = January–April, T2 = May–August, T3 = September–December),
    the periods of the national statistics (domain reference, section 6). `start` and `end` select periods, not
    days: the report covers every whole period from the one containing `start` to the one containing `end`
    (either may be left open), so a row labelled "2026-T1" always means the whole tertial.

Which period a measurement belongs to
    - closed (`met`, `breached`, `deferred`): the period of its end date (`end_on`);
    - open and overdue (`pending` or `overdue` with `due_on < today`): the period of its due date. A `pending` row
      past its due date counts as overdue whether or not the scheduler has persisted the status
      (as engine.indicators.effective_status); an open row not yet past its due date counts nowhere, even if its
      stored status says `overdue`, so the report is exactly "as of `today`";
    - `cancelled` (the pathway closed before the end event) and open rows not yet due: nowhere.
    `today` is the report date — normally the engine clock's today. It only decides which open deadlines have
    passed; the table holds each measurement's current state, so an earlier date does not reconstruct history.

Counting rule — UNCONFIRMED (domain reference section 6 gives it as the default until the national formulas are
confirmed):
    numerator    = met
    denominator  = met + breached + overdue (still open past the due date, no patient deferral registered)
    share        = numerator / denominator (None when the denominator is 0)
    deferred     = patient-deferred overruns, reported separately and NOT in the denominator: closed rows with
                   status `deferred`, and open overdue rows with a registered patient deferral (they will close as
                   `deferred`, so counting them as overdue now would only move them out of the denominator later)
    overdue      = the open overdue rows counted in the denominator
    pathways     = distinct pathway instances among the denominator's rows (a repeating indicator can give one
                   instance several rows)
    target       = the indicator's target share (`target_share`, 0–1; the highest if versions differ; None if none)
    label        = the indicator's label (the greatest, by the database's collation, if versions differ)
    unconfirmed  = True when any row of the group is flagged unconfirmed in its pathway file

Suppression (prikking), as in the national statistics
    A group with fewer than 5 pathways in its denominator (`SUPPRESS_BELOW`) is *suppressed*: the row is still
    returned, with `suppressed=True`, and every count that could reveal its size — numerator, denominator, share,
    deferred, overdue and pathways — is None (empty cells in CSV). The row thus says only "this group exists and has
    fewer than 5 pathways"; `target` and `unconfirmed` are not about patients and stay. Groups with at least 5
    pathways show every count, also numerators, deferred or overdue counts of 1–4: the public reports' extra rule
    for small numerators and any secondary suppression (a suppressed unit recoverable as the trust total minus the
    other units, `by_unit=False` against `by_unit=True`) are not applied — this is the managers' internal report.

Rows are sorted by pathway, indicator, unit, period (in Python, on the grouped rows, so both databases give the
same order whatever their collation).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import Integer, and_, case, cast, extract, func, or_, select, true

from engine.db.database import Database
from engine.db.models import IndicatorMeasurement
from engine.deadlines import indicators as ind
from engine.errors import InvalidInput

__all__ = ["CSV_COLUMNS", "ComplianceRow", "PERIODS", "Period", "SUPPRESS_BELOW", "compliance", "period_bounds",
           "period_of", "periods_between", "to_csv"]

Period = Literal["month", "tertial"]
PERIODS: tuple[str, ...] = ("month", "tertial")
#: Groups with fewer pathways than this in the denominator are suppressed (national statistics: fewer than 5).
SUPPRESS_BELOW = 5

CLOSED_STATUSES = (ind.MET, ind.BREACHED, ind.DEFERRED)


@dataclass(frozen=True)
class ComplianceRow:
    pathway_key: str
    #: None when the units were aggregated together (by_unit=False)
    unit: str | None
    indicator_key: str
    label: str
    #: "2026-03" (month) or "2026-T1" (tertial)
    period: str
    #: met; None when suppressed
    numerator: int | None
    #: met + breached + overdue; None when suppressed
    denominator: int | None
    #: numerator / denominator; None when suppressed or the denominator is 0
    share: float | None
    #: the indicator's target share (0–1), None if it has none
    target: float | None
    #: patient-deferred overruns, not in the denominator; None when suppressed
    deferred: int | None
    #: still open past the due date (in the denominator); None when suppressed
    overdue: int | None
    #: distinct pathway instances in the denominator; None when suppressed
    pathways: int | None
    #: fewer than SUPPRESS_BELOW pathways: the counts above are None
    suppressed: bool
    #: any measurement of the group is flagged unconfirmed
    unconfirmed: bool


# --- periods -------------------------------------------------------------------------------------------------

def _check_period(period: object) -> None:
    if period not in PERIODS:
        raise InvalidInput(f"period must be one of {', '.join(PERIODS)}, not {period!r}")


def _check_date(name: str, value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"{name} must be a date, not {value!r}")


def _tertial(month: int) -> int:
    return (month - 1) // 4 + 1


def _label(period: str, year: int, part: int) -> str:
    return f"{year:04d}-{part:02d}" if period == "month" else f"{year:04d}-T{part}"


def period_of(day: date, period: str) -> str:
    """The label of the period containing `day`: "2026-04" (month) or "2026-T1" (tertial)."""
    _check_period(period)
    _check_date("day", day)
    return _label(period, day.year, day.month if period == "month" else _tertial(day.month))


def _first_day(day: date, period: str) -> date:
    month = day.month if period == "month" else 4 * (_tertial(day.month) - 1) + 1
    return date(day.year, month, 1)


def _next_first_day(day: date, period: str) -> date:
    first = _first_day(day, period)
    months = 1 if period == "month" else 4
    month0 = first.month - 1 + months
    return date(first.year + month0 // 12, month0 % 12 + 1, 1)


def _last_day(day: date, period: str) -> date:
    return _next_first_day(day, period) - timedelta(days=1)


def period_bounds(day: date, period: str) -> tuple[date, date]:
    """First and last day of the period containing `day`."""
    _check_period(period)
    _check_date("day", day)
    return _first_day(day, period), _last_day(day, period)


def periods_between(start: date, end: date, period: str = "tertial") -> list[str]:
    """Labels of every period from the one containing `start` to the one containing `end`, in order: the axis of
    a chart, including periods without any measurement."""
    _check_period(period)
    _check_date("start", start)
    _check_date("end", end)
    if start > end:
        raise InvalidInput(f"start ({start}) is after end ({end})")
    labels = []
    day = _first_day(start, period)
    while day <= end:
        labels.append(period_of(day, period))
        day = _next_first_day(day, period)
    return labels


# --- the report ----------------------------------------------------------------------------------------------

def compliance(db: Database, *, today: date, period: str = "tertial", start: date | None = None,
               end: date | None = None, pathway: str | None = None, unit: str | None = None,
               indicator: str | None = None, units: Collection[str] | None = None,
               by_unit: bool = True) -> list[ComplianceRow]:
    """Compliance per pathway, indicator, unit (unless `by_unit=False`) and period, as of `today`.

    UNCONFIRMED counting rule (domain reference section 6, the default until the national formulas are confirmed):
    numerator = met; denominator = met + breached + still overdue; patient-deferred overruns reported separately
    and not in the denominator; share = numerator / denominator. Groups with fewer than 5 pathways are
    suppressed (counts None). See the module docstring for the details.

    `start`/`end` select whole periods (those containing them); `pathway`, `unit` and `indicator` filter on equality;
    `units` restricts to a set of units (e.g. a manager's own; empty means nothing); `by_unit=False` adds the units
    together (e.g. a whole trust), giving rows with `unit=None`.
    """
    _check_period(period)
    _check_date("today", today)
    if start is not None:
        _check_date("start", start)
    if end is not None:
        _check_date("end", end)
    if start is not None and end is not None and start > end:
        raise InvalidInput(f"start ({start}) is after end ({end})")
    if isinstance(units, str):
        raise InvalidInput("units must be a collection of unit names, not a single string")
    if units is not None:
        units = tuple(units)
        if not units:
            return []

    m = IndicatorMeasurement.__table__.c
    is_open = m.status.in_(ind.OPEN_STATUSES)
    deferral = m.deferral_registered == true()
    closed = and_(m.status.in_(CLOSED_STATUSES), m.end_on.is_not(None))
    open_overdue = and_(is_open, m.due_on < today)

    closed_in_range = [closed]
    overdue_in_range = [open_overdue]
    if start is not None:
        first = _first_day(start, period)
        closed_in_range.append(m.end_on >= first)
        overdue_in_range.append(m.due_on >= first)
    if end is not None:
        last = _last_day(end, period)
        closed_in_range.append(m.end_on <= last)
        overdue_in_range.append(m.due_on <= last)
    conditions = [or_(and_(*closed_in_range), and_(*overdue_in_range))]
    if pathway is not None:
        conditions.append(m.pathway_key == pathway)
    if unit is not None:
        conditions.append(m.unit == unit)
    if units is not None:
        conditions.append(m.unit.in_(units))
    if indicator is not None:
        conditions.append(m.indicator_key == indicator)

    counted_on = case((m.status.in_(CLOSED_STATUSES), m.end_on), else_=m.due_on)
    month = cast(extract("month", counted_on), Integer)
    part = month if period == "month" else case((month <= 4, 1), (month <= 8, 2), else_=3)
    in_denominator = or_(m.status.in_((ind.MET, ind.BREACHED)), and_(is_open, ~deferral))
    # Per row: its group keys and 0/1 flags. Grouping happens on this subquery's columns, so PostgreSQL never has
    # to match a GROUP BY expression (with its bound parameters) against the select list.
    rows = select(
        m.pathway_key, m.unit, m.indicator_key, m.label, m.target_share,
        cast(extract("year", counted_on), Integer).label("year"),
        part.label("part"),
        case((m.status == ind.MET, 1), else_=0).label("met"),
        case((m.status == ind.BREACHED, 1), else_=0).label("breached"),
        case((and_(is_open, ~deferral), 1), else_=0).label("overdue"),
        case((or_(m.status == ind.DEFERRED, and_(is_open, deferral)), 1), else_=0).label("deferred"),
        case((in_denominator, m.instance_id), else_=None).label("counted_instance"),
        case((m.unconfirmed == true(), 1), else_=0).label("unconfirmed"),
    ).where(*conditions).subquery("measured")

    r = rows.c
    keys = [r.pathway_key, r.indicator_key, *([r.unit] if by_unit else []), r.year, r.part]
    query = select(
        *keys,
        func.max(r.label).label("label"),
        func.max(r.target_share).label("target"),
        func.sum(r.met).label("met"),
        func.sum(r.breached).label("breached"),
        func.sum(r.overdue).label("overdue"),
        func.sum(r.deferred).label("deferred"),
        func.count(r.counted_instance.distinct()).label("pathways"),
        func.max(r.unconfirmed).label("unconfirmed"),
    ).group_by(*keys)

    with db.reading() as session:
        grouped = session.execute(query).all()

    result = [_row(g, period, by_unit) for g in grouped]
    result.sort(key=lambda row: (row.pathway_key, row.indicator_key, row.unit or "", row.period))
    return result


def _row(grouped, period: str, by_unit: bool) -> ComplianceRow:
    group = grouped._mapping
    met, breached, overdue = int(group["met"]), int(group["breached"]), int(group["overdue"])
    pathways = int(group["pathways"])
    denominator = met + breached + overdue
    suppressed = pathways < SUPPRESS_BELOW
    target = float(group["target"]) if group["target"] is not None else None
    return ComplianceRow(
        pathway_key=group["pathway_key"],
        unit=group["unit"] if by_unit else None,
        indicator_key=group["indicator_key"],
        label=group["label"],
        period=_label(period, int(group["year"]), int(group["part"])),
        numerator=None if suppressed else met,
        denominator=None if suppressed else denominator,
        share=None if suppressed or denominator == 0 else met / denominator,
        target=target,
        deferred=None if suppressed else int(group["deferred"]),
        overdue=None if suppressed else overdue,
        pathways=None if suppressed else pathways,
        suppressed=suppressed,
        unconfirmed=bool(group["unconfirmed"]),
    )


# --- CSV -----------------------------------------------------------------------------------------------------

#: (column name in the CSV header, ComplianceRow field). The names are Norwegian, ASCII-only and stable.
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("pakkeforlop", "pathway_key"),
    ("enhet", "unit"),
    ("indikator", "indicator_key"),
    ("indikator_navn", "label"),
    ("periode", "period"),
    ("teller", "numerator"),
    ("nevner", "denominator"),
    ("andel", "share"),
    ("maal_andel", "target"),
    ("pasientutsatt", "deferred"),
    ("forfalt", "overdue"),
    ("antall_forlop", "pathways"),
    ("prikket", "suppressed"),
    ("ubekreftet", "unconfirmed"),
)


def _cell(value: object) -> str:
    if value is None:
        return ""  # suppressed, no target, or all units together
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float):
        return f"{value:.4f}"  # a decimal with a dot, 0–1, four decimals
    return str(value)


def to_csv(rows: Collection[ComplianceRow], *, delimiter: str = ",") -> str:
    """The rows as CSV text (header first, CRLF line ends as RFC 4180). Shares and targets are decimals 0–1 with
    a dot and four decimals; suppressed counts, a missing target and the unit of an all-units row are empty cells;
    booleans are "ja"/"nei". Pass `delimiter=";"` for spreadsheets set up for a decimal comma."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(name for name, _ in CSV_COLUMNS)
    for row in rows:
        writer.writerow(_cell(getattr(row, field)) for _, field in CSV_COLUMNS)
    return out.getvalue()
