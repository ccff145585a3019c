"""Right to treatment at referral: the `right_to_treatment` outcome of the referral assessment and the clinical
decision at referral (`clinical_decision_at_referral`) in D11, D12 and TSB."""

from __future__ import annotations

from datetime import date

from pytest_bdd import given, scenarios, then, when

from features.conftest import Pathway, step

scenarios("direct_treatment.feature")


@given(step("the referral was assessed on {day:Day} with right to treatment at referral"))
@when(step("the referral was assessed on {day:Day} with right to treatment at referral"))
def assessed_right_to_treatment(pathway: Pathway, day: date) -> None:
    age = {"age_at_referral": 15} if pathway.pathway_definition().key == "mental_health_children_d12" else {}
    pathway.register("assess_referral", day, outcome="right_to_treatment", **age)


@when(step('the clinical decision at referral was "{outcome}" on {day:Day}'))
def decision_at_referral(pathway: Pathway, outcome: str, day: date) -> None:
    pathway.register("clinical_decision_at_referral", day, outcome=outcome)


@then(step('the clinical decision at referral offers only "{outcomes}"'))
def decision_options(pathway: Pathway, outcomes: str) -> None:
    form = {spec.id: spec for spec in pathway.pathway_definition().form_of("clinical_decision_at_referral")}
    assert [value for value, _ in form["outcome"].options] == [o.strip() for o in outcomes.split(",")]
