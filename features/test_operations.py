"""Operations: incidents that stop one patient, not all; corrections of registrations (engine.runtime.corrections)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from engine.catalogue.deployment import deploy
from engine.db.models import Incident
from engine.statuses import IncidentStatus
from features.conftest import Pathway, step
from tests.bpmn_samples import timer_then_script
from tests.support import complete, detail, open_task

scenarios("operations.feature")

WORKS = timer_then_script("follow_up_weeks = 2")
FAILS = timer_then_script("follow_up_weeks = missing_variable + 1")
REFERRED = date(2026, 1, 5)


@pytest.fixture
def waiting() -> list[str]:
    """The instances of the reminder scenario, in the order they were started."""
    return []


def _wait_for_reminder(pathway: Pathway, waiting: list[str], count: int, source: bytes) -> None:
    deploy(pathway.runtime.db, pathway.clock, source, "reminder.bpmn")
    for _ in range(count):
        instance_id = pathway.runtime.start_pathway(patient_key=f"P-{len(waiting) + 1:04d}", pathway_key="reminder",
                                                    unit="DPS Test", setting="outpatient",
                                                    referral_received_on=REFERRED)
        complete(pathway.runtime, instance_id, "assess", REFERRED)
        waiting.append(instance_id)


@given(parsers.parse("1 patient waits for a reminder on a version of that file whose script fails"))
def one_on_the_broken_version(pathway: Pathway, waiting: list[str]) -> None:
    _wait_for_reminder(pathway, waiting, 1, FAILS)
    deploy(pathway.runtime.db, pathway.clock, WORKS, "reminder.bpmn")  # the fixed file is current again


@given(parsers.parse("{count:d} patients wait for a reminder on a pathway file whose script works"))
def on_the_working_file(pathway: Pathway, waiting: list[str], count: int) -> None:
    _wait_for_reminder(pathway, waiting, count, WORKS)


@when(step("the scheduler runs on {day:Day}"))
def scheduler_runs(pathway: Pathway, day: date) -> None:
    pathway.move_to(day)
    pathway.runtime.tick()


@when("the scheduler runs again a minute later")
def scheduler_runs_again(pathway: Pathway) -> None:
    pathway.clock.set(pathway.clock.now() + timedelta(minutes=1))
    pathway.runtime.tick()


def _incidents(pathway: Pathway) -> list[Incident]:
    with pathway.runtime.db.reading() as session:
        return list(session.scalars(select(Incident).where(Incident.status == IncidentStatus.OPEN)))


@then(parsers.parse("{count:d} patients have their follow-up task"))
def with_follow_up(pathway: Pathway, waiting: list[str], count: int) -> None:
    have = [i for i in waiting
            if [t["element_id"] for t in detail(pathway.runtime, i)["open_tasks"]] == ["follow_up"]]
    assert len(have) == count


@then(parsers.parse('1 incident is open at "{label}"'))
def one_incident(pathway: Pathway, waiting: list[str], label: str) -> None:
    [incident] = _incidents(pathway)
    assert incident.element_label == label and incident.instance_id == waiting[-1]


@then(parsers.parse("the incident has been tried {count:d} time"))
def tried(pathway: Pathway, count: int) -> None:
    assert [i.attempts for i in _incidents(pathway)] == [count]


@when("the incident is retried on the fixed version")
def retried(pathway: Pathway) -> None:
    [incident] = _incidents(pathway)
    assert pathway.runtime.retry_incident(incident.id, actor="admin", on_current_version=True)


@then("no incident is open")
def none_open(pathway: Pathway) -> None:
    assert _incidents(pathway) == []


def _registration(pathway: Pathway, code: str) -> dict:
    return next(m for m in pathway.detail()["measuring_points"] if m["code"] == code and not m["undone"])


@when(step('the first attendance is corrected to {day:Day} because "{reason}"'))
def attendance_corrected(pathway: Pathway, day: date, reason: str) -> None:
    event = _registration(pathway, "first_attendance")
    pathway.runtime.correct_event_date(pathway.instance_id, event["id"], occurred_on=day, reason=reason,
                                       actor="koordinator")


@then(step("the first attendance shows it was corrected from {day:Day}"))
def attendance_shows_correction(pathway: Pathway, day: date) -> None:
    [correction] = _registration(pathway, "first_attendance")["corrections"]
    assert correction["old_occurred_on"] == day and correction["corrected_by"] == "koordinator"


@when(parsers.parse('the clinical decision is undone because "{reason}"'))
def decision_undone(pathway: Pathway, reason: str) -> None:
    event = _registration(pathway, "clinical_decision")
    pathway.runtime.undo_event(pathway.instance_id, event["id"], reason=reason, actor="koordinator")


@then("the clinical decision can be registered again")
def decision_again(pathway: Pathway) -> None:
    task = open_task(pathway.runtime, pathway.instance_id, "clinical_decision_basic")
    pathway.runtime.complete_task(task["id"], data={"outcome": "CU"}, occurred_on=pathway.today(),
                                  actor="koordinator")
    outcomes = [(m["outcome"], m["undone"]) for m in pathway.detail()["measuring_points"]
                if m["code"] == "clinical_decision"]
    assert outcomes == [("CT", True), ("CU", False)]
