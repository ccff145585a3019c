"""The task list at scale: the stored urgent date follows every change of the pathway's deadlines, keyset pages
cover the list exactly once in its order, counts stop at their cap, and a list read leaves one audit row that the
trail still finds by patient. On SQLite and PostgreSQL (the `client` fixture)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.db.models import (
    NO_URGENT_DATE,
    AuditEvent,
    AuditShown,
    CoordinatorTask,
    IndicatorMeasurement,
    MeasuringPointEvent,
)
from engine.reading import tasks as task_reading
from engine.statuses import OPEN_DEADLINE_STATUSES, TaskStatus
from tests.support import complete
from tests.test_coordinator_worklist import TODAY, urgent_set
from tests.test_web import start


@pytest.fixture
def runtime(client):
    return client.app.state.runtime


def stored_and_expected(runtime) -> list[tuple[str, date, date]]:
    """Every open task's stored urgent date, with the one its instance's deadlines give now."""
    m = IndicatorMeasurement
    nearest = (select(func.min(m.due_on)).where(m.instance_id == CoordinatorTask.instance_id, m.end_on.is_(None),
                                                m.status.in_(OPEN_DEADLINE_STATUSES))
               .correlate(CoordinatorTask).scalar_subquery())
    with runtime.db.reading() as session:
        rows = session.execute(select(CoordinatorTask.element_id, CoordinatorTask.urgent_on,
                                      func.coalesce(nearest, CoordinatorTask.due_on))
                               .where(CoordinatorTask.status == TaskStatus.OPEN)).all()
    return [(element, stored, expected or NO_URGENT_DATE) for element, stored, expected in rows]


def assert_urgent_dates_current(runtime) -> None:
    rows = stored_and_expected(runtime)
    assert rows and all(stored == expected for _, stored, expected in rows), rows


def urgent_of(runtime, instance_id: str, element: str) -> date:
    with runtime.db.reading() as session:
        return session.scalar(select(CoordinatorTask.urgent_on).where(
            CoordinatorTask.instance_id == instance_id, CoordinatorTask.element_id == element,
            CoordinatorTask.status == TaskStatus.OPEN))


def test_the_stored_urgent_date_follows_completion_correction_and_closure(client, runtime):
    ids = urgent_set(runtime)
    assert_urgent_dates_current(runtime)
    # completion: the first attendance on 17 December started the 21-day deadline due 7 January
    assert urgent_of(runtime, ids["a"], "somatic_health_check") == date(2026, 1, 7)
    assert urgent_of(runtime, ids["b"], "assess_referral") != NO_URGENT_DATE
    with runtime.db.reading() as session:
        attended = session.scalars(select(MeasuringPointEvent).where(
            MeasuringPointEvent.instance_id == ids["a"], MeasuringPointEvent.element_id == "first_attendance")).one()
    # correction: the attendance moved a week earlier moves the deadline, and the task with it
    runtime.correct_event_date(ids["a"], attended.id, occurred_on=date(2025, 12, 10), reason="feil dato",
                               actor="admin")
    moved = urgent_of(runtime, ids["a"], "somatic_health_check")
    assert moved < date(2026, 1, 7)
    assert_urgent_dates_current(runtime)
    # undoing it takes the deadline away: the task falls back to what is left running
    runtime.undo_event(ids["a"], attended.id, reason="registrert på feil pasient", actor="admin")
    assert urgent_of(runtime, ids["a"], "somatic_health_check") != moved
    assert_urgent_dates_current(runtime)
    # closure: no open task of the pathway is left, the others are untouched
    runtime.close_pathway(ids["c"], closed_on=TODAY, outcome="other", actor="admin")
    assert urgent_of(runtime, ids["c"], "assess_referral") is None
    assert_urgent_dates_current(runtime)


def all_pages(client, url: str, limit: int) -> list[str]:
    seen, cursor = [], None
    for _ in range(100):
        page = client.get(f"{url}{'&' if '?' in url else '?'}limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [t["id"] for t in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the cursor never reached the end")


@pytest.mark.parametrize("url", ["/tasks", "/tasks?due=this_week", "/tasks?unit=DPS%20Nord"])
def test_keyset_pages_cover_every_task_once_in_the_lists_order(client, runtime, url):
    urgent_set(runtime)
    for number in range(4, 9):  # same urgent dates, several tasks without a due date: the ties need the cursor
        instance = start(runtime, f"URG-000{number}", date(2025, 12, 1) if number % 2 else TODAY)
        if number == 8:
            complete(runtime, instance, "assess_referral", TODAY, outcome="right_to_care")
    whole = [t["id"] for t in client.get(f"{url}{'&' if '?' in url else '?'}limit=500").json()["items"]]
    assert len(whole) >= 3
    for limit in (1, 2, 3):
        assert all_pages(client, url, limit) == whole
    offset_pages = [t["id"] for offset in range(0, len(whole), 2)
                    for t in client.get(f"{url}{'&' if '?' in url else '?'}limit=2&offset={offset}").json()["items"]]
    assert offset_pages == whole


def test_a_malformed_cursor_is_refused_with_its_code(client, runtime):
    urgent_set(runtime)
    for cursor in ("nonsense", "WyJ4Il0", "W10"):
        response = client.get(f"/tasks?cursor={cursor}")
        assert response.status_code == 422 and response.json()["code"] == "cursor_invalid", response.text


def test_counts_stop_at_the_cap_and_say_so(client, runtime, monkeypatch):
    urgent_set(runtime)
    full = client.get("/tasks").json()
    assert full["counts_capped"] == [] and full["total"] == 6
    monkeypatch.setattr(task_reading, "COUNT_CAP", 3)
    capped = client.get("/tasks").json()
    assert capped["total"] == 3 and capped["count_cap"] == 3 and len(capped["items"]) == 6
    assert capped["counts"] == {"overdue": 2, "this_week": 3, "soon": 3, "mine": 0, "unclaimed": 3}
    assert capped["counts_capped"] == ["total", "this_week", "soon", "unclaimed"]


def several_units(runtime) -> tuple[str, ...]:
    """Tasks in three units on interleaved urgent dates, with ties (same referral day in two units)."""
    units = ("DPS Nord", "DPS Sør", "BUP Vest")
    for number in range(9):
        unit = units[number % 3]
        instance = start(runtime, f"MRG-000{number}", date(2025, 11, 3) + timedelta(days=7 * (number // 2)), unit=unit)
        if number % 4 == 0:
            complete(runtime, instance, "assess_referral", TODAY, outcome="right_to_care")
    start(runtime, "MRG-0100", TODAY, unit="Porsgrunn kommune")  # not among the units asked for
    return units


def keyset_ids(runtime, flt: task_reading.TaskFilter, limit: int) -> list[str]:
    seen, cursor = [], None
    while True:
        page = task_reading.list_tasks(runtime.db, TODAY, flt, limit=limit, after=cursor)
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize("due", [None, "overdue"])
def test_several_units_merged_give_the_plain_querys_rows_in_its_order(client, runtime, monkeypatch, due):
    """The list of several units is read unit by unit and merged; with merging off (one `unit IN (…)` query)
    it is the same list, page by page, by cursor across the units and by offset."""
    flt = task_reading.TaskFilter(units=several_units(runtime), due=due)
    merged_page = task_reading.list_tasks(runtime.db, TODAY, flt, limit=500, me="koordinator-nord")
    merged = [t["id"] for t in merged_page["items"]]
    monkeypatch.setattr(task_reading, "MERGED_UNITS_MAX", 1)
    assert task_reading._parts(flt) == [flt]
    plain_page = task_reading.list_tasks(runtime.db, TODAY, flt, limit=500, me="koordinator-nord")
    plain = plain_page["items"]
    monkeypatch.undo()
    # the counts too, unit by unit and added up; with a quick filter on, the total is its count
    assert merged_page["counts"] == plain_page["counts"] and merged_page["total"] == plain_page["total"] == len(plain)
    assert not due or merged_page["total"] == merged_page["counts"][due]
    assert [(p.unit, p.units) for p in task_reading._parts(flt)] == [
        ("BUP Vest", None), ("DPS Nord", None), ("DPS Sør", None)]
    assert merged == [t["id"] for t in plain] and len(merged) >= (4 if due else 9)
    assert {t["unit"] for t in plain} <= set(flt.units) and len({t["unit"] for t in plain}) >= 2
    for limit in (1, 2, 4):
        assert keyset_ids(runtime, flt, limit) == merged
    by_offset = [t["id"] for offset in range(0, len(merged), 3)
                 for t in task_reading.list_tasks(runtime.db, TODAY, flt, limit=3, offset=offset)["items"]]
    assert by_offset == merged


def test_a_list_read_is_one_audit_row_that_the_trail_finds_by_each_patient_shown(client, runtime):
    ids = urgent_set(runtime)
    with runtime.db.reading() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    page = client.get("/tasks?limit=2").json()
    shown = {(t["patient_key"], t["instance_id"]) for t in page["items"]}
    with runtime.db.reading() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
        kept = set(session.execute(select(AuditShown.patient_key, AuditShown.instance_id)
                                   .where(AuditShown.event_id == rows[0].id)).all())
    assert [(r.action, r.patient_key) for r in rows] == [("list_tasks", None)] and kept == shown
    admin = {"Authorization": "Bearer dev-admin"}
    for patient, instance in shown:
        trail = client.get(f"/audit?patient_key={patient}&action=list_tasks", headers=admin).json()
        assert trail["total"] == 1 and trail["items"][0]["id"] == rows[0].id
        assert {"patient_key": patient, "instance_id": instance} in trail["items"][0]["shown"]
    unseen = ({"URG-0001", "URG-0002", "URG-0003"} - {p for p, _ in shown}).pop()
    assert client.get(f"/audit?patient_key={unseen}&action=list_tasks", headers=admin).json()["total"] == 0
    assert ids and client.get(f"/audit?patient_key={unseen}", headers=admin).json()["total"] >= 1  # its start
    html = client.get("/revisjonslogg?handling=list_tasks", headers=admin).text
    assert f"{len(shown)} forløp vist" in html
