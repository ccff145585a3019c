"""Compliance figures (engine.reading.compliance): one GROUP BY over indicator_measurement, on SQLite and PostgreSQL.

Every expected number below is worked out by hand in the comments next to it. The first test walks real TSB
pathways through the runtime; the others insert measurement rows directly, so that groups of five and more stay fast.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert

from engine.db.models import IndicatorMeasurement, PathwayInstance, PathwayVersion
from engine.errors import Conflict, InvalidInput
from engine.reading.compliance import ComplianceRow, compliance, compliance_page
from engine.reading.compliance_csv import to_csv
from engine.reading.periods import period_bounds, period_of, periods_between
from engine.runtime.compliance_tally import rebuild
from tests.support import TSB, complete, indicator, start_tsb

TODAY = date(2026, 6, 15)  # a Monday


def suppressed(unit, period, *, pathway=TSB, key="referral_assessment", label="Henvisning vurdert innen 10 virkedager",
               target=None, unconfirmed=False, why="primary"):
    return ComplianceRow(pathway, unit, key, label, period, None, None, None, target, None, None, None, True,
                         unconfirmed, why)


# --- through the runtime -------------------------------------------------------------------------------------

def test_compliance_of_real_pathways_by_unit_month_and_tertial(runtime, clock, db):
    clock.set(TODAY)
    nord, sor = "DPS Nord", "DPS Sør"
    patients = iter(range(1, 100))

    def referral(unit, received, *, assessed=None, deferred_on=None):
        instance_id = start_tsb(runtime, patient=f"P-{next(patients):04d}", received=received, unit=unit)
        if deferred_on:  # the patient cannot delay the referral assessment: refused, and it counts as breached
            with pytest.raises(Conflict) as refused:
                runtime.register_patient_deferred(instance_id, deferred_from=deferred_on, working_days=10,
                                                  reason="asked_to_postpone")
            assert refused.value.code == "no_deferrable_deadline"
        if assessed:
            complete(runtime, instance_id, "assess_referral", assessed, outcome="right_to_care")
        return instance_id

    # Referral assessment: 10 working days from the referral. Dates are chosen far from the deadline either way.
    referral(nord, date(2026, 3, 2), assessed=date(2026, 3, 4))     # met, March (T1)
    referral(nord, date(2026, 3, 9), assessed=date(2026, 3, 10))    # met, March (T1)
    referral(nord, date(2026, 4, 13), assessed=date(2026, 4, 15))   # met, April (T1)
    referral(nord, date(2026, 3, 2), assessed=date(2026, 4, 20))    # breached (due mid-March), April (T1)
    overdue = referral(nord, date(2026, 3, 30))                     # never assessed: overdue, due in April (T1)
    deferred = referral(nord, date(2026, 3, 2), deferred_on=date(2026, 3, 5),
                        assessed=date(2026, 4, 22))                 # breached despite the deferral, April (T1)
    referral(nord, date(2026, 4, 27), assessed=date(2026, 5, 4))    # met, May (T2)
    referral(nord, date(2026, 4, 27), deferred_on=date(2026, 4, 28),
             assessed=date(2026, 5, 29))                            # breached despite the deferral, May (T2)
    referral(sor, date(2026, 5, 4), assessed=date(2026, 5, 6))      # met, May (T2)
    referral(sor, date(2026, 5, 4), assessed=date(2026, 6, 12))     # breached (due late May), June (T2)
    referral(sor, date(2026, 6, 1), assessed=date(2026, 6, 3))      # met, June (T2)
    referral(sor, date(2026, 5, 11))                                # never assessed: overdue, due 27 May (T2)
    not_due = referral(sor, date(2026, 6, 10))                      # pending, due after today: nowhere

    # The premises, as the instance view shows them.
    assert indicator(runtime, overdue, "referral_assessment")["status"] == "overdue"
    assert indicator(runtime, deferred, "referral_assessment")["status"] == "breached"
    assert indicator(runtime, not_due, "referral_assessment")["status"] == "pending"

    label = "Henvisning vurdert innen 10 virkedager"
    # Nord T1: met 3, breached 2, overdue 1 -> 3/6 = 0.5 over 6 pathways.
    # Nord T2: met 1, breached 1 -> 2 pathways: suppressed. Sør T2: met 2, breached 1, overdue 1 -> 4: suppressed
    # (5, and shown, if the referral not yet due counted).
    assert compliance(db, today=TODAY) == [
        ComplianceRow(TSB, nord, "referral_assessment", label, "2026-T1", 3, 6, 0.5, None, 0, 1, 6, False, False),
        suppressed(nord, "2026-T2"),
        suppressed(sor, "2026-T2"),
    ]
    # The whole trust: T1 as Nord; T2 met 3 (Nord May, Sør May and June), breached 2, overdue 1.
    assert compliance(db, today=TODAY, by_unit=False) == [
        ComplianceRow(TSB, None, "referral_assessment", label, "2026-T1", 3, 6, 0.5, None, 0, 1, 6, False, False),
        ComplianceRow(TSB, None, "referral_assessment", label, "2026-T2", 3, 6, 0.5, None, 0, 1, 6, False, False),
    ]
    # Months: March 2 pathways, April 4, May 4, June 2: all suppressed.
    # April belongs to T1 and May to T2 above.
    monthly = compliance(db, today=TODAY, period="month", by_unit=False)
    assert monthly == [suppressed(None, p) for p in ("2026-03", "2026-04", "2026-05", "2026-06")]
    # A manager of Sør only.
    assert compliance(db, today=TODAY, units=[sor]) == [suppressed(sor, "2026-T2")]


# --- direct rows ---------------------------------------------------------------------------------------------

def store(db, *rows: dict) -> None:
    """Insert measurement rows; a row's `instance` names its pathway instance (default: one of its own)."""
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with db.engine.begin() as conn:
        version_id = conn.execute(insert(PathwayVersion).returning(PathwayVersion.id), [dict(
            pathway_key="tsb_d01", name="TSB", type_code="D01", content_hash=uuid.uuid4().hex, filename="x.bpmn",
            source=b"", deployed_at=now, is_current=True)]).scalar_one()
        instances: dict[str, str] = {}
        measurements = []
        for number, row in enumerate(rows):
            name = row.get("instance") or f"own-{number}"
            if name not in instances:
                instances[name] = str(uuid.uuid4())
                conn.execute(insert(PathwayInstance), [dict(
                    id=instances[name], pathway_version_id=version_id, pathway_key=row.get("pathway", "tsb_d01"),
                    patient_key=f"P-{number}", unit=row["unit"], setting="outpatient", rule_set="2019",
                    referral_received_on=date(2025, 1, 1), state=b"", status="active", created_at=now,
                    updated_at=now, version=1)])
            end = row.get("end")
            due = row.get("due") or end - timedelta(days=1)
            measurements.append(dict(
                instance_id=instances[name], pathway_key=row.get("pathway", "tsb_d01"), unit=row["unit"],
                indicator_key=row.get("indicator", "assessment"), label=row.get("label", "Utredning"),
                sequence=row.get("sequence", 1), from_point="a", to_point="b", limit_days=21,
                day_unit="calendar_days", start_on=due - timedelta(days=21), due_on=due, end_on=end,
                status=row["status"], deferral_registered=row.get("deferral", False),
                target_share=row.get("target", 0.8), unconfirmed=row.get("unconfirmed", False)))
        conn.execute(insert(IndicatorMeasurement), measurements)
        rebuild(conn)  # rows written outside the engine's commands: the tally is made from them


