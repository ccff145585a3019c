"""Compliance with the deadline indicators (forløpstider) per pathway, indicator, unit and period, for managers.

One SQL `GROUP BY` (no workflow replay, no measurements aggregated in Python), identical on SQLite and
PostgreSQL, over two parts: the closed measurements as the compliance tally adds them up per month (`compliance_tally`, kept in
every command's transaction by engine.runtime.compliance_tally, so a report never scans every measurement), and
the open deadlines past their due date, read live from `indicator_measurement` (few, and indexed), since whether
they count depends on the report date. tests/test_compliance_tally.py holds the plain GROUP BY over every
measurement that this replaced, and proves the two give the same report.

Periods
    `month` ("2026-03") or `tertial` ("2026-T1"; T1 = January–April, T2 = May–August, T3 = September–December),
    the periods of the national statistics (domain reference, section 6). `start` and `end` select periods, not
    days: the report covers every whole period from the one containing `start` to the one containing `end`
    (either may be left open), so a row labelled "2026-T1" always means the whole tertial.

Which period a measurement belongs to
    - closed (`met`, `breached`, `deferred`): the period of its end date (`end_on`);
    - open and overdue (`pending` or `overdue` with `due_on < today`): the period of its due date. A `pending` row
      past its due date counts as overdue whether or not the scheduler has persisted the status (the rule of
      engine.deadlines.rules, in SQL: `overdue_sql`); an open row not yet past its due date counts nowhere, even
      if its stored status says `overdue`, so the report is exactly "as of `today`";
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

Complementary suppression (sekundærprikking)
    Every per-unit row belongs to a total that the report also shows: the same pathway, indicator and period with
    the units added together (`by_unit=False`, the dashboard's "Alle enheter" row and the overview's total column).
    When exactly one unit of such a total is suppressed (`suppression="primary"`), its counts would be the total
    minus the other units, so the smallest other unit (fewest pathways, then unit name) is suppressed as well
    (`suppression="complementary"`). Two or more suppressed units are left as they are: only their sum can be
    worked out. A total that is itself suppressed has only suppressed units. No other totals are shown (no sums
    across periods, indicators or pathways), so the rule is applied within each pathway, indicator and period.
    The decision is made over every unit the user may read (`units`), before the `unit` filter, so a row looks
    the same filtered or not; `by_unit=False` with a `unit` gives that unit's row, suppressed the same way.

Rows are sorted by pathway, indicator, unit, period, the strings by code point, whatever the database's collation.
The complementary suppression and the order are decided in Python, over the grouped rows: in SQL they took two
sorts of every row (a window partition and the order), most of the every-unit report's time.

Pages (`compliance_page`)
    At most `limit` rows after a cursor, the position of the previous page's last row in that order (keyset: a
    row that changes between two pages moves no other row across the boundary). A page reads whole pathways and
    indicators from its cursor's on, as many as a count of their tally rows says will fill it (`_Report.page`):
    suppression is decided within a pathway, indicator and period, so every group it needs is read, and its rows
    are those of the one-piece report. It makes report rows only for itself.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from engine.db.database import Database
from engine.db.models import NO_TARGET, ComplianceTally, IndicatorMeasurement
from engine.deadlines.rules import overdue_sql
from engine.errors import ErrorCode, InvalidInput
from engine.reading import cursors
from engine.reading.collector import cycle_collection_paused
from engine.reading.periods import check_date, check_period, check_range, first_day, label, last_day
from engine.statuses import OPEN_DEADLINE_STATUSES, DeadlineStatus

#: Groups with fewer pathways than this in the denominator are suppressed (national statistics: fewer than 5).
SUPPRESS_BELOW = 5


class ComplianceRow(NamedTuple):
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
    #: why the row is suppressed: "primary" (fewer than SUPPRESS_BELOW pathways), "complementary" (hides a primary
    #: one from subtraction off the all-units total), None when shown
    suppression: str | None = None


#: The share a deadline indicator is held to when its pathway file gives none (domain reference section 6: 80 %).
DEFAULT_TARGET = 0.8


def goal(target: float | None) -> float:
    """The share a row is measured against: the indicator's own target, else DEFAULT_TARGET."""
    return DEFAULT_TARGET if target is None else target


def reaches_goal(row: ComplianceRow) -> bool | None:
    """Whether the row's share reaches its goal; None when there is no share (suppressed or no denominator)."""
    return None if row.share is None else row.share >= goal(row.target)


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
    return compliance_page(db, today=today, period=period, start=start, end=end, pathway=pathway, unit=unit,
                           indicator=indicator, units=units, by_unit=by_unit).rows


