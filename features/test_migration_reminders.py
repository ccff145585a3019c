"""Migration when not every patient can move: a removed current task, a failing run, an incident it resolves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from engine.access.principals import DEV_USERS
from engine.actions import migrations
from engine.catalogue.deployment import deploy
from engine.db.models import Incident, PathwayInstance
from engine.runtime.migration import Selection
from engine.statuses import IncidentStatus
from features.conftest import Pathway
from tests.bpmn_samples import timer_then_script
from tests.support import complete, detail

scenarios("migration_reminders.feature")

MODELLER = DEV_USERS["dev-modellerer"]
WORKS = timer_then_script("follow_up_weeks = 2", days=7)
FAILS = timer_then_script("follow_up_weeks = missing_variable + 1", days=7)
WITHOUT_FOLLOW_UP = (WORKS.replace(b'<bpmn:userTask id="follow_up" name="F\xc3\xb8lge opp pasienten" />', b"")
                     .replace(b'targetRef="follow_up"', b'targetRef="end"')
                     .replace(b'<bpmn:sequenceFlow id="f5" sourceRef="follow_up" targetRef="end" />', b""))
EARLY, LATER = date(2026, 1, 5), date(2026, 1, 12)  # a reminder set on EARLY is due on LATER


@dataclass
class Reminders:
    """The scenario's patients by role in it, the first version, the new one, and the last answer."""

    patients: dict[str, str] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)
    first_version: int | None = None
    new_version: int | None = None
    report: dict[str, Any] | None = None

    def item(self, who: str) -> dict[str, Any]:
        return next(i for i in self.report["items"] if i["instance_id"] == self.patients[who])


@pytest.fixture
def reminders() -> Reminders:
    return Reminders()


def _start(pathway: Pathway, reminders: Reminders, source: bytes, assessed: date) -> str:
    reminders.first_version = deploy(pathway.runtime.db, pathway.clock, source, "reminder.bpmn").version_id
    number = len(reminders.patients) + len(reminders.waiting) + 1
    instance_id = pathway.runtime.start_pathway(patient_key=f"P-{number:04d}", pathway_key="reminder",
                                                unit="DPS Test", setting="outpatient", referral_received_on=assessed)
    complete(pathway.runtime, instance_id, "assess", assessed)
    return instance_id


def _version_of(pathway: Pathway, instance_id: str) -> int:
    with pathway.runtime.db.reading() as session:
        return session.get(PathwayInstance, instance_id).pathway_version_id


def _open(pathway: Pathway, instance_id: str) -> list[str]:
    return [t["element_id"] for t in detail(pathway.runtime, instance_id)["open_tasks"]]


@given(parsers.parse("1 patient of the reminder pathway has the follow-up task open"))
def with_follow_up(pathway: Pathway, reminders: Reminders) -> None:
    reminders.patients["follow-up"] = _start(pathway, reminders, WORKS, EARLY)
    pathway.move_to(LATER)
    assert pathway.runtime.fire_due_timers() == 1
    assert _open(pathway, reminders.patients["follow-up"]) == ["follow_up"]


@given(parsers.parse("1 patient of the reminder pathway waits for a reminder that is due now"))
def due_now(pathway: Pathway, reminders: Reminders) -> None:
    reminders.patients["due"] = _start(pathway, reminders, WORKS, EARLY)


@given(parsers.parse("{count:d} patients of the reminder pathway wait for their reminder"))
def waiting(pathway: Pathway, reminders: Reminders, count: int) -> None:
    pathway.move_to(LATER)
    for _ in range(count):
        reminders.waiting.append(_start(pathway, reminders, WORKS, LATER))


@given("1 patient of the reminder pathway waits for a reminder on a version whose script fails")
def on_failing_version(pathway: Pathway, reminders: Reminders) -> None:
    reminders.patients["stopped"] = _start(pathway, reminders, FAILS, EARLY)


@given("the scheduler has recorded an incident for the patient's reminder")
def incident_recorded(pathway: Pathway, reminders: Reminders) -> None:
    pathway.move_to(LATER)
    pathway.runtime.tick()
    assert len(_incidents(pathway, IncidentStatus.OPEN)) == 1


def _incidents(pathway: Pathway, status: str) -> list[Incident]:
    with pathway.runtime.db.reading() as session:
        return list(session.scalars(select(Incident).where(Incident.status == status)))