def rows(n: int, unit: str, status: str, **kw) -> list[dict]:
    return [dict(unit=unit, status=status, **kw) for _ in range(n)]


def counted(result):
    """(unit, period, numerator, denominator, share, deferred, overdue, pathways, suppressed) of each row."""
    return [(r.unit, r.period, r.numerator, r.denominator, None if r.share is None else round(r.share, 6),
             r.deferred, r.overdue, r.pathways, r.suppressed) for r in result]


MARCH = date(2026, 3, 16)


def test_a_group_of_five_or_more_has_an_exact_share_and_a_group_of_four_is_suppressed(db):
    store(db,
          *rows(4, "A", "met", end=MARCH),
          *rows(1, "A", "breached", end=MARCH),
          *rows(1, "A", "pending", due=date(2026, 3, 20)),   # overdue, never persisted
          *rows(4, "B", "met", end=MARCH))
    assert compliance(db, today=TODAY) == [
        # A: 4 met / (4 met + 1 breached + 1 overdue) = 4/6 over 6 pathways, but the total of A and B (10) is
        # shown: A would give B as total minus A, so A is suppressed beside it (complementary).
        ComplianceRow("tsb_d01", "A", "assessment", "Utredning", "2026-T1", None, None, None, 0.8, None, None, None,
                      True, False, "complementary"),
        # B: 4 pathways, every one met: still suppressed, not even the target hides the group.
        ComplianceRow("tsb_d01", "B", "assessment", "Utredning", "2026-T1", None, None, None, 0.8, None, None, None,
                      True, False, "primary"),
    ]
    # A alone (the unit filter comes after the decision) is the same row.
    assert [r.suppression for r in compliance(db, today=TODAY, unit="A")] == ["complementary"]
    assert [r.suppression for r in compliance(db, today=TODAY, unit="A", by_unit=False)] == ["complementary"]
    # The total of A and B has 10 pathways: shown. 8 met of 10.
    [total] = compliance(db, today=TODAY, by_unit=False)
    assert (total.numerator, total.denominator, total.suppressed, total.suppression) == (8, 10, False, None)


