"""Pakkeforløp psykiske lidelser – barn og unge (D12): the D11-like phases, the ADHD chapter (from 1 March 2022)
and the 65-day guarantee for patients under 23.

Steps only this pathway's features need; they build on the shared `pathway` fixture from features/conftest.py.
The referral assessment of D12 also records the patient's age ("Alder ved henvisning") and the first attendance
whether ADHD is suspected ("Mistanke om ADHD"); both are required, so the shared steps that register those two
tasks without them are replaced here by steps that say the age and the ADHD suspicion.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from pytest_bdd import given, scenarios, then, when
from sqlalchemy import select

from engine import store
from engine.errors import InvalidInput
from features.conftest import Pathway, step

scenarios("mental_health_children_d12.feature", "mental_health_children_d12_adhd_under_23.feature")

MUNICIPAL_CONTACT = "Kari Nordmann, koordinerende enhet"


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


@given(step("the treatment plan was made together with the patient on {day:Day}"))
@when(step("the treatment plan was made together with the patient on {day:Day}"))
def plan_made_with_patient(pathway: Pathway, day: date) -> None:
    pathway.register("plan_treatment", day, patient_involved=True)


@given(step("the pathway was closed on {day:Day} with a written follow-up plan to the municipality"))
@when(step("the pathway was closed on {day:Day} with a written follow-up plan to the municipality"))
def closed_with_follow_up_plan(pathway: Pathway, day: date) -> None:
    pathway.register("close_pathway", day, outcome="municipal_follow_up", follow_up_plan_sent=True,
                     municipal_contact=MUNICIPAL_CONTACT, risk_information_shared=True,
                     where_to_turn="Fastlegen og kriseplanen; kommunens psykiske helsetjeneste")


@then(step('the clinical decision after extended assessment cannot be "{outcome:Q}"'))
def extended_decision_refused(pathway: Pathway, outcome: str) -> None:
    with pytest.raises(InvalidInput, match="is not one of"):
        pathway.register("clinical_decision_extended", pathway.today(), outcome=outcome)


def _sent_messages(pathway: Pathway) -> list:
    message = store.PathwayMessage.__table__
    with pathway.runtime.db.engine.connect() as conn:
        return conn.execute(select(message).where(message.c.sender_instance_id == pathway.instance_id)).all()


@then(step('the municipality was sent the follow-up plan naming "{contact:Q}"'))
def follow_up_plan_sent(pathway: Pathway, contact: str) -> None:
    [row] = _sent_messages(pathway)
    payload = json.loads(row.payload)
    assert (row.name, row.result_variable) == ("follow_up_plan", "follow_up_plan")
    assert payload == {"municipal_contact": contact, "follow_up_plan_sent": True, "risk_information_shared": True,
                       "where_to_turn": payload["where_to_turn"]} and payload["where_to_turn"], payload


@then("no follow-up plan was sent to the municipality")
def no_follow_up_plan(pathway: Pathway) -> None:
    assert _sent_messages(pathway) == []


@then(step("the pathway start date is {day:Day}"))
def pathway_start_date(pathway: Pathway, day: date) -> None:
    assert pathway.detail()["started_on"] == day


@then("the pathway has no start date")
def pathway_without_start_date(pathway: Pathway) -> None:
    assert pathway.detail()["started_on"] is None


@then(step("the pathway runs under the {rule_set:d} rules"))
def pathway_rule_set(pathway: Pathway, rule_set: int) -> None:
    assert pathway.detail()["rule_set"] == str(rule_set)


@then(step('the "{name:Q}" deadline is flagged as unconfirmed'))
def deadline_flagged(pathway: Pathway, name: str) -> None:
    assert pathway.measurement(name)["unconfirmed"] is True


@then(step('the "{name:Q}" deadline is not flagged as unconfirmed'))
def deadline_not_flagged(pathway: Pathway, name: str) -> None:
    assert pathway.measurement(name)["unconfirmed"] is False


@then(step('the pathway catalogue flags "{topic:Q}" as unconfirmed'))
def catalogue_flag(pathway: Pathway, topic: str) -> None:
    flags = {flag.topic: flag.note for flag in pathway.pathway_definition().flags}
    assert flags.get(topic), f"no unconfirmed flag {topic!r}; flags: {sorted(flags)}"
