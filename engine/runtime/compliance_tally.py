"""The compliance tally: the closed measurements added up per pathway, indicator, unit, month and declaration,
kept in the transaction of the command that changes them, so the compliance report never scans every
measurement (engine.reading.compliance reads it, and only the open overdue deadlines live).

What one instance adds to the tally follows from its own measurements alone (`contribution`): a command knows
the instance's measurements before and after it, and writes the difference (`UnitOfWork` calls `changes`).
Counted here, as in the report's rule: closed measurements (`met`, `breached`, `deferred`) with an end date, in
the month of that date; `cancelled` ones nowhere. The report's distinct pathways in the denominator are
counted once per instance: in each month on the row of its smallest declaration among its met or breached
measurements there, and in each tertial on the row of its first such month and declaration.

`rebuild` recomputes the whole table from the measurements: the migration that made the table uses it, and so
may an operator after changing measurements outside the engine (`pathways tally --rebuild`); `differences`
says where the stored tally and the measurements disagree (`pathways tally`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from engine.db.models import NO_TARGET, ComplianceTally, IndicatorMeasurement
from engine.reading.periods import tertial
from engine.statuses import CLOSED_DEADLINE_STATUSES, DeadlineStatus

TALLY = ComplianceTally.__table__
_MEASUREMENT = IndicatorMeasurement.__table__
_COUNTS = ("met", "breached", "deferred", "pathways_in_month", "pathways_in_tertial")
_MET, _BREACHED, _DEFERRED, _IN_MONTH, _IN_TERTIAL = range(len(_COUNTS))
_COUNT_OF_STATUS = {DeadlineStatus.MET: _MET, DeadlineStatus.BREACHED: _BREACHED, DeadlineStatus.DEFERRED: _DEFERRED}


class TallyKey(NamedTuple):
    """A tally row's key, in the order that decides on which row an instance's pathway is counted."""

    pathway_key: str
    indicator_key: str
    unit: str
    year: int
    month: int
    label: str
    target_share: float
    unconfirmed: bool


class _Measured(Protocol):
    indicator_key: str
    label: str
    status: str
    end_on: Any
    target_share: float | None
    unconfirmed: bool


Tally = dict[TallyKey, list[int]]


def contribution(pathway_key: str, unit: str, measurements: Iterable[_Measured]) -> Tally:
    """What one instance's measurements add to the tally."""
    tally: Tally = {}
    first_in_month: dict[tuple[str, int, int], TallyKey] = {}
    first_in_tertial: dict[tuple[str, int, int], TallyKey] = {}
    for m in measurements:
        if m.status not in CLOSED_DEADLINE_STATUSES or m.end_on is None:
            continue
        key = TallyKey(pathway_key, m.indicator_key, unit, m.end_on.year, m.end_on.month, m.label,
                       NO_TARGET if m.target_share is None else m.target_share, bool(m.unconfirmed))
        tally.setdefault(key, [0] * len(_COUNTS))[_COUNT_OF_STATUS[m.status]] += 1
        if m.status != DeadlineStatus.DEFERRED:  # in the denominator
            for firsts, part in ((first_in_month, key.month), (first_in_tertial, tertial(key.month))):
                group = (key.indicator_key, key.year, part)
                if group not in firsts or key < firsts[group]:
                    firsts[group] = key
    for key in first_in_month.values():
        tally[key][_IN_MONTH] += 1
    for key in first_in_tertial.values():
        tally[key][_IN_TERTIAL] += 1
    return tally


def changes(before: Tally, after: Tally) -> list[dict[str, Any]]:
    """The upsert parameters that turn `before` into `after`, in key order (so two commands touching the same
    rows lock them in the same order and cannot deadlock)."""
    rows = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        delta = [(new[i] if new else 0) - (old[i] if old else 0) for i in range(len(_COUNTS))]
        if any(delta):
            rows.append({**key._asdict(), **dict(zip(_COUNTS, delta))})
    return rows


@functools.cache
def upsert(dialect_name: str) -> Any:
    """INSERT … ON CONFLICT (the tally's key) DO UPDATE adding the counts: one statement for a new row and a
    changed one, on SQLite and PostgreSQL alike."""
    dialect_insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    statement = dialect_insert(TALLY)
    return statement.on_conflict_do_update(
        index_elements=list(TallyKey._fields),
        set_={name: TALLY.c[name] + statement.excluded[name] for name in _COUNTS})


def computed(conn: Connection) -> Tally:
    """The tally as the measurements give it now, recomputed from every closed one."""
    tally: Tally = {}
    for _, of_instance in groupby(_closed_rows(conn), key=lambda r: r.instance_id):
        measured = list(of_instance)
        for key, counts in contribution(measured[0].pathway_key, measured[0].unit, measured).items():
            total = tally.setdefault(key, [0] * len(_COUNTS))
            for i, count in enumerate(counts):
                total[i] += count
    return tally


def rebuild(conn: Connection, batch: int = 5_000) -> int:
    """Recompute the whole tally from the measurements, in the caller's transaction; the number of rows."""
    conn.execute(delete(TALLY))
    rows = [{**key._asdict(), **dict(zip(_COUNTS, counts))} for key, counts in sorted(computed(conn).items())]
    for start in range(0, len(rows), batch):
        conn.execute(insert(TALLY), rows[start:start + batch])
    if conn.dialect.name == "postgresql":  # the planner's row estimate, or the report's grouping spills to disk
        conn.exec_driver_sql("ANALYZE compliance_tally")
    return len(rows)


def differences(conn: Connection) -> list[tuple[TallyKey, tuple[int, ...], tuple[int, ...]]]:
    """Where the stored tally differs from the measurements: (key, stored counts, recomputed counts), in key
    order. Empty when they agree (rows whose counts are all zero are the same as no row)."""
    stored = {TallyKey(*(row[name] for name in TallyKey._fields)): tuple(row[name] for name in _COUNTS)
              for row in conn.execute(select(TALLY)).mappings()}
    fresh = {key: tuple(counts) for key, counts in computed(conn).items()}
    zero = (0,) * len(_COUNTS)
    return [(key, stored.get(key, zero), fresh.get(key, zero)) for key in sorted(stored.keys() | fresh.keys())
            if stored.get(key, zero) != fresh.get(key, zero)]


def _closed_rows(conn: Connection) -> Iterator[Any]:
    """The closed measurements, one instance after another (an instance has one pathway and one unit)."""
    m = _MEASUREMENT.c
    query = (select(m.instance_id, m.pathway_key, m.unit, m.indicator_key, m.label, m.status, m.end_on,
                    m.target_share, m.unconfirmed)
             .where(m.status.in_(CLOSED_DEADLINE_STATUSES), m.end_on.is_not(None))
             .order_by(m.instance_id))
    yield from conn.execute(query.execution_options(yield_per=10_000))
