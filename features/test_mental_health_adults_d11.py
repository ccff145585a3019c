"""Pakkeforløp psykiske lidelser – voksne (D11): referral assessment, assessment and extended assessment,
first evaluation and evaluations, closure with the follow-up plan to the municipality, and both rule sets.

Steps only this pathway's feature needs; they build on the shared `pathway` fixture from features/conftest.py.
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

scenarios("mental_health_adults_d11.feature")

MUNICIPAL_CONTACT = "Kari Nordmann, koordinerende enhet"


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