def test_deferred_overruns_are_reported_apart_and_not_in_the_denominator(db):
    store(db,
          *rows(3, "A", "met", end=MARCH),
          *rows(2, "A", "breached", end=MARCH),
          *rows(2, "A", "deferred", end=MARCH, deferral=True),
          # Open, past due, with a patient deferral registered: will close as deferred, so deferred now too.
          *rows(1, "A", "overdue", due=MARCH, deferral=True),
          # A deferral registered but met in time is simply met.
          *rows(1, "A", "met", end=MARCH, deferral=True))
    # numerator 3 + 1 = 4; denominator 4 met + 2 breached = 6 (not 9); deferred 2 + 1 = 3; no plain overdue.
    assert counted(compliance(db, today=TODAY)) == [("A", "2026-T1", 4, 6, round(4 / 6, 6), 3, 0, 6, False)]
    # Only deferred rows: no pathway in the denominator, so suppressed.
    store(db, *rows(6, "B", "deferred", end=MARCH, deferral=True))
    assert counted(compliance(db, today=TODAY, unit="B")) == [("B", "2026-T1", *[None] * 6, True)]


def test_overdue_counts_in_the_period_of_its_due_date_whether_or_not_persisted(db):
    store(db,
          *rows(3, "A", "met", end=date(2026, 5, 4)),
          *rows(1, "A", "pending", due=date(2026, 4, 30)),   # past due, status not yet persisted: April
          *rows(1, "A", "overdue", due=date(2026, 5, 2)),    # persisted by the scheduler: May
          *rows(1, "A", "pending", due=TODAY),               # due today: not yet overdue
          *rows(1, "A", "overdue", due=date(2026, 5, 20)))   # as of 19 May not yet overdue
    # As of TODAY: April 1 overdue; May 3 met + 2 overdue. T1: 1 pathway, T2: 5 -> 3/5.
    assert counted(compliance(db, today=TODAY, period="month")) == [
        ("A", "2026-04", *[None] * 6, True),
        ("A", "2026-05", 3, 5, 0.6, 0, 2, 5, False),
    ]
    assert counted(compliance(db, today=TODAY)) == [
        ("A", "2026-T1", *[None] * 6, True),
        ("A", "2026-T2", 3, 5, 0.6, 0, 2, 5, False),
    ]
    # As of 19 May the row due 20 May is open and not yet due (even though its stored status says overdue): May has
    # 3 met + 1 overdue = 4 pathways, suppressed.
    assert counted(compliance(db, today=date(2026, 5, 19))) == [
        ("A", "2026-T1", *[None] * 6, True),
        ("A", "2026-T2", *[None] * 6, True),
    ]


def test_cancelled_and_not_yet_due_measurements_count_nowhere(db):
    store(db,
          *rows(5, "A", "met", end=MARCH),
          *rows(3, "A", "cancelled", due=date(2026, 3, 1)),   # pathway closed before the end event
          *rows(2, "A", "pending", due=date(2026, 7, 1)),     # not yet due
          *rows(1, "C", "cancelled", due=date(2026, 2, 1)),
          *rows(1, "C", "cancelled", end=MARCH),               # even one that carries an end date
          *rows(1, "C", "pending", due=date(2026, 8, 1)))
    # A: 5/5 = 1.0; C has nothing that counts, so no row at all.
    assert counted(compliance(db, today=TODAY)) == [("A", "2026-T1", 5, 5, 1.0, 0, 0, 5, False)]


