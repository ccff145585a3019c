"""Pakkeforløp psykoselidelser, inkludert mistanke om psykoseutvikling (type code unconfirmed): referral
assessment, first attendance within 7 days, the flagged assessment and evaluation deadlines, closure with the
follow-up plan to the municipality, and both rule sets.

Steps only this pathway's feature needs; they build on the shared `pathway` fixture from features/conftest.py.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from pytest_bdd import given, scenarios, then, when
from sqlalchemy import select

from engine.errors import InvalidInput
from engine.store import PathwayMessage
from features.conftest import Pathway, step

scenarios("psychosis.feature")

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
                     where_to_turn="Fastlegen, kriseplanen og FACT-teamet")


@then(step('the clinical decision after extended assessment cannot be "{outcome:Q}"'))
def extended_decision_refused(pathway: Pathway, outcome: str) -> None:
    with pytest.raises(InvalidInput, match="is not one of"):
        pathway.register("clinical_decision_extended", pathway.today(), outcome=outcome)


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


@then("the pathway has no type code")
def no_type_code(pathway: Pathway) -> None:
    assert pathway.pathway_definition().type_code is None


@then(step('the pathway catalogue flags "{topic:Q}" as unconfirmed'))
def catalogue_flag(pathway: Pathway, topic: str) -> None:
    flags = {flag.topic: flag.note for flag in pathway.pathway_definition().flags}
    assert flags.get(topic), f"no unconfirmed flag {topic!r}; flags: {sorted(flags)}"


@then("the pathway catalogue lists these deadlines:")
def catalogue_deadlines(pathway: Pathway, datatable) -> None:
    header, *rows = datatable
    listed = [(i.key, i.from_point, i.to_point, str(i.limit), i.unit, "yes" if i.unconfirmed else "no")
              for i in pathway.pathway_definition().indicators]
    assert listed == [tuple(cell.strip() for cell in row) for row in rows], listed
    for indicator in pathway.pathway_definition().indicators:
        assert indicator.unconfirmed or indicator.source, indicator.key
        assert indicator.label and indicator.label != indicator.key, indicator.key
