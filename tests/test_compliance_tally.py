"""The compliance tally (engine.runtime.compliance_tally), kept by every command, gives the same report as the
plain GROUP BY over every measurement, on the demo data, on SQLite and PostgreSQL: after the demo walk, after
corrections and undos that move or reopen closed deadlines, and for every period, filter and unit selection.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Integer, and_, case, cast, extract, func, or_, select, true, update

from engine.db.models import ComplianceTally, IndicatorMeasurement, MeasuringPointEvent, PathwayInstance
from engine.deadlines.rules import overdue_sql
from engine.demo.seed import seed
from engine.errors import Conflict, InvalidInput
from engine.reading import compliance as report
from engine.reading.periods import first_day, last_day
from engine.runtime import PathwayRuntime
from engine.runtime.compliance_tally import differences, rebuild
from engine.statuses import CLOSED_DEADLINE_STATUSES, OPEN_DEADLINE_STATUSES, DeadlineStatus, InstanceStatus

TODAY = date(2026, 6, 15)
M = IndicatorMeasurement.__table__.c


def plain_group_by(today, period, start, end, scope, by_unit):
    """The report's groups straight from every measurement: the query the tally replaced, kept as the reference."""
    closed = [M.status.in_(CLOSED_DEADLINE_STATUSES), M.end_on.is_not(None)]
    overdue = [M.status.in_(OPEN_DEADLINE_STATUSES), overdue_sql(M.due_on, today)]
    if start is not None:
        closed.append(M.end_on >= first_day(start, period))
        overdue.append(M.due_on >= first_day(start, period))
    if end is not None:
        closed.append(M.end_on <= last_day(end, period))
        overdue.append(M.due_on <= last_day(end, period))
    conditions = [or_(and_(*closed), and_(*overdue)), *scope.conditions(M)]  # the filters, as the report's
    is_open = M.status.in_(OPEN_DEADLINE_STATUSES)
    deferral = M.deferral_registered == true()
    counted_on = case((M.status.in_(CLOSED_DEADLINE_STATUSES), M.end_on), else_=M.due_on)
    month = cast(extract("month", counted_on), Integer)
    part = month if period == "month" else case((month <= 4, 1), (month <= 8, 2), else_=3)
    in_denominator = or_(M.status.in_((DeadlineStatus.MET, DeadlineStatus.BREACHED)), and_(is_open, ~deferral))
    r = select(
        M.pathway_key, M.unit, M.indicator_key, M.label, M.target_share,
        cast(extract("year", counted_on), Integer).label("year"), part.label("part"),
        case((M.status == DeadlineStatus.MET, 1), else_=0).label("met"),
        case((M.status == DeadlineStatus.BREACHED, 1), else_=0).label("breached"),
        case((and_(is_open, ~deferral), 1), else_=0).label("overdue"),
        case((or_(M.status == DeadlineStatus.DEFERRED, and_(is_open, deferral)), 1), else_=0).label("deferred"),
        case((in_denominator, M.instance_id), else_=None).label("counted_instance"),
        case((M.unconfirmed == true(), 1), else_=0).label("unconfirmed"),
    ).where(*conditions).subquery("measured").c
    keys = [r.pathway_key, r.indicator_key, *([r.unit] if by_unit else []), r.year, r.part]
    return select(
        *keys, func.max(r.label).label("label"), func.max(r.target_share).label("target"),
        func.sum(r.met).label("met"), func.sum(r.breached).label("breached"), func.sum(r.overdue).label("overdue"),
        func.sum(r.deferred).label("deferred"), func.count(r.counted_instance.distinct()).label("pathways"),
        func.max(r.unconfirmed).label("unconfirmed"),
    ).group_by(*keys)


def both(db, monkeypatch, **kwargs):
    """The report from the tally, and the same report from the plain GROUP BY."""
    from_tally = report.compliance(db, **kwargs)
    with monkeypatch.context() as patch:
        patch.setattr(report, "_grouped", plain_group_by)
        plain = report.compliance(db, **kwargs)
    return from_tally, plain


def tally_rows(db):
    with db.engine.connect() as conn:
        return conn.execute(select(ComplianceTally).order_by(ComplianceTally.id)).all()


@pytest.fixture
def demo(runtime):
    summary = seed(lambda clock: PathwayRuntime(runtime.db, clock), pathways=80, today=TODAY, seed=11)
    assert summary.instances == 80 and not summary.errors
    return runtime


