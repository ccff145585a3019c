"""The under-23 guarantee beyond D12: the optional age at the referral assessment and the
`under_23_guarantee` deadline in D11, TSB and the condition-specific pathways."""

from __future__ import annotations

from datetime import date
from typing import Any

from pytest_bdd import given, scenarios, when

from features.conftest import Pathway, step

scenarios("under_23_guarantee.feature")

#: Plain values for the other required fields some pathways' referral assessment has (where first found).
FILLERS = {"long": 30, "boolean": False}


def _assessment_form(pathway: Pathway, outcome: str, age: str) -> dict[str, Any]:
    form = {spec.id: spec.options[0][0] if spec.type == "enum" else FILLERS.get(spec.type, "Registrert")
            for spec in pathway.pathway_definition().form_of("assess_referral") if spec.required}
    form["outcome"] = outcome
    if age != "not given":
        form["age_at_referral"] = int(age)
    return form


@given(step("the referral was assessed on {day:Day} with right to care, the patient's age given as {age}"))
@when(step("the referral was assessed on {day:Day} with right to care, the patient's age given as {age}"))
def assessed_with_age(pathway: Pathway, day: date, age: str) -> None:
    pathway.register("assess_referral", day, **_assessment_form(pathway, "right_to_care", age))


@when(step("the referral was assessed on {day:Day} with no right to care, the patient's age given as {age}"))
def rejected_with_age(pathway: Pathway, day: date, age: str) -> None:
    pathway.register("assess_referral", day, **_assessment_form(pathway, "no_right_to_care", age))
