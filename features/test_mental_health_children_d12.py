"""Pakkeforløp psykiske lidelser – barn og unge (D12): the D11-like phases, the ADHD chapter (from 1 March 2022)
and the 65-day guarantee for patients under 23.

Steps only this pathway's features need; they build on the shared `pathway` fixture from features/conftest.py.
The referral assessment of D12 also records the patient's age ("Alder ved henvisning") and the first attendance
whether ADHD is suspected ("Mistanke om ADHD"); both are required, so the shared steps that register those two
tasks without them are replaced here by steps that say the age and the ADHD suspicion.
"""

from __future__ import annotations

from datetime import date

import pytest
from pytest_bdd import given, scenarios, then, when

from engine.errors import InvalidInput
from features.conftest import Pathway, step

scenarios("mental_health_children_d12.feature", "mental_health_children_d12_adhd_under_23.feature")


@given(step("the referral was assessed on {day:Day} with right to care, the patient being {age:d} years old"))
@when(step("the referral was assessed on {day:Day} with right to care, the patient being {age:d} years old"))
def assessed_with_age(pathway: Pathway, day: date, age: int) -> None:
    pathway.register("assess_referral", day, outcome="right_to_care", age_at_referral=age)


@given(step("the referral was assessed on {day:Day} with no right to care, the patient being {age:d} years old"))
@when(step("the referral was assessed on {day:Day} with no right to care, the patient being {age:d} years old"))
def rejected_with_age(pathway: Pathway, day: date, age: int) -> None:
    pathway.register("assess_referral", day, outcome="no_right_to_care", age_at_referral=age)


@then(step("the referral cannot be assessed without the patient's age"))
def assessment_needs_age(pathway: Pathway) -> None:
    with pytest.raises(InvalidInput, match="age_at_referral"):
        pathway.register("assess_referral", pathway.today(), outcome="right_to_care")


@given(step("the patient attended for the first time on {day:Day}, with no suspicion of ADHD"))
@when(step("the patient attended for the first time on {day:Day}, with no suspicion of ADHD"))
def attended_without_adhd(pathway: Pathway, day: date) -> None:
    pathway.register("first_attendance", day, adhd_suspected=False)


@given(step("the patient attended for the first time on {day:Day}, with ADHD suspected"))
@when(step("the patient attended for the first time on {day:Day}, with ADHD suspected"))
def attended_with_adhd(pathway: Pathway, day: date) -> None:
    pathway.register("first_attendance", day, adhd_suspected=True)


@then(step('the measuring point "{code:Q}" was registered on {day:Day}'))
def measuring_point_registered(pathway: Pathway, code: str, day: date) -> None:
    days = [e["occurred_on"] for e in pathway.detail()["measuring_points"] if e["code"] == code]
    assert days == [day], f"{code!r} registered on {days}"


@then(step('no deadline starts or ends at "{code:Q}"'))
def no_deadline_at(pathway: Pathway, code: str) -> None:
    indicators = pathway.pathway_definition().indicators
    assert not [i.key for i in indicators if code in (i.from_point, i.to_point)]
    assert not [m for m in pathway.detail()["indicators"] if code in (m["from"], m["to"])]
