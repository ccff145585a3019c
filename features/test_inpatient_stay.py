"""Døgnopphold og utskriving (an inpatient stay and the discharge of a discharge-ready patient).

Steps only this pathway needs: the admission, the notices to the municipality (`admission_notice`,
`discharge_ready_date_planned`, `discharge_ready_notice`) and what they carry, the checklist of the discharge-ready
conditions, the municipality's answer (`municipal_conditions`: sent as the API's `POST /instances/{id}/messages`
would send it, or by the municipal coordinator's task on the municipal side), the discharge and the discharge
summary. The municipal side is the patient's `municipal_coordination`, which the admission notice starts or links;
its steps say "on the municipal side" and look that instance up, so `pathway.instance_id` stays the stay.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from pytest_bdd import given, scenarios, then, when
from sqlalchemy import select

from engine.db.models import PathwayInstance, PathwayMessage
from engine.reading.tasks import TaskFilter, list_tasks
from engine.runtime.spiff import waiting_messages
from features.conftest import step
from tests.support import complete, detail, saved_workflow

scenarios("inpatient_stay.feature")

KEY = "inpatient_stay"

CONDITIONS = ("admission_problems_clarified", "other_problems_clarified", "open_questions_explained",
              "diagnosis_and_treatment_decided", "function_level_assessed", "specialist_follow_up_arranged",
              "individual_plan_updated")


# ---- the stay ------------------------------------------------------------------------------------------------

@given(step('the patient was admitted to "{unit:Q}" on {day:Day}'))
def admitted(pathway, unit: str, day: date) -> None:
    pathway.start(KEY, "inpatient", day, unit=unit)


@given(step('the admission was notified to "{municipality:Q}" on {day:Day}'))
@when(step('the admission was notified to "{municipality:Q}" on {day:Day}'))
def admission_notified(pathway, municipality: str, day: date) -> None:
    pathway.register("notify_admission", day, municipal_unit=municipality, municipal_coordinator="Kari Nordmann")


@given(step("the discharge-ready date was planned for {planned:Day} on {day:Day}"))
@when(step("the discharge-ready date was planned for {planned:Day} on {day:Day}"))
def discharge_ready_date_planned(pathway, planned: date, day: date) -> None:
    pathway.register("plan_discharge_ready_date", day, planned_discharge_ready_on=planned.isoformat())


def _assess(pathway, day: date, **unmet: bool) -> None:
    pathway.register("assess_discharge_readiness", day, **{**{c: True for c in CONDITIONS}, **unmet})


@given(step("all seven discharge-ready conditions were assessed as met on {day:Day}"))
@when(step("all seven discharge-ready conditions were assessed as met on {day:Day}"))
def all_conditions_met(pathway, day: date) -> None:
    _assess(pathway, day)


@given(step('the discharge-ready conditions were assessed on {day:Day} with "{condition:Q}" not met'))
@when(step('the discharge-ready conditions were assessed on {day:Day} with "{condition:Q}" not met'))
def condition_not_met(pathway, day: date, condition: str) -> None:
    assert condition in CONDITIONS, condition
    _assess(pathway, day, **{condition: False}, readiness_note="Gjenstår")


@given(step("the municipality was notified that the patient is discharge-ready on {day:Day}"))
@when(step("the municipality was notified that the patient is discharge-ready on {day:Day}"))
def discharge_ready_notified(pathway, day: date) -> None:
    pathway.register("notify_discharge_ready", day)


def _municipality_answers(pathway, day: date, *, housing: bool, services: bool) -> None:
    """The municipality's answer as a message from outside the pathways (the API's POST …/messages)."""
    pathway.move_to(day)
    pathway.runtime.send_message(pathway.instance_id, "municipal_conditions", occurred_on=day, data={
        "municipal_unit": "Porsgrunn kommune", "housing_in_place": housing, "services_decided": services})


@given(step("the municipality answered on {day:Day} that housing is in place and services are decided"))
@when(step("the municipality answered on {day:Day} that housing is in place and services are decided"))
def municipality_ready(pathway, day: date) -> None:
    _municipality_answers(pathway, day, housing=True, services=True)


@when(step("the municipality answered on {day:Day} that services are decided but housing is not in place yet"))
def municipality_without_housing(pathway, day: date) -> None:
    _municipality_answers(pathway, day, housing=False, services=True)


@when(step("the coordinator registered on {day:Day} on the timeline that the municipality's conditions are "
           "received"))
def conditions_registered_on_timeline(pathway, day: date) -> None:
    """The timeline's message form sends the message without data (`/forlop/{id}/melding`)."""
    pathway.move_to(day)
    pathway.runtime.send_message(pathway.instance_id, "municipal_conditions", occurred_on=day, data=None)