def test_month_and_tertial_grouping_and_whole_periods_between_start_and_end(db):
    store(db,
          *rows(5, "A", "met", end=date(2026, 4, 30)),          # April: T1
          *rows(3, "A", "met", end=date(2026, 5, 1)),           # May: T2
          *rows(2, "A", "breached", end=date(2026, 5, 31)),
          *rows(5, "A", "breached", end=date(2025, 12, 31)),    # December 2025: 2025-T3
          *rows(5, "A", "met", end=date(2026, 8, 31)),          # August: T2
          *rows(1, "A", "breached", end=date(2026, 9, 1)),      # September: T3
          *rows(4, "A", "breached", end=date(2026, 9, 30)))
    months = counted(compliance(db, today=date(2026, 10, 1), period="month"))
    assert months == [
        ("A", "2025-12", 0, 5, 0.0, 0, 0, 5, False),
        ("A", "2026-04", 5, 5, 1.0, 0, 0, 5, False),
        ("A", "2026-05", 3, 5, 0.6, 0, 0, 5, False),
        ("A", "2026-08", 5, 5, 1.0, 0, 0, 5, False),
        ("A", "2026-09", 0, 5, 0.0, 0, 0, 5, False),
    ]
    # T2 = May + August: 8 met of 10.
    assert counted(compliance(db, today=date(2026, 10, 1))) == [
        ("A", "2025-T3", 0, 5, 0.0, 0, 0, 5, False),
        ("A", "2026-T1", 5, 5, 1.0, 0, 0, 5, False),
        ("A", "2026-T2", 8, 10, 0.8, 0, 0, 10, False),
        ("A", "2026-T3", 0, 5, 0.0, 0, 0, 5, False),
    ]
    # start/end select whole periods: mid-April..mid-May is April and May, or T1 and T2.
    window = dict(today=date(2026, 10, 1), start=date(2026, 4, 15), end=date(2026, 5, 15))
    assert [r.period for r in compliance(db, period="month", **window)] == ["2026-04", "2026-05"]
    assert [r.period for r in compliance(db, **window)] == ["2026-T1", "2026-T2"]
    # Either bound may be open.
    assert [r.period for r in compliance(db, today=date(2026, 10, 1), start=date(2026, 6, 1))] == [
        "2026-T2", "2026-T3"]
    assert [r.period for r in compliance(db, today=date(2026, 10, 1), end=date(2026, 1, 1))] == [
        "2025-T3", "2026-T1"]
    assert [r.period for r in compliance(db, today=date(2026, 10, 1), period="month",
                                         start=date(2026, 5, 31), end=date(2026, 5, 31))] == ["2026-05"]


def test_units_restriction_filters_and_all_units_together(db):
    store(db,
          *rows(3, "A", "met", end=MARCH),
          *rows(1, "B", "met", end=MARCH),
          *rows(1, "B", "breached", end=MARCH),
          *rows(4, "C", "met", end=MARCH),
          *rows(5, "A", "met", end=MARCH, indicator="evaluation", label="Evaluering", target=None),
          *rows(5, "A", "met", end=MARCH, pathway="other"))
    everything = compliance(db, today=TODAY, pathway="tsb_d01", indicator="assessment")
    assert [(r.unit, r.suppressed) for r in everything] == [("A", True), ("B", True), ("C", True)]
    # A and B together: 3 + 1 met of 5.
    assert compliance(db, today=TODAY, pathway="tsb_d01", indicator="assessment", units={"A", "B"},
                      by_unit=False) == [
        ComplianceRow("tsb_d01", None, "assessment", "Utredning", "2026-T1", 4, 5, 0.8, 0.8, 0, 0, 5, False, False)]
    # The whole trust: 3 + 1 + 4 = 8 met of 9.
    assert counted(compliance(db, today=TODAY, pathway="tsb_d01", indicator="assessment", by_unit=False)) == [
        (None, "2026-T1", 8, 9, round(8 / 9, 6), 0, 0, 9, False)]
    # unit and units together: both apply.
    assert [r.unit for r in compliance(db, today=TODAY, unit="C", units=["B", "C"])] == ["C"]
    assert compliance(db, today=TODAY, unit="A", units=["B", "C"]) == []
    assert compliance(db, today=TODAY, units=[]) == []
    assert compliance(db, today=TODAY, unit="nowhere") == []
    # Sorted by pathway, indicator, unit; the other pathway's and indicator's groups are unsuppressed (5 each).
    assert [(r.pathway_key, r.indicator_key, r.unit, r.suppressed, r.target) for r in
            compliance(db, today=TODAY, units={"A"})] == [
        ("other", "assessment", "A", False, 0.8),
        ("tsb_d01", "assessment", "A", True, 0.8),
        ("tsb_d01", "evaluation", "A", False, None),
    ]


