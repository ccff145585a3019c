"""Døgnopphold og utskriving (an inpatient stay and the discharge of a discharge-ready patient).

Steps only this pathway needs: the admission, the notices to the municipality (`admission_notice`,
`discharge_ready_date_planned`, `discharge_ready_notice`) and what they carry, the checklist of the discharge-ready
conditions, the municipality's answer (`municipal_conditions`, sent here as the API's `POST /instances/{id}/messages`
would send it), the discharge and the discharge summary.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pytest_bdd import given, scenarios, then, when
from sqlalchemy import select

from engine.db.models import PathwayMessage
from engine.runtime.spiff import waiting_messages
from features.conftest import step
from tests.support import saved_workflow

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
