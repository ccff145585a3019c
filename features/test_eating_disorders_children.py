"""Pakkeforløp spiseforstyrrelser hos barn og unge (eating disorders, children and young people).

Steps only this pathway needs: a referral started with its severity (serious / less serious), which decides the
first-attendance deadline; a treatment plan made with the child and the parents; and where the written follow-up
plan to the municipality tells the patient to turn.
"""

from __future__ import annotations

from datetime import date

import pytest
from pytest_bdd import given, scenarios, when

from features.conftest import phrases, step_with

scenarios("eating_disorders_children.feature", "eating_disorders_children_treatment.feature")


#: How a feature says the severity given when the pathway is started, and the engine's value for it.
SEVERITIES = {"serious": "serious", "less serious": "less_serious"}


step = step_with(Severity=phrases(SEVERITIES))


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