def test_pathways_are_distinct_instances_and_rows_sort_the_same_on_every_database(db):
    # A repeating indicator: one instance has two intervals in March. 5 rows, 4 pathways: suppressed.
    store(db,
          *rows(3, "A", "met", end=MARCH),
          dict(unit="A", status="met", end=MARCH, instance="twice", sequence=1),
          dict(unit="A", status="breached", end=date(2026, 3, 30), instance="twice", sequence=2))
    assert counted(compliance(db, today=TODAY)) == [("A", "2026-T1", *[None] * 6, True)]
    store(db, dict(unit="A", status="met", end=MARCH, unconfirmed=True))
    # Now 5 pathways: 5 met of 6 rows; one row flagged unconfirmed flags the group.
    (row,) = compliance(db, today=TODAY)
    assert (row.numerator, row.denominator, row.share, row.pathways, row.unconfirmed) == (5, 6, 5 / 6, 5, True)
    # Code point order (not a database collation): "A" < "b" < "Ø".
    store(db, *[dict(unit=u, status="met", end=MARCH) for u in ("Ø", "b")])
    assert [r.unit for r in compliance(db, today=TODAY)] == ["A", "b", "Ø"]


def test_csv_has_stable_norwegian_columns_and_empty_suppressed_cells(db):
    store(db,
          *rows(2, "DPS Øst", "met", end=MARCH),
          *rows(1, "DPS Øst", "breached", end=MARCH),
          *rows(1, "DPS Øst", "overdue", due=MARCH),
          *rows(1, "DPS Øst", "pending", due=date(2026, 4, 1)),
          *rows(1, "DPS Øst", "deferred", end=MARCH, deferral=True),
          *rows(1, "Vest", "met", end=MARCH, unconfirmed=True, target=None),
          *rows(5, "Alfa", "met", end=MARCH))
    text = to_csv(compliance(db, today=TODAY))
    assert text == (
        "pakkeforlop,enhet,indikator,indikator_navn,periode,teller,nevner,andel,maal_andel,pasientutsatt,forfalt,"
        "antall_forlop,prikket,ubekreftet\r\n"
        # Alfa: 5 pathways like DPS Øst, first by name: suppressed beside Vest (complementary suppression).
        "tsb_d01,Alfa,assessment,Utredning,2026-T1,,,,0.8000,,,,ja,nei\r\n"
        # 2 met of 2 + 1 breached + 2 overdue = 0.4
        "tsb_d01,DPS Øst,assessment,Utredning,2026-T1,2,5,0.4000,0.8000,1,2,5,nei,nei\r\n"
        "tsb_d01,Vest,assessment,Utredning,2026-T1,,,,,,,,ja,ja\r\n")
    assert to_csv([]).splitlines() == [text.splitlines()[0]]
    by_trust = to_csv(compliance(db, today=TODAY, by_unit=False), delimiter=";").splitlines()
    # 2 + 1 + 5 met of 5 + 1 + 5 = 8/11; the unit cell is empty.
    assert by_trust[1] == "tsb_d01;;assessment;Utredning;2026-T1;8;11;0.7273;0.8000;1;2;11;nei;ja"


def test_a_label_with_the_delimiter_is_quoted():
    row = ComplianceRow("p", "U", "k", 'Første "evaluering", poliklinikk', "2026-05", 2, 3, 2 / 3, None, 0, 0, 5,
                        False, False)
    assert to_csv([row]).splitlines()[1] == (
        'p,U,k,"Første ""evaluering"", poliklinikk",2026-05,2,3,0.6667,,0,0,5,nei,nei')


