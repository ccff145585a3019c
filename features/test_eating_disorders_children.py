"""Pakkeforløp spiseforstyrrelser hos barn og unge (eating disorders, children and young people).

Steps only this pathway needs: a referral started with its severity (serious / less serious), which decides the
first-attendance deadline; a treatment plan made with the child and the parents; where the written follow-up plan
to the municipality tells the patient to turn, and the check of the message that carries it (this pathway's steps
look only at messages named `follow_up_plan` and at the plan's own fields, where the shared steps in
features/conftest.py compare everything the pathway sent).
"""

from __future__ import annotations

import json
from datetime import date

import parse
import pytest
from pytest_bdd import given, scenarios, then, when
from sqlalchemy import select

from engine.store import PathwayMessage
from features.conftest import step_with

scenarios("eating_disorders_children.feature", "eating_disorders_children_treatment.feature")


#: How a feature says the severity given when the pathway is started, and the engine's value for it.
SEVERITIES = {"serious": "serious", "less serious": "less_serious"}


@parse.with_pattern(r"serious|less serious")
def _severity(text: str) -> str:
    return SEVERITIES[text]


step = step_with(Severity=_severity)


@pytest.fixture
def where_to_turn() -> str:
    return "Ringer BUP-poliklinikken eller fastlegen ved ny forverring"


# ---- events ----------------------------------------------------------------------------------------------------

@given(step('a {severity:Severity} {setting:Setting} referral to "{name:Q}" was received on {day:Day}'))
def severity_referral_received(pathway, severity: str, setting: str, name: str, day: date) -> None:
    pathway.start(name, setting, day, severity=severity)


@given(step('a {severity:Severity} {setting:Setting} referral to "{name:Q}" was received on {day:Day} '
            'under the {rule_set:d} rules'))
def severity_referral_received_under_rules(pathway, severity: str, setting: str, name: str, day: date,
                                           rule_set: int) -> None:
    pathway.start(name, setting, day, severity=severity, rule_set=str(rule_set))


@given(step("the treatment plan was made with the patient and the parents on {day:Day}"))
@when(step("the treatment plan was made with the patient and the parents on {day:Day}"))
def plan_with_patient_and_parents(pathway, day: date) -> None:
    pathway.register("plan_treatment", day, patient_involved=True, guardians_involved=True)


# ---- outcomes --------------------------------------------------------------------------------------------------

def _follow_up_plans(pathway) -> list[PathwayMessage]:
    with pathway.runtime.db.reading() as session:
        return list(session.scalars(select(PathwayMessage).where(
            PathwayMessage.sender_instance_id == pathway.instance_id, PathwayMessage.name == "follow_up_plan")))


@then(step('the municipality was sent the follow-up plan naming "{contact:Q}"'))
def follow_up_plan_sent(pathway, contact: str) -> None:
    [message] = _follow_up_plans(pathway)
    payload = json.loads(message.payload)
    assert payload["municipal_contact"] == contact
    assert payload["follow_up_plan_sent"] is True and payload["risk_information_shared"] is True
    assert payload["where_to_turn"]
    assert message.result_variable == "follow_up_plan"


@then("no follow-up plan was sent to the municipality")
def no_follow_up_plan(pathway) -> None:
    assert _follow_up_plans(pathway) == []
