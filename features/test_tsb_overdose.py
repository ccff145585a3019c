"""Acute treatment after an overdose in TSB (D01): the referral type, discharge with open return within 48 hours
without a new referral, the return window closing at its timer, and closure with the follow-up plan to the
municipality.

Steps only this feature needs, and what its written follow-up plan says; they build on the shared `pathway` fixture
from features/conftest.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from pytest_bdd import given, scenarios, then, when

from features.conftest import Pathway, step

scenarios("tsb_overdose.feature")


# What the written follow-up plan says, which the shared closing step in features/conftest.py sends.
@pytest.fixture
def municipal_contact() -> str:
    return "Ola Nordmann, rus- og psykisk helsetjenesten"


@pytest.fixture
def where_to_turn() -> str:
    return "Lavterskeltilbudet og angrekortet til rusakutt"


@given(step("the referral was assessed on {day:Day} as acute treatment after an overdose"))
@when(step("the referral was assessed on {day:Day} as acute treatment after an overdose"))
def referral_assessed_acute_overdose(pathway: Pathway, day: date) -> None:
    pathway.register("assess_referral", day, outcome="right_to_care", referral_type="acute_overdose")


@given(step("the patient was treated acutely after the overdose on {day:Day} and chose to be discharged"))
@when(step("the patient was treated acutely after the overdose on {day:Day} and chose to be discharged"))
def acute_treatment_then_discharge(pathway: Pathway, day: date) -> None:
    pathway.register("acute_overdose_treatment", day, next_step="discharge")


@given(step("the patient was treated acutely after the overdose on {day:Day} and stayed for assessment in the pathway"))
@when(step("the patient was treated acutely after the overdose on {day:Day} and stayed for assessment in the pathway"))
def acute_treatment_then_pathway(pathway: Pathway, day: date) -> None:
    pathway.register("acute_overdose_treatment", day, next_step="continue_pathway")


@given(step("the patient was discharged after the overdose treatment on {day:Day}"))
@when(step("the patient was discharged after the overdose treatment on {day:Day}"))
def discharged_after_overdose(pathway: Pathway, day: date) -> None:
    pathway.register("overdose_discharge", day, return_agreed_by="Lege i TSB, rusakutt")


@given(step("the patient came back on {day:Day}"))
@when(step("the patient came back on {day:Day}"))
def patient_came_back(pathway: Pathway, day: date) -> None:
    pathway.register("overdose_return", day)


@then(step('the measuring point "{code:Q}" was registered on {day:Day}'))
def measuring_point_registered(pathway: Pathway, code: str, day: date) -> None:
    registered = [(m["code"], m["occurred_on"]) for m in pathway.detail()["measuring_points"]]
    assert (code, day) in registered, registered


@then("the referral was received and assessed only once")
def referral_only_once(pathway: Pathway) -> None:
    codes = [m["code"] for m in pathway.detail()["measuring_points"]]
    assert codes.count("referral_received") == 1 and codes.count("referral_assessed") == 1, codes
    assert pathway.measurements("referral assessment")[0]["status"] == "met"