# --- periods and input ---------------------------------------------------------------------------------------

def test_period_labels_and_bounds():
    assert [period_of(date(2026, m, 15), "tertial") for m in (1, 4, 5, 8, 9, 12)] == [
        "2026-T1", "2026-T1", "2026-T2", "2026-T2", "2026-T3", "2026-T3"]
    assert period_of(date(2026, 3, 31), "month") == "2026-03"
    assert period_bounds(date(2026, 5, 1), "tertial") == (date(2026, 5, 1), date(2026, 8, 31))
    assert period_bounds(date(2026, 12, 31), "tertial") == (date(2026, 9, 1), date(2026, 12, 31))
    assert period_bounds(date(2028, 2, 10), "month") == (date(2028, 2, 1), date(2028, 2, 29))
    assert periods_between(date(2025, 11, 30), date(2026, 5, 1), "tertial") == ["2025-T3", "2026-T1", "2026-T2"]
    assert periods_between(date(2025, 11, 30), date(2026, 2, 1), "month") == ["2025-11", "2025-12", "2026-01",
                                                                             "2026-02"]
    assert periods_between(date(2026, 4, 30), date(2026, 4, 30), "month") == ["2026-04"]


@pytest.mark.parametrize("call, message", [
    (lambda db: compliance(db, today=TODAY, period="year"), "period must be one of month, tertial, not 'year'"),
    (lambda db: compliance(db, today=TODAY, start=date(2026, 5, 1), end=date(2026, 4, 30)),
     r"start \(2026-05-01\) is after end \(2026-04-30\)"),
    (lambda db: compliance(db, today=TODAY, units="DPS Nord"), "units must be a collection"),
    (lambda db: compliance(db, today="2026-06-15"), "today must be a date"),
    (lambda db: compliance(db, today=TODAY, start=datetime(2026, 1, 1)), "start must be a date"),
    (lambda db: periods_between(date(2026, 2, 1), date(2026, 1, 1), "month"), "is after end"),
    (lambda db: periods_between(date(2026, 1, 1), date(2026, 2, 1), "week"), "period must be one of"),
    (lambda db: period_of(date(2026, 1, 1), "quarter"), "period must be one of"),
])
def test_bad_input_is_refused_with_a_clear_message(db, call, message):
    with pytest.raises(InvalidInput, match=message):
        call(db)


def test_complementary_suppression_hides_a_second_unit_only_beside_a_lone_suppressed_one(db):
    store(db,
          *rows(3, "A", "met", end=MARCH),                       # primary
          *rows(6, "B", "met", end=MARCH),
          *rows(5, "C", "met", end=MARCH),                       # the smallest of the others: complementary
          *rows(7, "D", "met", end=MARCH),
          *rows(2, "A", "met", end=date(2025, 7, 1)), *rows(4, "B", "met", end=date(2025, 7, 1)), *rows(9, "C", "met", end=date(2025, 7, 1)),
          *rows(5, "A", "met", end=date(2025, 11, 3)), *rows(5, "B", "met", end=date(2025, 11, 3)))
    why = {(r.unit, r.period): r.suppression for r in compliance(db, today=TODAY)}
    assert why == {
        ("A", "2026-T1"): "primary", ("B", "2026-T1"): None, ("C", "2026-T1"): "complementary",
        ("D", "2026-T1"): None,
        # two primary suppressions: only their sum (6) can be worked out, nothing more is hidden
        ("A", "2025-T2"): "primary", ("B", "2025-T2"): "primary", ("C", "2025-T2"): None,
        # nothing suppressed, nothing hidden
        ("A", "2025-T3"): None, ("B", "2025-T3"): None}
    # a complementary row hides every count, as a primary one does
    [c] = compliance(db, today=TODAY, unit="C", start=MARCH, end=MARCH)
    assert (c.numerator, c.denominator, c.share, c.deferred, c.overdue, c.pathways, c.suppressed) == (
        None, None, None, None, None, None, True)
    # the decision is made within the units the user may read: without C, D is the smallest beside A
    assert {r.unit: r.suppression for r in compliance(db, today=TODAY, units={"A", "B", "D"}, start=MARCH,
                                                     end=MARCH)} == {
        "A": "primary", "B": "complementary", "D": None}


# --- pages ---------------------------------------------------------------------------------------------------

