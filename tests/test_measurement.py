"""Indicator measurement rules on a small pathway: restart, repeat, outcome filter, deferral."""

from datetime import date

import pytest

from engine.deployment import deploy
from engine.indicators import DeadlineIndicator
from engine.runtime import RegisteredEvent, measure_event
from engine.store import IndicatorMeasurement, PathwayInstance
from tests.bpmn_samples import sample_pathway


@pytest.fixture
def instance_id(runtime, db, clock):
    deploy(db, clock, sample_pathway(), "sample.bpmn")
    return runtime.start_pathway(patient_key="P", pathway_key="sample", unit="U", setting="outpatient",
                                 referral_received_on=date(2026, 1, 5))


def measure(db, instance_id, indicator, *events):
    with db.transaction() as session:
        instance = session.get(PathwayInstance, instance_id)
        session.query(IndicatorMeasurement).filter_by(instance_id=instance_id).delete()
        rows: list[IndicatorMeasurement] = []
        for event in events:
            opened = measure_event(rows, instance, [indicator], event)
            assert all(row in rows for row in opened)
            session.add_all(opened)
    with db.reading() as session:
        return [(m.sequence, m.start_on, m.due_on, m.end_on, m.status, m.deferral_registered)
                for m in session.query(IndicatorMeasurement).filter_by(instance_id=instance_id)
                .order_by(IndicatorMeasurement.sequence)]


def indicator(text):
    return DeadlineIndicator.parse("x", text + "; unconfirmed=true")


def test_a_repeated_start_event_restarts_an_open_clock(db, instance_id):
    rows = measure(db, instance_id, indicator("from=a; to=b; limit=7; unit=calendar_days"),
                   RegisteredEvent("a", date(2026, 1, 5)), RegisteredEvent("a", date(2026, 1, 12)),
                   RegisteredEvent("b", date(2026, 1, 18)))
    assert rows == [(1, date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 18), "met", False)]


def test_a_non_repeating_indicator_is_measured_once(db, instance_id):
    rows = measure(db, instance_id, indicator("from=a; to=b; limit=7; unit=calendar_days"),
                   RegisteredEvent("a", date(2026, 1, 5)), RegisteredEvent("b", date(2026, 1, 20)),
                   RegisteredEvent("a", date(2026, 2, 1)), RegisteredEvent("b", date(2026, 2, 2)))
    assert rows == [(1, date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 20), "breached", False)]


def test_repeating_interval_opens_one_measurement_per_occurrence(db, instance_id):
    rows = measure(db, instance_id, indicator("from=e; to=e; repeat=true; limit=56; unit=calendar_days"),
                   RegisteredEvent("e", date(2026, 1, 5)), RegisteredEvent("e", date(2026, 3, 1)),
                   RegisteredEvent("e", date(2026, 4, 30)))
    assert rows == [
        (1, date(2026, 1, 5), date(2026, 3, 2), date(2026, 3, 1), "met", False),
        (2, date(2026, 3, 1), date(2026, 4, 26), date(2026, 4, 30), "breached", False),
        (3, date(2026, 4, 30), date(2026, 6, 25), None, "pending", False),
    ]


def test_outcome_filter_decides_whether_the_clock_starts(db, instance_id):
    ind = indicator("from=c; from_outcome=CP,CT; to=e; limit=7; unit=calendar_days")
    assert measure(db, instance_id, ind, RegisteredEvent("c", date(2026, 1, 5), "CK")) == []
    rows = measure(db, instance_id, ind, RegisteredEvent("c", date(2026, 1, 5), "CU"),
                   RegisteredEvent("c", date(2026, 2, 1), "CT"), RegisteredEvent("e", date(2026, 2, 6)))
    assert rows == [(1, date(2026, 2, 1), date(2026, 2, 8), date(2026, 2, 6), "met", False)]


def test_deferral_turns_a_late_end_into_deferred_but_not_an_on_time_one(db, instance_id):
    ind = indicator("from=a; to=b; limit=7; unit=calendar_days")
    late = measure(db, instance_id, ind, RegisteredEvent("a", date(2026, 1, 5)),
                   RegisteredEvent("patient_deferred", date(2026, 1, 7)), RegisteredEvent("b", date(2026, 1, 20)))
    assert late == [(1, date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 20), "deferred", True)]
    on_time = measure(db, instance_id, ind, RegisteredEvent("a", date(2026, 1, 5)),
                      RegisteredEvent("patient_deferred", date(2026, 1, 7)), RegisteredEvent("b", date(2026, 1, 9)))
    assert on_time == [(1, date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 9), "met", True)]
    before_start = measure(db, instance_id, ind, RegisteredEvent("patient_deferred", date(2026, 1, 4)),
                           RegisteredEvent("a", date(2026, 1, 5)), RegisteredEvent("b", date(2026, 1, 20)))
    assert before_start == [(1, date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 20), "breached", False)]


def test_working_day_limits(db, instance_id):
    rows = measure(db, instance_id, indicator("from=a; to=b; limit=10; unit=working_days"),
                   RegisteredEvent("a", date(2026, 3, 27)))
    assert rows == [(1, date(2026, 3, 27), date(2026, 4, 15), None, "pending", False)]
