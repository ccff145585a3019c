"""Two-way coordination between specialist care and the municipality, by messages between the patient's
pathways: the specialist coordinator's contact starts (or links) the municipal coordination, and the municipality's
changed needs and responsibility-group invitations reach the specialist coordinator.

The scenario follows two instances: `pathway.instance_id` is the side the shared steps look at, switched by
"on the municipal side" / "on the specialist side".
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from engine.db.models import PathwayInstance
from features.conftest import step
from tests.support import complete, detail, saved_workflow

scenarios("coordination.feature")

TSB, MUNICIPAL = "tsb_d01", "municipal_coordination"


@pytest.fixture
def sides() -> dict[str, str]:
    """The instance ids of the specialist and the municipal pathway, once the scenario has them."""
    return {}


def _municipal_id(pathway) -> str:
    with pathway.runtime.db.reading() as session:
        [instance_id] = session.scalars(select(PathwayInstance.id).where(
            PathwayInstance.patient_key == pathway.patient_key, PathwayInstance.pathway_key == MUNICIPAL)).all()
    return instance_id


def _fill(pathway, instance_id: str, element: str, day: date, **given: Any) -> None:
    """Register a municipal task with plain values for its required fields and what the scenario gives."""
    definition = pathway.runtime.definition_of(detail(pathway.runtime, instance_id)["pathway_version"]["id"])
    values: dict[str, Any] = {}
    for spec in definition.form_of(element):
        if spec.required:
            values[spec.id] = {"enum": spec.options[0][0] if spec.options else None, "boolean": False,
                               "date": day.isoformat(), "long": 1}.get(spec.type, "Registrert")
    pathway.move_to(day)
    complete(pathway.runtime, instance_id, element, day, **{**values, **given})


def _walk_municipal(pathway, sides: dict[str, str], day: date, until: str, **meeting: Any) -> None:
    """Work the municipal pathway's tasks in order until the task `until` is open."""
    for _ in range(12):
        open_now = [t["element_id"] for t in detail(pathway.runtime, sides["municipal"])["open_tasks"]]
        if until in open_now:
            return
        element = open_now[0]
        _fill(pathway, sides["municipal"], element, day,
              **(meeting if element == "coordination_meeting" else {}))
    raise AssertionError(f"{until} never opened")


@given(parsers.parse('an outpatient TSB referral naming "{coordinator}" in "{municipality}" was received on '
                     '{weekday} {day}'))
def referral_naming(pathway, sides, coordinator: str, municipality: str, weekday: str, day: str) -> None:
    received = date.fromisoformat(day)
    pathway.move_to(received)
    sides["specialist"] = pathway.instance_id = pathway.runtime.start_pathway(
        patient_key=pathway.patient_key, pathway_key=TSB, unit="DPS Nord", setting="outpatient",
        referral_received_on=received, municipal_unit=municipality, municipal_coordinator=coordinator)
    pathway.setting = "outpatient"


@given(step('the municipality "{municipality:Q}" already coordinates for the patient since {day:Day}'))
def already_coordinating(pathway, sides, municipality: str, day: date) -> None:
    pathway.move_to(day)
    sides["municipal"] = pathway.runtime.start_pathway(
        patient_key=pathway.patient_key, pathway_key=MUNICIPAL, unit=municipality, setting="outpatient",
        referral_received_on=day)


@given(step('the specialist coordinator contacted "{municipality:Q}" on {day:Day}'))
@when(step('the specialist coordinator contacted "{municipality:Q}" on {day:Day}'))
def contacted(pathway, sides, municipality: str, day: date) -> None:
    pathway.move_to(day)
    complete(pathway.runtime, sides["specialist"], "contact_municipal_coordinator", day,
             municipal_unit=municipality, municipal_coordinator="Per Koordinator")
    sides["municipal"] = _municipal_id(pathway)


@then(step('the municipal coordination runs in "{municipality:Q}", started on {day:Day}'))
def municipal_runs(pathway, sides, municipality: str, day: date) -> None:
    view = detail(pathway.runtime, sides["municipal"])
    assert (view["unit"], view["status"], view["started_on"]) == (municipality, "active", day), view


@then("the patient still has one municipal coordination")
def one_municipal(pathway, sides) -> None:
    assert _municipal_id(pathway) == sides["municipal"]


@then(parsers.parse('on the municipal side the task "{element}" is open'))
def municipal_task_open(pathway, sides, element: str) -> None:
    pathway.instance_id = sides["municipal"]
    assert element in [t["element_id"] for t in pathway.open_tasks()]


@then(parsers.parse('on the specialist side the task "{element}" is open'))
def specialist_task_open(pathway, sides, element: str) -> None:
    pathway.instance_id = sides["specialist"]
    assert element in [t["element_id"] for t in pathway.open_tasks()], pathway.open_tasks()


