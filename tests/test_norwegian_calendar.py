from datetime import date

import pytest

from engine.deadlines.calendar import (
    CALENDAR_DAYS,
    CALENDAR_MONTHS,
    WORKING_DAYS,
    add_days,
    add_working_days,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize("day, expected", [
    (date(2026, 1, 1), False),   # første nyttårsdag
    (date(2026, 4, 2), False),   # skjærtorsdag
    (date(2026, 4, 3), False),   # langfredag
    (date(2026, 4, 6), False),   # andre påskedag
    (date(2026, 5, 1), False),   # arbeidernes dag
    (date(2026, 5, 14), False),  # Kristi himmelfartsdag
    (date(2026, 5, 25), False),  # andre pinsedag
    (date(2026, 12, 24), True),  # julaften is not a public holiday
    (date(2026, 12, 25), False),
    (date(2026, 12, 26), False),  # a Saturday and a holiday
    (date(2026, 12, 31), True),
    (date(2026, 1, 10), False),  # Saturday
    (date(2026, 1, 11), False),  # Sunday
    (date(2026, 1, 12), True),
])
def test_working_days_follow_the_norwegian_calendar(day, expected):
    assert is_working_day(day) is expected


def test_ten_working_days_over_easter():
    assert add_working_days(date(2026, 3, 27), 10) == date(2026, 4, 15)


def test_ten_working_days_over_christmas_and_new_year():
    assert add_working_days(date(2026, 12, 18), 10) == date(2027, 1, 5)


def test_working_days_counted_from_a_weekend_start():
    assert add_working_days(date(2026, 1, 10), 1) == date(2026, 1, 12)
    assert add_working_days(date(2026, 1, 5), 0) == date(2026, 1, 5)


def test_working_days_between_is_the_inverse_of_adding():
    start = date(2026, 3, 27)
    for count in range(0, 30):
        assert working_days_between(start, add_working_days(start, count)) == count


def test_add_days_in_either_unit():
    assert add_days(date(2026, 1, 30), 3, CALENDAR_DAYS) == date(2026, 2, 2)
    assert add_days(date(2026, 1, 30), 3, WORKING_DAYS) == date(2026, 2, 4)
    with pytest.raises(ValueError):
        add_days(date(2026, 1, 30), 3, "weeks")


def test_a_month_ends_on_the_same_day_number_or_the_shorter_months_last_day():
    assert add_days(date(2026, 1, 15), 1, CALENDAR_MONTHS) == date(2026, 2, 15)
    assert add_days(date(2026, 1, 31), 1, CALENDAR_MONTHS) == date(2026, 2, 28)
    assert add_days(date(2028, 1, 31), 1, CALENDAR_MONTHS) == date(2028, 2, 29)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 30), -1)