@given(step("the patient was discharged on {day:Day} with no readmission planned"))
@when(step("the patient was discharged on {day:Day} with no readmission planned"))
def discharged(pathway, day: date) -> None:
    pathway.register("discharge_patient", day, discharged_to="own_home", planned_readmission=False)


@given(step("the patient was discharged on {day:Day} with a readmission planned for {readmission:Day}"))
@when(step("the patient was discharged on {day:Day} with a readmission planned for {readmission:Day}"))
def discharged_with_readmission(pathway, day: date, readmission: date) -> None:
    pathway.register("discharge_patient", day, discharged_to="own_home", planned_readmission=True,
                     readmission_planned_on=readmission.isoformat())


@given(step("the discharge summary was sent to the GP on {day:Day}"))
@when(step("the discharge summary was sent to the GP on {day:Day}"))
def discharge_summary_sent(pathway, day: date) -> None:
    pathway.register("send_discharge_summary", day, general_practitioner="Fastlege Ola Lege",
                     follow_up_plan_described=True)


# ---- outcomes ------------------------------------------------------------------------------------------------

def _sent(pathway, name: str) -> list[Any]:
    message = PathwayMessage.__table__
    with pathway.runtime.db.engine.connect() as conn:
        return conn.execute(select(message).where(message.c.sender_instance_id == pathway.instance_id,
                                                  message.c.name == name).order_by(message.c.id)).all()


def _carries(pathway, name: str, number: int, datatable) -> None:
    header, *rows = datatable
    assert [h.strip() for h in header] == ["field", "value"], header
    sent = _sent(pathway, name)
    assert len(sent) >= number, f"{len(sent)} {name!r} messages sent"
    row = sent[number - 1]
    assert row.result_variable == name
    payload = json.loads(row.payload)
    expected = {f.strip(): v.strip() for f, v in rows}
    assert {f: payload.get(f) for f in expected} == expected, payload


@then(step('the "{name:Q}" message to the municipality carries:'))
def message_carries(pathway, name: str, datatable) -> None:
    _carries(pathway, name, 1, datatable)


@then(step('the "{name:Q}" message number {number:d} to the municipality carries:'))
def message_number_carries(pathway, name: str, number: int, datatable) -> None:
    _carries(pathway, name, number, datatable)


@then(step('the "{code:Q}" measuring point was not registered'))
def measuring_point_missing(pathway, code: str) -> None:
    assert code not in [e["code"] for e in pathway.detail()["measuring_points"]]


def _waits_for_conditions(pathway) -> bool:
    return "municipal_conditions" in waiting_messages(saved_workflow(pathway.runtime, pathway.instance_id))


@then("the pathway waits for the municipality's conditions for discharge")
def waits_for_conditions(pathway) -> None:
    assert _waits_for_conditions(pathway)


@then("the pathway no longer waits for the municipality's conditions for discharge")
def no_longer_waits(pathway) -> None:
    assert not _waits_for_conditions(pathway)


@then(step('the timer "{element:Q}" is flagged as unconfirmed configuration'))
def timer_flagged(pathway, element: str) -> None:
    notes = [f.note for f in pathway.pathway_definition().flags if f.element_id == element]
    assert notes and "lokal konfigurasjon" in notes[0], notes


# ---- the municipal side of the same patient ------------------------------------------------------------------

MUNICIPAL = "municipal_coordination"


def _municipal_id(pathway) -> str:
    with pathway.runtime.db.reading() as session:
        [instance_id] = session.scalars(select(PathwayInstance.id).where(
            PathwayInstance.patient_key == pathway.patient_key, PathwayInstance.pathway_key == MUNICIPAL)).all()
    return instance_id


def _municipal_open(pathway) -> list[str]:
    return [t["element_id"] for t in detail(pathway.runtime, _municipal_id(pathway))["open_tasks"]]


