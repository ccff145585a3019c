"""Acute treatment after an overdose in TSB (D01): the referral type, discharge with open return within 48 hours
without a new referral, the return window closing at its timer, and closure with the follow-up plan to the
municipality.

Steps only this feature needs; they build on the shared `pathway` fixture from features/conftest.py.
"""

from __future__ import annotations

import json
from datetime import date

from pytest_bdd import given, scenarios, then, when
from sqlalchemy import select

from engine.store import PathwayMessage
from features.conftest import Pathway, step

scenarios("tsb_overdose.feature")


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


@given(step("the pathway was closed on {day:Day} with a written follow-up plan to the municipality"))
@when(step("the pathway was closed on {day:Day} with a written follow-up plan to the municipality"))
def closed_with_follow_up_plan(pathway: Pathway, day: date) -> None:
    pathway.register("close_pathway", day, outcome="municipal_follow_up", follow_up_plan_sent=True,
                     municipal_contact="Ola Nordmann, rus- og psykisk helsetjenesten", risk_information_shared=True,
                     where_to_turn="Lavterskeltilbudet og angrekortet til rusakutt")


@then(step('the measuring point "{code:Q}" was registered on {day:Day}'))
def measuring_point_registered(pathway: Pathway, code: str, day: date) -> None:
    registered = [(m["code"], m["occurred_on"]) for m in pathway.detail()["measuring_points"]]
    assert (code, day) in registered, registered


@then("the referral was received and assessed only once")
def referral_only_once(pathway: Pathway) -> None:
    codes = [m["code"] for m in pathway.detail()["measuring_points"]]
    assert codes.count("referral_received") == 1 and codes.count("referral_assessed") == 1, codes
    assert pathway.measurements("referral assessment")[0]["status"] == "met"


def _sent_messages(pathway: Pathway) -> list:
    message = PathwayMessage.__table__
    with pathway.runtime.db.engine.connect() as conn:
        return conn.execute(select(message).where(message.c.sender_instance_id == pathway.instance_id)).all()


def _table_value(text: str):
    """A cell of an expected-values table: true/false, '-' for no value, otherwise text."""
    text = text.strip()
    return {"true": True, "false": False, "-": None}.get(text, text)


@then(step("the municipality was sent the follow-up plan:"))
def follow_up_plan_sent(pathway: Pathway, datatable) -> None:
    header, *rows = datatable
    assert [h.strip() for h in header] == ["field", "value"], header
    [row] = _sent_messages(pathway)
    assert (row.name, row.result_variable) == ("follow_up_plan", "follow_up_plan")
    assert json.loads(row.payload) == {f.strip(): _table_value(v) for f, v in rows}


@then("no follow-up plan was sent to the municipality")
def no_follow_up_plan(pathway: Pathway) -> None:
    assert _sent_messages(pathway) == []
