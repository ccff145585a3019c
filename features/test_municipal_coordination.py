"""Kommunal forløpskoordinering (municipal pathway coordination).

Steps only this pathway needs: the start (the specialist-care coordinator contacts the municipal coordinator),
a TSB pathway (D01) of the same patient that specialist care walks to closure, so that its follow-up plan
(message `follow_up_plan`) reaches the municipal pathway, and checks that a measuring point was not registered
and of what the municipality received.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
from pytest_bdd import given, scenarios, then, when
from sqlalchemy import select

from engine.db.models import PathwayMessage
from features.conftest import step
from tests.support import complete, detail, saved_workflow

scenarios("municipal_coordination.feature")

KEY = "municipal_coordination"
TSB = "tsb_d01"
MUNICIPAL_CONTACT = "Kari Nordmann, koordinerende enhet"

@pytest.fixture
def specialist() -> dict[str, Any]:
    """The specialist-care pathway (TSB) of the same patient, once a scenario has started it."""
    return {}


def _tsb(pathway, specialist: dict[str, Any], element: str, day: date, **form: Any) -> None:
    pathway.move_to(day)
    complete(pathway.runtime, specialist["id"], element, day, **form)


def _task_data(pathway, element: str) -> dict[str, Any]:
    """The data an open task of the municipal pathway sees (what the engine would evaluate its gateways on)."""
    [task] = [t for t in pathway.open_tasks() if t["element_id"] == element]
    workflow = saved_workflow(pathway.runtime, pathway.instance_id)
    return dict(workflow.get_task_from_id(uuid.UUID(task["id"])).data)


# ---- the municipal pathway -----------------------------------------------------------------------------------

@given(step("the specialist-care coordinator contacted the municipal coordinator on {day:Day} about a patient "
            "in {setting:Setting} care"))
@when(step("the specialist-care coordinator contacted the municipal coordinator on {day:Day} about a patient "
           "in {setting:Setting} care"))
def coordination_requested(pathway, day: date, setting: str) -> None:
    pathway.start(KEY, setting, day, unit="Koordinerende enhet")


@given(step("the specialist-care coordinator contacted the municipal coordinator on {day:Day} about a patient "
            "in {setting:Setting} care, under the {rule_set:d} rules"))
@when(step("the specialist-care coordinator contacted the municipal coordinator on {day:Day} about a patient "
           "in {setting:Setting} care, under the {rule_set:d} rules"))
def coordination_requested_under_rules(pathway, day: date, setting: str, rule_set: int) -> None:
    pathway.start(KEY, setting, day, rule_set=str(rule_set), unit="Koordinerende enhet")


@given(step("the municipal coordinator informed the patient, contacted specialist care and mapped the "
            "patient's goals on {day:Day}"))
@when(step("the municipal coordinator informed the patient, contacted specialist care and mapped the "
           "patient's goals on {day:Day}"))
def first_duties(pathway, day: date) -> None:
    pathway.register("inform_patient", day, relatives_informed=True)
    pathway.register("cooperate_with_specialist_care", day, specialist_coordinator="Per Hansen, DPS rusteam")
    pathway.register("map_goals_and_needs", day, patient_goals="Egen bolig og arbeid")


@given(step("the municipal coordinator secured cooperation with NAV and housing and coordinated the services "
            "on {day:Day}"))
@when(step("the municipal coordinator secured cooperation with NAV and housing and coordinated the services "
           "on {day:Day}"))
def cooperation_duties(pathway, day: date) -> None:
    pathway.register("secure_cooperation", day, nav_involved=True, housing_involved=True)
    pathway.register("coordinate_services", day, service_application_sent=True)


@given(step("the coordination meeting on {day:Day} decided on no individual plan, responsibility group or "
            "crisis plan"))
@when(step("the coordination meeting on {day:Day} decided on no individual plan, responsibility group or "
           "crisis plan"))
def meeting_without_instruments(pathway, day: date) -> None:
    pathway.register("coordination_meeting", day, individual_plan_needed=False, responsibility_group_needed=False,
                     crisis_plan_needed=False)


@given(step("the municipal coordinator prepared the municipal measures for discharge on {day:Day}"))
@when(step("the municipal coordinator prepared the municipal measures for discharge on {day:Day}"))
def measures_prepared(pathway, day: date) -> None:
    pathway.register("follow_up_individual_plan", day, outcome="prepare_discharge")
    pathway.register("prepare_municipal_measures", day, housing_in_place=True, services_ready=True)


# ---- the specialist pathway of the same patient ----------------------------------------------------------------

@given(step("specialist care received an {setting:Setting} TSB referral for the same patient on {day:Day}"))
@when(step("specialist care received an {setting:Setting} TSB referral for the same patient on {day:Day}"))
def tsb_referral(pathway, specialist: dict[str, Any], setting: str, day: date) -> None:
    pathway.move_to(day)
    specialist["id"] = pathway.runtime.start_pathway(
        patient_key=pathway.patient_key, pathway_key=TSB, unit="DPS rusteam", setting=setting,
        referral_received_on=day)


@given(step("the TSB referral was assessed with right to care on {day:Day}"))
@when(step("the TSB referral was assessed with right to care on {day:Day}"))
def tsb_assessed(pathway, specialist: dict[str, Any], day: date) -> None:
    _tsb(pathway, specialist, "assess_referral", day, outcome="right_to_care")


@given(step("specialist care started TSB treatment on {day:Day}"))
@when(step("specialist care started TSB treatment on {day:Day}"))
def tsb_treatment_started(pathway, specialist: dict[str, Any], day: date) -> None:
    _tsb(pathway, specialist, "first_attendance", day)
    _tsb(pathway, specialist, "somatic_health_check", day, somatic_follow_up_needed=False)
    _tsb(pathway, specialist, "clinical_decision_basic", day, outcome="CT")
    _tsb(pathway, specialist, "plan_treatment", day, detoxification=False)
    _tsb(pathway, specialist, "treatment_started", day)


def _close_tsb(pathway, specialist: dict[str, Any], day: date, **form: Any) -> None:
    _tsb(pathway, specialist, "evaluate_treatment", day, outcome="close")
    _tsb(pathway, specialist, "close_pathway", day, **form)


@given(step("specialist care closed the TSB pathway on {day:Day} after the last evaluation, with follow-up in "
            "the municipality"))
@when(step("specialist care closed the TSB pathway on {day:Day} after the last evaluation, with follow-up in "
           "the municipality"))
def tsb_closed_with_follow_up(pathway, specialist: dict[str, Any], day: date) -> None:
    _close_tsb(pathway, specialist, day, outcome="municipal_follow_up", follow_up_plan_sent=True,
               municipal_contact=MUNICIPAL_CONTACT, risk_information_shared=True,
               where_to_turn="Ringe koordinatoren på dagtid, legevakten ellers")


@when(step('specialist care closed the TSB pathway on {day:Day} after the last evaluation, with the outcome '
           '"{outcome:Q}"'))
def tsb_closed_with_outcome(pathway, specialist: dict[str, Any], day: date, outcome: str) -> None:
    _close_tsb(pathway, specialist, day, outcome=outcome)


@then("the TSB pathway is completed")
def tsb_completed(pathway, specialist: dict[str, Any]) -> None:
    assert detail(pathway.runtime, specialist["id"])["status"] == "completed"


# ---- outcomes ------------------------------------------------------------------------------------------------

@then(step('the "{code:Q}" measuring point was not registered'))
def measuring_point_missing(pathway, code: str) -> None:
    assert code not in [e["code"] for e in pathway.detail()["measuring_points"]]


@then("the municipal pathway has no deadline indicators")
def no_indicators(pathway) -> None:
    assert pathway.pathway_definition().indicators == ()
    assert pathway.detail()["indicators"] == []


@then(step("the municipal pathway started on {day:Day}"))
def started_on(pathway, day: date) -> None:
    assert pathway.detail()["started_on"] == day


def _messages(pathway) -> list[Any]:
    with pathway.runtime.db.engine.connect() as conn:
        return conn.execute(select(PathwayMessage.__table__).where(
            PathwayMessage.patient_key == pathway.patient_key, PathwayMessage.name == "follow_up_plan")).all()


@then(step("the municipal pathway received the follow-up plan that specialist care sent on {day:Day}"))
def follow_up_plan_delivered(pathway, day: date) -> None:
    [message] = _messages(pathway)
    assert message.sent_on == day
    assert message.receiver_instance_id == pathway.instance_id and message.delivered_at is not None


@then("specialist care sent no follow-up plan")
def no_follow_up_plan(pathway) -> None:
    assert _messages(pathway) == []


@then("the follow-up plan is kept undelivered")
def follow_up_plan_kept(pathway) -> None:
    [message] = _messages(pathway)
    assert message.delivered_at is None and message.receiver_instance_id is None


@then(step('the task "{element:Q}" shows the follow-up plan naming "{contact:Q}" as responsible in the '
           'municipality'))
def follow_up_plan_contents(pathway, element: str, contact: str) -> None:
    plan = _task_data(pathway, element)["follow_up_plan"]
    assert plan["municipal_contact"] == contact, json.dumps(plan, ensure_ascii=False)
    assert plan["follow_up_plan_sent"] is True and plan["risk_information_shared"] is True
    assert plan["where_to_turn"]