VARIANTS = [
    dict(period="tertial"), dict(period="month"), dict(period="tertial", by_unit=False),
    dict(period="month", by_unit=False), dict(period="month", start=date(2025, 9, 3), end=date(2026, 2, 1)),
    dict(period="tertial", pathway="tsb_d01"), dict(period="month", unit="DPS Nord"),
    dict(period="tertial", units=["DPS Nord", "BUP Vest"], by_unit=False),
    dict(period="tertial", indicator="referral_assessment"),
]


def test_the_tally_gives_the_plain_group_by_on_the_demo_data(demo, db, monkeypatch):
    with db.engine.connect() as conn:
        assert differences(conn) == []
        assert conn.scalar(select(func.count()).select_from(ComplianceTally)) > 0
    for today in (TODAY, TODAY - timedelta(days=200), TODAY + timedelta(days=60)):
        for variant in VARIANTS:
            from_tally, plain = both(db, monkeypatch, today=today, **variant)
            assert from_tally == plain, (today, variant)
            assert plain or variant.get("indicator")  # a variant that shows nothing proves nothing
    # Pages from the tally, each read from its cursor's pathway and indicator on, add up to the plain report.
    for variant in ({"period": "month"}, {"period": "tertial", "by_unit": False}):
        _, plain = both(db, monkeypatch, today=TODAY, **variant)
        paged, cursor = [], None
        while cursor is not None or not paged:
            page = report.compliance_page(db, today=TODAY, limit=7, after=cursor, **variant)
            paged += page.rows
            cursor = page.next_cursor
        assert paged == plain and len(plain) > 14, variant


def test_corrections_and_undos_keep_the_tally(demo, db, clock, monkeypatch):
    """Moving a registration to another month, and undoing one, moves and reopens closed deadlines; the tally
    follows in the command's own transaction."""
    clock.set(TODAY)
    before = tally_rows(db)
    e, m, i = MeasuringPointEvent, IndicatorMeasurement, PathwayInstance
    with db.engine.connect() as conn:
        events = conn.execute(  # the registrations of active pathways, newest first within each
            select(e.instance_id, e.id, e.occurred_on, m.status).join(i, i.id == e.instance_id)
            .outerjoin(m, and_(m.instance_id == e.instance_id, m.end_on == e.occurred_on,
                               m.status.in_((DeadlineStatus.MET, DeadlineStatus.BREACHED))))
            .where(i.status == InstanceStatus.ACTIVE, e.undone_at.is_(None))
            .order_by(e.instance_id, e.occurred_on.desc(), e.id.desc())).all()
    by_instance: dict[str, list] = {}
    for row in events:
        by_instance.setdefault(row.instance_id, []).append(row)
    done = 0
    for number, (newest, *older) in enumerate(by_instance.values()):
        if newest.status is None or not older:  # it closed no deadline, or nothing before it bounds a move
            continue
        try:
            if number % 2:
                demo.undo_event(newest.instance_id, newest.id, reason="registrert_feil", actor="test")
            else:  # as far back as the registration before it allows: often into another month or tertial
                demo.correct_event_date(newest.instance_id, newest.id, occurred_on=older[0].occurred_on,
                                        reason="feil_dato", actor="test")
            done += 1
        except (Conflict, InvalidInput):
            pass  # a move the rules refuse writes nothing
    assert done >= 10
    assert tally_rows(db) != before  # closed deadlines moved and reopened
    with db.engine.connect() as conn:
        assert differences(conn) == []
    for variant in VARIANTS[:4]:
        from_tally, plain = both(db, monkeypatch, today=TODAY, **variant)
        assert from_tally == plain, variant


def test_a_changed_measurement_outside_the_engine_shows_in_the_check_and_a_rebuild_mends_it(runtime, db):
    seed(lambda clock: PathwayRuntime(runtime.db, clock), pathways=15, today=TODAY, seed=11)
    with db.engine.begin() as conn:
        some = conn.scalar(select(IndicatorMeasurement.id).where(IndicatorMeasurement.status == DeadlineStatus.MET)
                           .order_by(IndicatorMeasurement.id).limit(1))
        conn.execute(update(IndicatorMeasurement).where(IndicatorMeasurement.id == some)
                     .values(status=DeadlineStatus.BREACHED))
        wrong = differences(conn)
        assert len(wrong) == 1
        (key, stored, fresh), = wrong
        assert stored[:2] == (fresh[0] + 1, fresh[1] - 1)  # one met fewer, one breached more
        assert rebuild(conn) > 0
        assert differences(conn) == []
