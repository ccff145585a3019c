"""Indicator measurement rules, without a database: restart, once-only, repeat, outcome filter, deferral."""

from datetime import date

from engine.deadlines.indicators import DeadlineIndicator
from engine.deadlines.measurement import RegisteredEvent, cancel_open, measure_event, open_due_dates


def indicator(text: str) -> DeadlineIndicator:
    return DeadlineIndicator.parse("x", text + "; unconfirmed=true")


def measure(ind, *events):
    rows = []
    for event in events:
        measure_event(rows, [ind], event)
    return [(m.sequence, m.start_on, m.due_on, m.end_on, m.status, m.deferral_registered) for m in rows]


def test_a_repeated_start_event_restarts_an_open_clock():
    rows = measure(indicator("from=a; to=b; limit=7; unit=calendar_days"),
                   RegisteredEvent("a", date(2026, 1, 5)), RegisteredEvent("a", date(2026, 1, 12)),
                   RegisteredEvent("b", date(2026, 1, 18)))
    assert rows == [(1, date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 18), "met", False)]


def test_a_non_repeating_indicator_is_measured_once():
    rows = measure(indicator("from=a; to=b; limit=7; unit=calendar_days"),
                   RegisteredEvent("a", date(2026, 1, 5)), RegisteredEvent("b", date(2026, 1, 20)),
                   RegisteredEvent("a", date(2026, 2, 1)), RegisteredEvent("b", date(2026, 2, 2)))
    assert rows == [(1, date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 20), "breached", False)]


def test_repeating_interval_opens_one_measurement_per_occurrence():
    rows = measure(indicator("from=e; to=e; repeat=true; limit=56; unit=calendar_days"),
                   RegisteredEvent("e", date(2026, 1, 5)), RegisteredEvent("e", date(2026, 3, 1)),
                   RegisteredEvent("e", date(2026, 4, 30)))
    assert rows == [
        (1, date(2026, 1, 5), date(2026, 3, 2), date(2026, 3, 1), "met", False),
        (2, date(2026, 3, 1), date(2026, 4, 26), date(2026, 4, 30), "breached", False),
        (3, date(2026, 4, 30), date(2026, 6, 25), None, "pending", False),
    ]


def test_outcome_filter_decides_whether_the_clock_starts():
    ind = indicator("from=c; from_outcome=CP,CT; to=e; limit=7; unit=calendar_days")
    assert measure(ind, RegisteredEvent("c", date(2026, 1, 5), "CK")) == []
    rows = measure(ind, RegisteredEvent("c", date(2026, 1, 5), "CU"),
                   RegisteredEvent("c", date(2026, 2, 1), "CT"), RegisteredEvent("e", date(2026, 2, 6)))
    assert rows == [(1, date(2026, 2, 1), date(2026, 2, 8), date(2026, 2, 6), "met", False)]


def test_deferral_turns_a_late_end_into_deferred_but_not_an_on_time_one():
    ind = indicator("from=a; to=b; limit=7; unit=calendar_days; deferrable=true")
    late = measure(ind, RegisteredEvent("a", date(2026, 1, 5)),
                   RegisteredEvent("patient_deferred", date(2026, 1, 7)), RegisteredEvent("b", date(2026, 1, 20)))
    assert late == [(1, date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 20), "deferred", True)]
    on_time = measure(ind, RegisteredEvent("a", date(2026, 1, 5)),
                      RegisteredEvent("patient_deferred", date(2026, 1, 7)), RegisteredEvent("b", date(2026, 1, 9)))
    assert on_time == [(1, date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 9), "met", True)]
    before_start = measure(ind, RegisteredEvent("patient_deferred", date(2026, 1, 4)),
                           RegisteredEvent("a", date(2026, 1, 5)), RegisteredEvent("b", date(2026, 1, 20)))
    assert before_start == [(1, date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 20), "breached", False)]


def test_a_deferral_does_not_touch_a_deadline_not_declared_deferrable():
    ind = indicator("from=a; to=b; limit=10; unit=working_days")
    rows = measure(ind, RegisteredEvent("a", date(2026, 1, 5)),
                   RegisteredEvent("patient_deferred", date(2026, 1, 7)), RegisteredEvent("b", date(2026, 2, 20)))
    assert rows == [(1, date(2026, 1, 5), date(2026, 1, 19), date(2026, 2, 20), "breached", False)]


def test_deferrable_takes_true_or_false_only():
    import pytest

    from engine.deadlines.indicators import IndicatorSyntaxError
    assert indicator("from=a; to=b; limit=7; unit=calendar_days; deferrable=ja").deferrable
    assert not indicator("from=a; to=b; limit=7; unit=calendar_days").deferrable
    with pytest.raises(IndicatorSyntaxError, match="'deferrable' must be true or false"):
        indicator("from=a; to=b; limit=7; unit=calendar_days; deferrable=sometimes")


def test_working_day_limits():
    rows = measure(indicator("from=a; to=b; limit=10; unit=working_days"), RegisteredEvent("a", date(2026, 3, 27)))
    assert rows == [(1, date(2026, 3, 27), date(2026, 4, 15), None, "pending", False)]


def test_closing_the_pathway_cancels_what_is_open_and_due_dates_follow_open_rows():
    rows = []
    first = indicator("from=a; to=b; limit=7; unit=calendar_days")
    second = DeadlineIndicator.parse("y", "from=a; to=b; limit=3; unit=calendar_days; unconfirmed=true")
    third = DeadlineIndicator.parse("z", "from=a; to=c; limit=1; unit=calendar_days; unconfirmed=true")
    for event in (RegisteredEvent("a", date(2026, 1, 5)),):
        measure_event(rows, [first, second, third], event)
    assert open_due_dates(rows) == {"b": date(2026, 1, 8), "c": date(2026, 1, 6)}
    measure_event(rows, [first, second, third], RegisteredEvent("c", date(2026, 1, 6)))
    cancel_open(rows)
    assert [r.status for r in rows] == ["cancelled", "cancelled", "met"]
    assert open_due_dates(rows) == {}


def test_an_event_whose_condition_is_false_ends_an_interval_but_opens_none():
    interval = indicator("from=e; to=e; repeat=true; limit=56; unit=calendar_days")
    rows: list = []
    measure_event(rows, [interval], RegisteredEvent("e", date(2026, 1, 5)))
    measure_event(rows, [interval], RegisteredEvent("e", date(2026, 2, 2)), not_starting={"x"})
    assert [(m.sequence, m.end_on, m.status) for m in rows] == [(1, date(2026, 2, 2), "met")]


def test_a_patients_own_limit_sets_the_due_date_and_is_kept_with_the_row():
    interval = indicator("from=m; to=m; repeat=true; limit=2; unit=calendar_months")
    rows: list = []
    measure_event(rows, [interval], RegisteredEvent("m", date(2026, 1, 31)), limits={"x": 1})
    measure_event(rows, [interval], RegisteredEvent("m", date(2026, 2, 27)))
    assert [(m.sequence, m.limit_days, m.due_on, m.status) for m in rows] == [
        (1, 1, date(2026, 2, 28), "met"), (2, 2, date(2026, 4, 27), "pending")]