@given(step('the municipality "{municipality:Q}" already coordinates for the patient since {day:Day}'))
def already_coordinating(pathway, municipality: str, day: date) -> None:
    pathway.move_to(day)
    pathway.runtime.start_pathway(patient_key=pathway.patient_key, pathway_key=MUNICIPAL, unit=municipality,
                                  setting="outpatient", referral_received_on=day)


@then("the patient has one municipal coordination")
def one_municipal(pathway) -> None:
    assert _municipal_id(pathway)


@then(step('the municipal coordination runs in "{municipality:Q}", started on {day:Day}, in {setting:Setting} care'))
def municipal_runs(pathway, municipality: str, day: date, setting: str) -> None:
    view = detail(pathway.runtime, _municipal_id(pathway))
    assert (view["unit"], view["status"], view["started_on"], view["setting"]) == (
        municipality, "active", day, setting), view


@then(step('on the municipal side the task "{element:Q}" is open'))
def municipal_task_open(pathway, element: str) -> None:
    assert element in _municipal_open(pathway), _municipal_open(pathway)


@then(step('on the municipal side the task "{element:Q}" is not open'))
def municipal_task_not_open(pathway, element: str) -> None:
    assert element not in _municipal_open(pathway), _municipal_open(pathway)


@then(step('on the municipal side the task "{element:Q}" is open in the lane "{lane:Q}"'))
def municipal_task_in_lane(pathway, element: str, lane: str) -> None:
    page = list_tasks(pathway.runtime.db, pathway.today(), TaskFilter(lane=lane), limit=500)
    in_lane = [t["element_id"] for t in page["items"] if t["instance_id"] == _municipal_id(pathway)]
    assert element in in_lane, in_lane


@then(step("the municipal coordination was {how} by the admission notice{rest}"))
def municipal_link(pathway, how: str, rest: str) -> None:
    kind = {"started": "started_by_message", "linked": "linked_by_message"}[how]
    municipal = _municipal_id(pathway)
    [link] = detail(pathway.runtime, municipal)["linked_pathways"]
    assert (link["kind"], link["direction"], link["instance_id"], link["pathway"]) == (
        kind, "from", pathway.instance_id, KEY)
    [message] = [m for m in pathway.detail()["messages"] if m["name"] == "admission_notice"]
    assert (message["direction"], message["status"], message["other"]["instance_id"]) == (
        "sent", "delivered", municipal)


@then(step("the municipal coordination has the admission notice saying the patient was admitted on {day:Day}"))
def municipal_has_notice(pathway, day: date) -> None:
    workflow = saved_workflow(pathway.runtime, _municipal_id(pathway))
    [task] = [t for t in detail(pathway.runtime, _municipal_id(pathway))["open_tasks"]]
    data = workflow.get_task_from_id(uuid.UUID(task["id"])).data
    assert data["admission_notice"]["admitted_on"] == day.isoformat(), data["admission_notice"]


def _municipal_register(pathway, element: str, day: date, **form: Any) -> None:
    pathway.move_to(day)
    complete(pathway.runtime, _municipal_id(pathway), element, day, **form)


@when(step("the municipal coordinator registered the admission on {day:Day}"))
def municipal_registers_admission(pathway, day: date) -> None:
    _municipal_register(pathway, "register_admission_notice", day, ward_contact="Miljøterapeut Per")


@then(step('on the municipal side the "{code:Q}" measuring point was registered on {day:Day}'))
def municipal_measuring_point(pathway, code: str, day: date) -> None:
    points = detail(pathway.runtime, _municipal_id(pathway))["measuring_points"]
    assert day in [e["occurred_on"] for e in points if e["code"] == code], points


@when(step("the municipal coordinator prepared the measures before discharge on {day:Day}"))
def municipal_prepares(pathway, day: date) -> None:
    _municipal_register(pathway, "prepare_measures_before_discharge", day, housing_prepared=True,
                        service_application_sent=True)


@when(step("the municipal coordinator reported on {day:Day} that housing is in place and services are decided"))
def municipal_reports_ready(pathway, day: date) -> None:
    _municipal_register(pathway, "report_municipal_conditions", day, housing_in_place=True, services_decided=True)


@when(step("the municipal coordinator reported on {day:Day} that services are decided but housing is not in place "
           "yet"))
def municipal_reports_no_housing(pathway, day: date) -> None:
    _municipal_register(pathway, "report_municipal_conditions", day, housing_in_place=False, services_decided=True,
                        conditions_note="Venter på kommunal bolig")