@when("the modeller deploys a reminder version without the follow-up task")
def deploy_without_follow_up(pathway: Pathway, reminders: Reminders) -> None:
    assert b"\"follow_up\"" not in WITHOUT_FOLLOW_UP
    reminders.new_version = deploy(pathway.runtime.db, pathway.clock, WITHOUT_FOLLOW_UP, "reminder.bpmn").version_id


@when("the modeller deploys a reminder version whose follow-up script fails")
def deploy_failing(pathway: Pathway, reminders: Reminders) -> None:
    reminders.new_version = deploy(pathway.runtime.db, pathway.clock, FAILS, "reminder.bpmn").version_id


@when("the modeller deploys a reminder version whose script works")
def deploy_working(pathway: Pathway, reminders: Reminders) -> None:
    reminders.new_version = deploy(pathway.runtime.db, pathway.clock, WORKS, "reminder.bpmn").version_id


@when("the modeller runs a dry-run of moving the reminder pathway's patients to it")
def dry_run(pathway: Pathway, reminders: Reminders) -> None:
    reminders.report = migrations.migrate_instances(pathway.runtime, MODELLER, Selection("reminder"),
                                                    to_version_id=reminders.new_version, dry_run=True)


@when("the modeller migrates the reminder pathway's patients to the new version")
def migrate(pathway: Pathway, reminders: Reminders) -> None:
    reminders.report = migrations.migrate_instances(pathway.runtime, MODELLER, Selection("reminder"),
                                                    to_version_id=reminders.new_version, dry_run=False)


@then(parsers.parse("{count:d} patients moved to the new version"))
def moved(pathway: Pathway, reminders: Reminders, count: int) -> None:
    assert reminders.report["moved"] == count and reminders.report["done"] == reminders.report["total"] == count + 1
    assert [_version_of(pathway, i) for i in reminders.waiting] == [reminders.new_version] * count
    assert all(_open(pathway, i) == [] for i in reminders.waiting)  # still waiting for their reminder


@then(parsers.parse('the patient {who} is refused because "{code}"'))
def refused(reminders: Reminders, who: str, code: str) -> None:
    key = {"with the follow-up task": "follow-up", "whose reminder is due": "due"}[who]
    item = reminders.item(key)
    assert (item["ok"], item["code"]) == (False, code) and item["message"]


@then("the patient with the follow-up task is still on the first version with the follow-up task open")
def still_at_follow_up(pathway: Pathway, reminders: Reminders) -> None:
    instance_id = reminders.patients["follow-up"]
    assert _version_of(pathway, instance_id) == reminders.first_version
    assert _open(pathway, instance_id) == ["follow_up"]
    item = reminders.item("follow-up")  # the refusal says where the patient stands
    assert (item["from_version_id"], item["unit"], item["current_elements"]) == (
        reminders.first_version, "DPS Test", ["follow_up"])


@then("the patient whose reminder is due is still on the first version")
def still_first(pathway: Pathway, reminders: Reminders) -> None:
    instance_id = reminders.patients["due"]
    assert _version_of(pathway, instance_id) == reminders.first_version and _open(pathway, instance_id) == []


@then("the dry-run says the incident would be resolved and the follow-up task opened")
def dry_run_says(pathway: Pathway, reminders: Reminders) -> None:
    [incident] = _incidents(pathway, IncidentStatus.OPEN)
    item = reminders.item("stopped")
    assert item["ok"] and item["incidents_resolved"] == [incident.id] and item["tasks_opened"] == ["follow_up"]
    assert _open(pathway, reminders.patients["stopped"]) == []


@then("the patient has the follow-up task")
def has_follow_up(pathway: Pathway, reminders: Reminders) -> None:
    instance_id = reminders.patients["stopped"]
    assert _version_of(pathway, instance_id) == reminders.new_version
    assert _open(pathway, instance_id) == ["follow_up"]


@then("the incident is resolved with a note naming the migration")
def incident_resolved(pathway: Pathway, reminders: Reminders) -> None:
    assert _incidents(pathway, IncidentStatus.OPEN) == []
    [incident] = _incidents(pathway, IncidentStatus.RESOLVED)
    assert incident.resolved_by == MODELLER.id
    assert f"migration to version {reminders.new_version}" in incident.resolution
