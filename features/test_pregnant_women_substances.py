"""Pakkeforløp gravide og rusmidler (pregnant women using substances).

Steps only this pathway needs: the referral assessment, which here also records where the substance use was first
found (the pathway can start in the municipality or in specialist care), and the refusal of an assessment that
leaves it out; the first attendance with the week of pregnancy; a treatment plan made with the patient that starts
with detoxification; and where the written follow-up plan to the municipality tells the patient to turn.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pytest_bdd import given, scenarios, then, when

from engine.db.models import PathwayInstance
from engine.errors import InvalidInput
from engine.runtime.workflow_state import load_state
from features.conftest import phrases, step_with

scenarios("pregnant_women_substances.feature", "pregnant_women_substances_treatment.feature")


#: Where the substance use was first found, as a feature says it, and the form value (`first_identified_in`).
PLACES = {"the municipality": "municipality", "specialist care": "specialist_care"}


step = step_with(Place=phrases(PLACES))


@pytest.fixture
def where_to_turn() -> str:
    return "Kontakter jordmor, fastlege eller TSB-poliklinikken ved tilbakefall"


# ---- events ----------------------------------------------------------------------------------------------------

@given(step("the referral was assessed on {day:Day} with right to care, the substance use first found in "
            "{place:Place}"))
@when(step("the referral was assessed on {day:Day} with right to care, the substance use first found in "
           "{place:Place}"))
def assessed_right_to_care(pathway, day: date, place: str) -> None:
    pathway.register("assess_referral", day, outcome="right_to_care", first_identified_in=place)


@given(step("the referral was assessed on {day:Day} with no right to care, the substance use first found in "
            "{place:Place}"))
@when(step("the referral was assessed on {day:Day} with no right to care, the substance use first found in "
           "{place:Place}"))
def assessed_no_right_to_care(pathway, day: date, place: str) -> None:
    pathway.register("assess_referral", day, outcome="no_right_to_care", first_identified_in=place)


@when(step("the coordinator tries to assess the referral on {day:Day} with right to care, without saying where "
           "the substance use was first found"))
def assess_without_place(pathway, refusal: dict[str, Any], day: date) -> None:
    with pytest.raises(InvalidInput) as caught:
        pathway.register("assess_referral", day, outcome="right_to_care")
    refusal["error"] = str(caught.value)


@given(step("the patient attended for the first time on {day:Day}, in week {week:d} of the pregnancy"))
@when(step("the patient attended for the first time on {day:Day}, in week {week:d} of the pregnancy"))
def first_attendance_in_week(pathway, day: date, week: int) -> None:
    pathway.register("first_attendance", day, pregnancy_week=week)


@given(step("the treatment plan was made together with the patient on {day:Day}, starting with detoxification"))
@when(step("the treatment plan was made together with the patient on {day:Day}, starting with detoxification"))
def plan_with_patient_and_detoxification(pathway, day: date) -> None:
    pathway.register("plan_treatment", day, patient_involved=True, detoxification=True)


# ---- outcomes --------------------------------------------------------------------------------------------------

def _task_data(pathway, element: str) -> dict[str, Any]:
    """The data of the completed task `element`, read back from the stored workflow state."""
    with pathway.runtime.db.reading() as session:
        state = session.get(PathwayInstance, pathway.instance_id).state
    definition = pathway.pathway_definition()
    workflow = load_state(state, definition.spec, definition.subprocess_specs)
    found = [t for t in workflow.get_tasks() if t.task_spec.name == element and t.data.get("occurred_on")]
    assert found, f"{element!r} has not been completed"
    return found[-1].data


@then(step("the pathway records that the substance use was first found in {place:Place}"))
def records_place(pathway, place: str) -> None:
    assert _task_data(pathway, "assess_referral")["first_identified_in"] == place


@then(step('the assessment is refused because "{field:Q}" is required'))
def assessment_refused(refusal: dict[str, Any], field: str) -> None:
    assert f"'{field}'" in refusal["error"] and "is required" in refusal["error"], refusal["error"]