def test_pages_put_together_are_the_report_in_one_piece_with_its_suppression(db):
    """Units A–F, two months, a lone suppressed unit beside others (so complementary suppression is at stake):
    pages of every size give the one-piece report's rows, in its order, each page's suppression decided over
    the whole report."""
    april = date(2026, 4, 20)
    store(db, *rows(3, "A", "met", end=MARCH), *rows(6, "B", "met", end=MARCH), *rows(7, "C", "met", end=MARCH),
          *rows(5, "D", "met", end=april), *rows(8, "E", "breached", end=april), *rows(2, "F", "met", end=april),
          # other indicators and pathways, in code point order before and after it ("Z" < "a"), so a later page
          # reading from its cursor's pathway and indicator on has something to leave out
          *rows(5, "A", "met", end=MARCH, indicator="Zeta"), *rows(2, "B", "met", end=MARCH, indicator="Zeta"),
          *rows(6, "C", "breached", end=MARCH, indicator="alpha"), *rows(5, "A", "met", end=MARCH, pathway="a_first"),
          *rows(1, "A", "overdue", due=MARCH, indicator="zulu"), *rows(5, "B", "pending", due=april, indicator="zulu"))
    for period, by_unit, unit in (("month", True, None), ("month", False, None), ("tertial", True, None),
                                  ("month", True, "B")):
        whole = compliance(db, today=TODAY, period=period, by_unit=by_unit, unit=unit)
        assert len(whole) == {(True, None): 12, (False, None): 7, (True, "B"): 3}[by_unit, unit]
        assert unit or list(dict.fromkeys((r.pathway_key, r.indicator_key) for r in whole)) == [
            ("a_first", "assessment"), ("tsb_d01", "Zeta"), ("tsb_d01", "alpha"), ("tsb_d01", "assessment"),
            ("tsb_d01", "zulu")]
        for limit in range(1, len(whole) + 2):
            seen, cursor, pages = [], None, 0
            while True:
                page = compliance_page(db, today=TODAY, period=period, by_unit=by_unit, unit=unit, limit=limit,
                                       after=cursor)
                assert len(page.rows) == min(limit, len(whole) - len(seen))
                seen += page.rows
                pages += 1
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert seen == whole, (period, by_unit, unit, limit)
            assert pages == -(-len(whole) // limit)  # no empty last page
    # B is hidden beside A in March (the smallest other unit) on whichever page it falls
    assessment = compliance_page(db, today=TODAY, period="month", pathway="tsb_d01", indicator="assessment",
                                 limit=2).rows
    assert [(r.unit, r.suppression) for r in assessment] == [("A", "primary"), ("B", "complementary")]
    one_unit = compliance_page(db, today=TODAY, period="month", unit="B", pathway="tsb_d01", indicator="assessment",
                               limit=5)
    assert [(r.unit, r.suppression) for r in one_unit.rows] == [("B", "complementary")]
    assert one_unit.next_cursor is None


def test_a_page_after_a_changed_row_starts_where_the_last_one_ended(db):
    """Keyset paging: a unit added before the cursor moves no row of the next page."""
    store(db, *rows(5, "B", "met", end=MARCH), *rows(5, "D", "met", end=MARCH))
    first = compliance_page(db, today=TODAY, limit=1)
    assert [r.unit for r in first.rows] == ["B"]
    store(db, *rows(5, "A", "met", end=MARCH))
    second = compliance_page(db, today=TODAY, limit=1, after=first.next_cursor)
    assert [r.unit for r in second.rows] == ["D"] and second.next_cursor is None


@pytest.mark.parametrize("kwargs, code", [
    ({"limit": 0}, "limit_invalid"), ({"limit": -3}, "limit_invalid"), ({"limit": 2.5}, "limit_invalid"),
    ({"limit": True}, "limit_invalid"), ({"after": "not base64 at all!"}, "cursor_invalid"),
    ({"after": "aGVsbG8"}, "cursor_invalid"),  # base64 of "hello": no position in it
    ({"after": "__8"}, "cursor_invalid"),  # not UTF-8
])
def test_a_bad_page_is_refused_with_its_code(db, kwargs, code):
    with pytest.raises(InvalidInput) as refused:
        compliance_page(db, today=TODAY, **kwargs)
    assert refused.value.code == code
