"""Pakkeforløp gravide og rusmidler (pregnant women using substances).

Steps only this pathway needs: the referral assessment, which here also records where the substance use was first
found (the pathway can start in the municipality or in specialist care), and the refusal of an assessment that
leaves it out; the first attendance with the week of pregnancy; the pathway's start date per rule set; closure
with a written follow-up plan to the municipality and the message that carries it; and whether a deadline is
flagged as unconfirmed (the inpatient assessment deadline, which the source gives as 3–7 days).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import parse
import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from engine.errors import InvalidInput
from engine.store import PathwayInstance, PathwayMessage
from engine.workflow_state import load_state

scenarios("pregnant_women_substances.feature", "pregnant_women_substances_treatment.feature")

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# The same parse types as features/conftest.py (a weekday written before a date is checked).
@parse.with_pattern(r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) )?\d{4}-\d{2}-\d{2}")
def _day(text: str) -> date:
    weekday, _, iso = text.rpartition(" ")
    day = date.fromisoformat(iso)
    if weekday and _WEEKDAYS[day.weekday()] != weekday:
        raise AssertionError(f"the feature says {text!r}, but {iso} is a {_WEEKDAYS[day.weekday()]}")
    return day


@parse.with_pattern(r"[^\"]+")
def _quoted(text: str) -> str:
    return text


#: Where the substance use was first found, as a feature says it, and the form value (`first_identified_in`).
PLACES = {"the municipality": "municipality", "specialist care": "specialist_care"}


@parse.with_pattern(r"the municipality|specialist care")
def _place(text: str) -> str:
    return PLACES[text]


TYPES = {"Day": _day, "Q": _quoted, "Place": _place}


def step(text: str) -> parsers.parse:
    return parsers.parse(text, extra_types=TYPES)


@pytest.fixture
def refusal() -> dict[str, Any]:
    """The error of a command the scenario expects the engine to refuse."""
    return {}


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


@given(step('the pathway was closed on {day:Day} with a written follow-up plan to "{contact:Q}" in the municipality'))
@when(step('the pathway was closed on {day:Day} with a written follow-up plan to "{contact:Q}" in the municipality'))
def closed_with_follow_up_plan(pathway, day: date, contact: str) -> None:
    pathway.register("close_pathway", day, outcome="municipal_follow_up", follow_up_plan_sent=True,
                     municipal_contact=contact, risk_information_shared=True,
                     where_to_turn="Kontakter jordmor, fastlege eller TSB-poliklinikken ved tilbakefall")


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


@then(step("the pathway started on {day:Day}"))
def pathway_started_on(pathway, day: date) -> None:
    detail = pathway.detail()
    assert detail["started_on"] == day, (f"the pathway started on {detail['started_on']} "
                                         f"under the {detail['rule_set']} rules")


@then("the pathway has not started yet")
def pathway_not_started(pathway) -> None:
    assert pathway.detail()["started_on"] is None


@then(step('the "{name:Q}" deadline is flagged as unconfirmed'))
def deadline_flagged(pathway, name: str) -> None:
    assert pathway.measurement(name)["unconfirmed"] is True


@then(step('the "{name:Q}" deadline is not flagged'))
def deadline_not_flagged(pathway, name: str) -> None:
    assert pathway.measurement(name)["unconfirmed"] is False


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