@then(parsers.parse("the municipal pathway shows it was {how} by the message from the specialist pathway"))
def municipal_link(pathway, sides, how: str) -> None:
    kind = {"started": "started_by_message", "linked": "linked_by_message"}[how]
    [link] = detail(pathway.runtime, sides["municipal"])["linked_pathways"]
    assert (link["kind"], link["direction"], link["instance_id"], link["pathway"]) == (
        kind, "from", sides["specialist"], TSB)
    [back] = detail(pathway.runtime, sides["specialist"])["linked_pathways"]
    assert (back["kind"], back["direction"], back["instance_id"]) == (kind, "to", sides["municipal"])


@then(parsers.parse('the specialist pathway shows the message "{name}" as delivered'))
def specialist_message_delivered(pathway, sides, name: str) -> None:
    [message] = [m for m in detail(pathway.runtime, sides["specialist"])["messages"] if m["name"] == name]
    assert (message["direction"], message["status"], message["other"]["instance_id"]) == (
        "sent", "delivered", sides["municipal"])
    [received] = [m for m in detail(pathway.runtime, sides["municipal"])["messages"] if m["name"] == name]
    assert (received["direction"], received["status"]) == ("received", "delivered")


@then(parsers.parse('the municipal pathway shows the message "{name}" as not delivered'))
def municipal_message_kept(pathway, sides, name: str) -> None:
    [message] = [m for m in detail(pathway.runtime, sides["municipal"])["messages"] if m["name"] == name]
    assert (message["direction"], message["status"], message["other"]) == ("sent", "kept", None)


@given(step("the municipality has reached the evaluation of the individual plan on {day:Day}"))
def municipal_to_evaluation(pathway, sides, day: date) -> None:
    _walk_municipal(pathway, sides, day, "follow_up_individual_plan", individual_plan_needed=False,
                    responsibility_group_needed=False, crisis_plan_needed=False)


@when(parsers.parse('the municipal coordinator evaluated the individual plan on {weekday} {day}, reporting changed '
                    'needs "{note}"'))
def evaluated_with_changed_needs(pathway, sides, weekday: str, day: str, note: str) -> None:
    _fill(pathway, sides["municipal"], "follow_up_individual_plan", date.fromisoformat(day), outcome="continue",
          needs_changed=True, changed_needs_note=note)


@then(parsers.parse('the specialist coordinator\'s task carries the note "{note}" from "{municipality}"'))
def task_carries_note(pathway, sides, note: str, municipality: str) -> None:
    [task] = [t for t in detail(pathway.runtime, sides["specialist"])["open_tasks"]
              if t["element_id"] == "assess_changed_needs"]
    data = saved_workflow(pathway.runtime, sides["specialist"]).get_task_from_id(uuid.UUID(task["id"])).data
    assert data["changed_needs"]["note"] == note and data["changed_needs"]["municipal_unit"] == municipality


@when(parsers.parse("the municipal coordinator established the responsibility group on {weekday} {day}, inviting "
                    "specialist care to a meeting on {weekday2} {meeting}"))
def group_established(pathway, sides, weekday: str, day: str, weekday2: str, meeting: str) -> None:
    on = date.fromisoformat(day)
    _walk_municipal(pathway, sides, on, "establish_responsibility_group", individual_plan_needed=False,
                    responsibility_group_needed=True, crisis_plan_needed=False)
    _fill(pathway, sides["municipal"], "establish_responsibility_group", on, members="Pasient, fastlege, NAV",
          invite_specialist_care=True, meeting_on=meeting)


@given(step("the specialist pathway was closed on {day:Day} as the patient moved"))
def specialist_closed(pathway, sides, day: date) -> None:
    pathway.move_to(day)
    pathway.runtime.close_pathway(sides["specialist"], closed_on=day, outcome="other", note="Flyttet")


@given(step('the municipality "{municipality:Q}" runs main course 3 for the patient since {day:Day}'))
def main_course_3(pathway, sides, municipality: str, day: date) -> None:
    pathway.move_to(day)
    sides["main_course_3"] = pathway.runtime.start_pathway(
        patient_key=pathway.patient_key, pathway_key="municipal_main_course_3", unit=municipality,
        setting="outpatient", referral_received_on=day)


@when(parsers.parse('a crisis was reported to main course 3 on {weekday} {day} and "{service}" got the authority to '
                    'coordinate'))
def crisis_on_main_course_3(pathway, sides, weekday: str, day: str, service: str) -> None:
    on = date.fromisoformat(day)
    pathway.move_to(on)
    pathway.runtime.send_message(sides["main_course_3"], "crisis_reported", occurred_on=on)
    complete(pathway.runtime, sides["main_course_3"], "blue_light_authority", on, lead_service=service)


@then(parsers.parse('the specialist coordinator\'s crisis task carries the note "{note}" from "{municipality}"'))
def crisis_task_carries_note(pathway, sides, note: str, municipality: str) -> None:
    [task] = [t for t in detail(pathway.runtime, sides["specialist"])["open_tasks"]
              if t["element_id"] == "follow_up_crisis_notice"]
    data = saved_workflow(pathway.runtime, sides["specialist"]).get_task_from_id(uuid.UUID(task["id"])).data
    assert data["crisis_notice"] == {"municipal_unit": municipality, "reported_on": data["crisis_notice"]["reported_on"],
                                     "note": note}
