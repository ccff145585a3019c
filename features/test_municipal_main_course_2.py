"""Hovedforløp 2: kommunal behandling – the municipality's main course 2.

Steps only this pathway needs: the start by a GP referral, the mapping talk and treatment plan, the evaluations,
and the referral on to specialist care, whose message (`referral_d11` / `referral_d01`) starts the specialist
pathway for the same patient (`startedByMessage`). Main course 2 is the side `pathway.instance_id` follows; the
specialist pathway is looked at through the steps that name it ("the "D11" pathway ...").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pytest_bdd import given, scenarios, then, when
from sqlalchemy import select

from engine.db.models import PathwayInstance
from features.conftest import phrases, step_with
from tests.support import detail

scenarios("municipal_main_course_2.feature")

KEY = "municipal_main_course_2"
UNIT = "Psykisk helse og rus, Porsgrunn kommune"

#: the specialist pathway as a feature names it (its type code), and its key and the referral form's value
SPECIALIST = {"D11": ("mental_health_adults_d11", "d11"), "D01": ("tsb_d01", "d01")}

#: what an evaluation decides, as a feature says it, and the form value (`outcome`)
EVALUATION = {
    "continuing municipal treatment": "continue",
    "as function falls": "refer_specialist_care",
    "closing main course 2": "close",
}

step = step_with(Evaluation=phrases(EVALUATION), Specialist=phrases(SPECIALIST))


def specialist_instances(pathway, key: str, *, active_only: bool = True) -> list[PathwayInstance]:
    query = select(PathwayInstance).where(PathwayInstance.patient_key == pathway.patient_key,
                                          PathwayInstance.pathway_key == key)
    with pathway.runtime.db.reading() as session:
        rows = session.scalars(query).all()
        session.expunge_all()
    return [r for r in rows if r.status == "active" or not active_only]


def specialist_id(pathway, key: str) -> str:
    [instance] = specialist_instances(pathway, key)
    return instance.id


# ---- events ----------------------------------------------------------------------------------------------------

@given(step("main course 2 was started on {day:Day} by a referral from the GP"))
def course_started(pathway, day: date) -> None:
    pathway.start(KEY, "outpatient", day, unit=UNIT)


@given(step('the patient already has a D11 pathway at "{unit:Q}" since {day:Day}'))
def d11_already(pathway, unit: str, day: date) -> None:
    pathway.move_to(day)
    pathway.runtime.start_pathway(patient_key=pathway.patient_key, pathway_key="mental_health_adults_d11", unit=unit,
                                  setting="outpatient", referral_received_on=day)


@given(step("a mapping talk was held and the treatment plan made with the patient on {day:Day}"))
@when(step("a mapping talk was held and the treatment plan made with the patient on {day:Day}"))
def planned(pathway, day: date) -> None:
    pathway.register("mapping_talk", day, somatic_health_checked=True, problems="Angst og søvnvansker i et halvår")
    pathway.register("plan_treatment", day, patient_involved=True, treatment_goals="Tilbake i arbeid")


@given(step("the treatment was evaluated with the patient on {day:Day}, {decision:Evaluation}"))
@when(step("the treatment was evaluated with the patient on {day:Day}, {decision:Evaluation}"))
def evaluated(pathway, day: date, decision: str) -> None:
    pathway.register("evaluate_treatment", day, outcome=decision, function_falling=decision == "refer_specialist_care",
                     treatment_plan_updated=True)


@given(step('the patient was referred to "{specialist:Specialist}" at "{unit:Q}" ({setting:Setting}) on {day:Day}'))
@when(step('the patient was referred to "{specialist:Specialist}" at "{unit:Q}" ({setting:Setting}) on {day:Day}'))
def referred(pathway, specialist: tuple[str, str], unit: str, setting: str, day: date) -> None:
    pathway.register("refer_to_specialist_care", day, specialist_pathway=specialist[1], specialist_unit=unit,
                     referral_setting=setting, referral_reason="Funksjonsfall: sykmeldt, isolerer seg")


# ---- outcomes ------------------------------------------------------------------------------------------------

@then(step('the "{specialist:Specialist}" pathway runs at "{unit:Q}" for the patient, {setting:Setting}, with the '
           'referral received on {day:Day}'))
def specialist_runs(pathway, specialist: tuple[str, str], unit: str, setting: str, day: date) -> None:
    view = detail(pathway.runtime, specialist_id(pathway, specialist[0]))
    assert (view["unit"], view["setting"], view["status"], view["referral_received_on"]) == (
        unit, setting, "active", day), view


@then(step('in the "{specialist:Specialist}" pathway the task "{element:Q}" is open'))
def specialist_task_open(pathway, specialist: tuple[str, str], element: str) -> None:
    tasks = detail(pathway.runtime, specialist_id(pathway, specialist[0]))["open_tasks"]
    assert element in [t["element_id"] for t in tasks], tasks


def _specialist_deadline(pathway, specialist: tuple[str, str], name: str) -> dict[str, Any]:
    key = name.replace(" ", "_")
    [row] = [m for m in detail(pathway.runtime, specialist_id(pathway, specialist[0]))["indicators"]
             if m["indicator"] == key and m["sequence"] == 1]
    return row


@then(step('in the "{specialist:Specialist}" pathway the "{name:Q}" deadline started on {day:Day}'))
def specialist_deadline_started(pathway, specialist: tuple[str, str], name: str, day: date) -> None:
    assert _specialist_deadline(pathway, specialist, name)["start_on"] == day


@then(step('in the "{specialist:Specialist}" pathway the "{name:Q}" deadline is due on {day:Day}'))
def specialist_deadline_due(pathway, specialist: tuple[str, str], name: str, day: date) -> None:
    assert _specialist_deadline(pathway, specialist, name)["due_on"] == day


@then(step('the "{specialist:Specialist}" pathway shows it was started by the message from main course 2'))
def specialist_linked(pathway, specialist: tuple[str, str]) -> None:
    started = specialist_id(pathway, specialist[0])
    [link] = detail(pathway.runtime, started)["linked_pathways"]
    assert (link["kind"], link["direction"], link["instance_id"], link["pathway"]) == (
        "started_by_message", "from", pathway.instance_id, KEY)
    [back] = pathway.detail()["linked_pathways"]
    assert (back["kind"], back["direction"], back["instance_id"]) == ("started_by_message", "to", started)


@then(step('main course 2 shows the message "{name:Q}" as delivered to the "{specialist:Specialist}" pathway'))
def message_delivered(pathway, name: str, specialist: tuple[str, str]) -> None:
    started = specialist_id(pathway, specialist[0])
    [sent] = [m for m in pathway.detail()["messages"] if m["name"] == name]
    assert (sent["direction"], sent["status"], sent["other"]["instance_id"]) == ("sent", "delivered", started)
    [received] = [m for m in detail(pathway.runtime, started)["messages"] if m["name"] == name]
    assert (received["direction"], received["status"]) == ("received", "delivered")


@then(step('main course 2 shows the message "{name:Q}" as not delivered'))
def message_kept(pathway, name: str) -> None:
    [sent] = [m for m in pathway.detail()["messages"] if m["name"] == name]
    assert (sent["direction"], sent["status"], sent["other"]) == ("sent", "kept", None)


@then(step('the patient still has one D11 pathway, at "{unit:Q}"'))
def one_d11(pathway, unit: str) -> None:
    [instance] = specialist_instances(pathway, "mental_health_adults_d11", active_only=False)
    assert (instance.unit, instance.status) == (unit, "active")


@then(step('the "{specialist:Specialist}" pathway is still active'))
def specialist_active(pathway, specialist: tuple[str, str]) -> None:
    assert detail(pathway.runtime, specialist_id(pathway, specialist[0]))["status"] == "active"