class CompliancePage(NamedTuple):
    rows: list[ComplianceRow]
    #: the position after the page's last row (the next page's `after`); None on the last page
    next_cursor: str | None


def compliance_page(db: Database, *, today: date, period: str = "tertial", start: date | None = None,
                    end: date | None = None, pathway: str | None = None, unit: str | None = None,
                    indicator: str | None = None, units: Collection[str] | None = None, by_unit: bool = True,
                    limit: int | None = None, after: str | None = None) -> CompliancePage:
    """The rows of `compliance` after the position `after` (a page's `next_cursor`; None: from the first row),
    at most `limit` of them (None: all). Keyset paging, so a row that changes between two pages moves no other
    row from one page to the next. A page reads only the pathways and indicators it needs (see `_Report.page`);
    suppression is decided within a pathway, indicator and period over all units, so its rows are the same as
    in one piece."""
    units = _checked(today, period, start, end, units, limit)
    position = None if after is None else decode_cursor(after)
    if units == ():
        return CompliancePage([], None)
    report = _Report(db, today, period, start, end, {"pathway_key": pathway, "indicator_key": indicator}, units,
                     unit, by_unit)
    with cycle_collection_paused():
        return report.page(limit, position)


class _Report(NamedTuple):
    """One report's parameters, read whole or a window of pathways and indicators at a time."""

    db: Database
    today: date
    period: str
    start: date | None
    end: date | None
    filters: dict[str, str | None]
    units: tuple[str, ...] | None
    unit: str | None
    by_unit: bool

    @property
    def per_unit(self) -> bool:
        """Whether the groups are read per unit: a row per unit, or one unit's rows (suppressed across units)."""
        return self.by_unit or self.unit is not None

    def page(self, limit: int | None, position: str | None) -> CompliancePage:
        """The rows after `position`, at most `limit`. A page of every unit's rows reads a window of pathways
        and indicators estimated to hold `limit` rows from the position on (`_windows`), and the next window
        only if that one fell short; one unit's rows and the units added together (a few hundred or thousand
        rows) are read from the position on to the end, as estimating their windows costs more than it saves."""
        from_key = None if position is None else _pathway_indicator(position)
        if limit is None or not self.by_unit or self.unit is not None:  # not every unit's rows
            windows: Iterable[tuple[Key | None, Key | None]] = [(from_key, None)]
        else:
            windows = _windows(self._sizes(from_key), limit, from_key)
        rows: list[ComplianceRow] = []
        for low, high in windows:
            groups, order, hidden = self._read(low, high)
            first = 0 if position is None else bisect.bisect_right(groups, position, key=order)
            taken = groups[first:] if limit is None else groups[first:first + limit - len(rows)]
            rows += self._rows(taken, hidden)
            if limit is not None and len(rows) == limit:
                # every pathway and indicator after this window has rows (`_sizes` lists no empty one)
                more = first + len(taken) < len(groups) or high is not None
                return CompliancePage(rows, encode_cursor(order(taken[-1])) if more else None)
        return CompliancePage(rows, None)

    def _read(self, low: Key | None, high: Key | None) -> tuple[list[Any], Callable[[Any], str], set]:
        """The groups of the pathways and indicators from `low` to `high`, sorted; their order; the hidden."""
        scope = _Scope(self.filters, self.units, low, high)
        if not self.per_unit:
            groups = _read(self.db, _grouped(self.today, self.period, self.start, self.end, scope, False))
            groups.sort(key=_total_order)
            return groups, _total_order, set()
        groups = _read(self.db, _grouped(self.today, self.period, self.start, self.end, scope, True))
        hidden = _complementary(groups)
        if self.unit is not None:
            groups = [g for g in groups if g[_UNIT] == self.unit]
        groups.sort(key=_unit_order)
        return groups, _unit_order, hidden

    def _rows(self, groups: Sequence[Any], hidden: set) -> list[ComplianceRow]:
        if not self.per_unit:
            return [_row(g, self.period, None, None) for g in groups]
        by_unit = self.by_unit
        return [_row(g, self.period, g[_UNIT] if by_unit else None, "complementary" if g[:5] in hidden else None)
                for g in groups]

    def _sizes(self, from_key: Key | None) -> list[tuple[Key, int]]:
        """Each pathway and indicator with rows in the report from `from_key` on, in the report's order, with a
        low estimate of its rows: its tally rows (per tertial a quarter of them: a tertial has four months);
        one with only open overdue deadlines counts 0. A low estimate reads more than needed, never less."""
        scope = _Scope(self.filters, self.units, from_key)
        with self.db.reading_connection() as conn:
            closed = conn.execute(_closed_sizes(self.period, self.start, self.end, scope)).all()
            live = conn.execute(_overdue_keys(self.today, self.period, self.start, self.end, scope)).all()
        divisor = 1 if self.period == "month" else 4
        sizes = {(p, i): n // divisor for p, i, n in closed}
        for key in live:
            sizes.setdefault(tuple(key), 0)
        return sorted(sizes.items())  # pairs of strings compare by code point, as the report's order


Key = tuple[str, str]


def _windows(sizes: Sequence[tuple[Key, int]], limit: int,
             from_key: Key | None) -> Iterator[tuple[Key | None, Key | None]]:
    """Ranges (first, last pathway and indicator; None: open) each estimated to hold at least `limit` rows, the
    first from `from_key`, the last open-ended."""
    low, estimate = from_key, 0
    for number, (key, rows) in enumerate(sizes):
        estimate += rows
        if estimate >= limit and number < len(sizes) - 1:
            yield low, key
            low, estimate = sizes[number + 1][0], 0
    yield low, None


def _pathway_indicator(position: str) -> Key:
    pathway, indicator, _ = position.split("\0", 2)
    return pathway, indicator


def _checked(today: date, period: str, start: date | None, end: date | None, units: Collection[str] | None,
             limit: int | None) -> tuple[str, ...] | None:
    """The report's parameters checked (InvalidInput with the code of the first bad one); `units` as a tuple."""
    check_period(period)
    check_date("today", today)
    for name, value in (("start", start), ("end", end)):
        if value is not None:
            check_date(name, value)
    if start is not None and end is not None:
        check_range(start, end)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidInput(ErrorCode.LIMIT_INVALID, f"limit must be a whole number of at least 1, not {limit!r}",
                           params={"field": "limit"})
    if isinstance(units, str):
        raise InvalidInput(ErrorCode.UNITS_INVALID, "units must be a collection of unit names, not a single string")
    return None if units is None else tuple(units)


def encode_cursor(position: str) -> str:
    """A report position (`_unit_order` / `_total_order`) as an opaque URL-safe string."""
    return cursors.opaque(position)


def decode_cursor(cursor: str) -> str:
    """A cursor of `encode_cursor`; anything else is refused with `cursor_invalid`."""
    position = cursors.revealed(cursor, "compliance report")
    if position.count("\0") < 2:
        raise cursors.refused("compliance report", "no position")
    return position


def _read(db: Database, query: Select) -> list[Any]:
    with db.reading() as session:
        return session.execute(query).all()


# Positions in `_grouped`'s rows (per unit; the units-together rows have no unit column).
_PATHWAY, _INDICATOR, _UNIT, _YEAR, _PART = range(5)
_PATHWAYS = -2


def _unit_order(g: Sequence[Any]) -> str:
    """The report's order, by code point: pathway, indicator, unit, period. One string, not a tuple, as strings
    compare in C (a month report sorts 65,000 rows; NUL, the separator, is in no key, as no PostgreSQL text
    holds it, so a shorter key sorts first)."""
    return f"{g[_PATHWAY]}\0{g[_INDICATOR]}\0{g[_UNIT]}\0{g[_YEAR]:04d}{g[_PART]:02d}"


def _total_order(g: Sequence[Any]) -> str:
    """The same for the units-together rows: pathway, indicator, period."""
    return f"{g[0]}\0{g[1]}\0{g[2]:04d}{g[3]:02d}"


def _complementary(groups: Sequence[Any]) -> set[tuple[Any, ...]]:
    """The keys of the per-unit groups that complementary suppression hides: in each pathway, indicator and period
    whose total is shown, a lone primary-suppressed unit gets the smallest other unit (fewest pathways, then unit
    name) suppressed beside it (module docstring). Decided over every unit, before `unit` filters."""
    totals: dict[tuple[Any, ...], list[Any]] = {}
    for g in groups:
        totals.setdefault((g[_PATHWAY], g[_INDICATOR], g[_YEAR], g[_PART]), []).append(g)
    hidden = set()
    for members in totals.values():
        if sum(1 for g in members if g[_PATHWAYS] < SUPPRESS_BELOW) == 1:
            shown = [g for g in members if g[_PATHWAYS] >= SUPPRESS_BELOW]
            if shown:
                hidden.add(min(shown, key=itemgetter(_PATHWAYS, _UNIT))[:5])
    return hidden


_M = IndicatorMeasurement.__table__.c
_T = ComplianceTally.__table__.c


def _part(month: Any, period: str) -> Any:
    """The period's number within its year: the month itself, or its tertial."""
    return month if period == "month" else case((month <= 4, 1), (month <= 8, 2), else_=3)


class _Scope(NamedTuple):
    """Which groups a report reads, in both parts: equality filters by column, the user's units (None: all), and
    for a page the pathways and indicators it reads (from, to; in the report's order, by code point)."""

    filters: dict[str, str | None]
    units: tuple[str, ...] | None
    from_key: Key | None = None
    #: the last pathway and indicator read (None: to the end)
    to_key: Key | None = None

    def conditions(self, columns: Any) -> list[Any]:
        found = [columns[column] == value for column, value in self.filters.items() if value is not None]
        if self.units is not None:
            found.append(columns.unit.in_(self.units))
        pathway, indicator = by_code_point(columns.pathway_key), by_code_point(columns.indicator_key)
        if self.from_key is not None:
            first_pathway, first_indicator = self.from_key
            found.append(or_(pathway > first_pathway,
                             and_(columns.pathway_key == first_pathway, indicator >= first_indicator)))
        if self.to_key is not None:
            last_pathway, last_indicator = self.to_key
            found.append(or_(pathway < last_pathway,
                             and_(columns.pathway_key == last_pathway, indicator <= last_indicator)))
        return found


class by_code_point(ColumnElement[str]):  # noqa: N801 - used like a SQL function
    """A text column compared by code point, as the report sorts: PostgreSQL's "C" collation, whatever the
    database's; SQLite's default (BINARY) already compares so."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[str]) -> None:
        self.column = column
        self.type = column.type


@compiles(by_code_point)
def _as_it_is(element: by_code_point, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(by_code_point, "postgresql")
def _in_c_collation(element: by_code_point, compiler: Any, **kw: Any) -> str:
    return f'{compiler.process(element.column, **kw)} COLLATE "C"'


def _closed(period: str, start: date | None, end: date | None, scope: _Scope) -> Select:
    """The closed part, from the tally (engine.runtime.compliance_tally): its rows in the whole periods from
    `start` to `end`, with the pathways counted once per month or once per tertial."""
    conditions = [_T.met + _T.breached + _T.deferred > 0, *scope.conditions(_T)]
    months = _T.year * 100 + _T.month
    if start is not None:
        first = first_day(start, period)
        conditions.append(months >= first.year * 100 + first.month)
    if end is not None:
        last = last_day(end, period)
        conditions.append(months <= last.year * 100 + last.month)
    pathways = _T.pathways_in_month if period == "month" else _T.pathways_in_tertial
    return select(
        _T.pathway_key, _T.unit, _T.indicator_key, _T.label,
        case((_T.target_share == NO_TARGET, None), else_=_T.target_share).label("target_share"),
        _T.year, _part(_T.month, period).label("part"),
        _T.met, _T.breached, literal(0).label("overdue"), _T.deferred, pathways.label("pathways"),
        case((_T.unconfirmed == true(), 1), else_=0).label("unconfirmed"),
    ).where(*conditions)


def _overdue(today: date, period: str, start: date | None, end: date | None, scope: _Scope) -> Select:
    """The live part: open deadlines past their due date (few, and indexed), grouped per unit and period. An
    instance already counted among the closed part's pathways of the same period is not counted again.

    Only a repeated occurrence (`sequence` > 1) is looked up among the closed ones: an indicator's next
    occurrence is made only when none is open (engine.deadlines.measurement), so an open first occurrence is
    its instance's only measurement of that indicator."""
    conditions = _overdue_conditions(today, period, start, end, scope)
    year, part = _year(_M.due_on), _part(_month(_M.due_on), period)
    closed = IndicatorMeasurement.__table__.alias("closed").c
    counted_closed = exists().where(
        closed.instance_id == _M.instance_id, closed.indicator_key == _M.indicator_key,
        closed.status.in_((DeadlineStatus.MET, DeadlineStatus.BREACHED)),
        _year(closed.end_on) == year, _part(_month(closed.end_on), period) == part)
    deferral = _M.deferral_registered == true()
    keys = [_M.pathway_key, _M.unit, _M.indicator_key]
    return select(
        *keys, func.max(_M.label).label("label"), func.max(_M.target_share).label("target_share"),
        year.label("year"), part.label("part"), literal(0).label("met"), literal(0).label("breached"),
        # integers, as the tally's columns: the outer sum of an integer is a bigint, of a bigint a slow numeric
        cast(func.sum(case((~deferral, 1), else_=0)), Integer).label("overdue"),
        cast(func.sum(case((deferral, 1), else_=0)), Integer).label("deferred"),
        # CASE, not AND: the look-up runs only for the rows that reach it
        cast(func.count(case((deferral, None), (_M.sequence == 1, _M.instance_id), (~counted_closed, _M.instance_id),
                             else_=None).distinct()), Integer).label("pathways"),
        func.max(case((_M.unconfirmed == true(), 1), else_=0)).label("unconfirmed"),
    ).where(*conditions).group_by(*keys, year, part)


def _overdue_conditions(today: date, period: str, start: date | None, end: date | None,
                        scope: _Scope) -> list[Any]:
    # One condition per open status, so each finds the partial index of its status.
    conditions = [or_(*(and_(_M.status == status, overdue_sql(_M.due_on, today)) for status in OPEN_DEADLINE_STATUSES)),
                  *scope.conditions(_M)]
    if start is not None:
        conditions.append(_M.due_on >= first_day(start, period))
    if end is not None:
        conditions.append(_M.due_on <= last_day(end, period))
    return conditions


def _closed_sizes(period: str, start: date | None, end: date | None, scope: _Scope) -> Select:
    """The closed part's tally rows per pathway and indicator."""
    closed = _closed(period, start, end, scope).subquery("closed")
    return select(closed.c.pathway_key, closed.c.indicator_key, func.count()).group_by(
        closed.c.pathway_key, closed.c.indicator_key)


def _overdue_keys(today: date, period: str, start: date | None, end: date | None, scope: _Scope) -> Select:
    """The pathways and indicators of the live part."""
    return select(_M.pathway_key, _M.indicator_key).where(
        *_overdue_conditions(today, period, start, end, scope)).distinct()


def _year(day: Any) -> Any:
    return cast(extract("year", day), Integer)


def _month(day: Any) -> Any:
    return cast(extract("month", day), Integer)


def _grouped(today: date, period: str, start: date | None, end: date | None, scope: _Scope,
             by_unit: bool) -> Select:
    """The closed and the live part added together per group. Their pathways add up: the live part counts only
    instances the closed part has not, and an instance belongs to one unit, so the units add up to a total."""
    rows = union_all(_closed(period, start, end, scope),
                     _overdue(today, period, start, end, scope)).subquery("measured")
    r = rows.c
    keys = [r.pathway_key, r.indicator_key, *([r.unit] if by_unit else []), r.year, r.part]
    return select(
        *keys,
        func.max(r.label).label("label"),
        func.max(r.target_share).label("target"),
        # whole numbers: PostgreSQL's sum of a bigint is a numeric, slower to read
        *(cast(func.sum(r[name]), BigInteger).label(name) for name in ("met", "breached", "overdue", "deferred",
                                                                        "pathways")),
        func.max(r.unconfirmed).label("unconfirmed"),
    ).group_by(*keys)


def _row(grouped: Sequence[Any], period: str, unit: str | None, hidden_by: str | None) -> ComplianceRow:
    """A report row from a group of `_grouped` (positional: this runs for every row, 65,000 by month), suppressed
    when it has fewer than SUPPRESS_BELOW pathways or `hidden_by` names another reason."""
    # the sums are whole numbers already (`_grouped` casts them)
    year, part, label_, target, met, breached, overdue, deferred, pathways, unconfirmed = grouped[-10:]
    target = float(target) if target is not None else None
    suppression = "primary" if pathways < SUPPRESS_BELOW else hidden_by
    if suppression is not None:
        return ComplianceRow(grouped[_PATHWAY], unit, grouped[_INDICATOR], label_, _label(period, year, part), None,
                             None, None, target, None, None, None, True, bool(unconfirmed), suppression)
    denominator = met + breached + overdue
    return ComplianceRow(grouped[_PATHWAY], unit, grouped[_INDICATOR], label_, _label(period, year, part), met,
                         denominator, met / denominator if denominator else None, target, deferred, overdue,
                         pathways, False, bool(unconfirmed), None)


@functools.lru_cache(maxsize=1024)
def _label(period: str, year: int, part: int) -> str:
    return label(period, int(year), int(part))
