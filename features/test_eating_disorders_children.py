"""Pakkeforløp spiseforstyrrelser hos barn og unge (eating disorders, children and young people).

Steps only this pathway needs: a referral started with its severity (serious / less serious), which decides the
first-attendance deadline; the pathway's start date (here: the first attendance, under both rule sets); a
treatment plan made with the child and the parents; closure with a written follow-up plan to the municipality,
and the message that carries it; and whether a deadline is flagged as unconfirmed.
"""

from __future__ import annotations

import json
from datetime import date

import parse
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from engine.store import PathwayMessage

scenarios("eating_disorders_children.feature", "eating_disorders_children_treatment.feature")

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# The same parse types as features/conftest.py (a weekday written before a date is checked).
@parse.with_pattern(r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) )?\d{4}-\d{2}-\d{2}")
def _day(text: str) -> date:
    weekday, _, iso = text.rpartition(" ")
    day = date.fromisoformat(iso)
    if weekday and _WEEKDAYS[day.weekday()] != weekday:
        raise AssertionError(f"the feature says {text!r}, but {iso} is a {_WEEKDAYS[day.weekday()]}")
    return day


@parse.with_pattern(r"outpatient|inpatient")
def _setting(text: str) -> str:
    return text


@parse.with_pattern(r"[^\"]+")
def _quoted(text: str) -> str:
    return text


#: How a feature says the severity given when the pathway is started, and the engine's value for it.
SEVERITIES = {"serious": "serious", "less serious": "less_serious"}


@parse.with_pattern(r"serious|less serious")
def _severity(text: str) -> str:
    return SEVERITIES[text]


TYPES = {"Day": _day, "Setting": _setting, "Q": _quoted, "Severity": _severity}


def step(text: str) -> parsers.parse:
    return parsers.parse(text, extra_types=TYPES)


# ---- events ----------------------------------------------------------------------------------------------------

@given(step('a {severity:Severity} {setting:Setting} referral to "{name:Q}" was received on {day:Day}'))
def severity_referral_received(pathway, severity: str, setting: str, name: str, day: date) -> None:
    pathway.start(name, setting, day, severity=severity)


@given(step('a {severity:Severity} {setting:Setting} referral to "{name:Q}" was received on {day:Day} '
            'under the {rule_set:d} rules'))
def severity_referral_received_under_rules(pathway, severity: str, setting: str, name: str, day: date,
                                           rule_set: int) -> None:
    pathway.start(name, setting, day, severity=severity, rule_set=str(rule_set))


@given(step("the treatment plan was made with the patient and the parents on {day:Day}"))
@when(step("the treatment plan was made with the patient and the parents on {day:Day}"))
def plan_with_patient_and_parents(pathway, day: date) -> None:
    pathway.register("plan_treatment", day, patient_involved=True, guardians_involved=True)


@given(step('the pathway was closed on {day:Day} with a written follow-up plan to "{contact:Q}" in the municipality'))
@when(step('the pathway was closed on {day:Day} with a written follow-up plan to "{contact:Q}" in the municipality'))
def closed_with_follow_up_plan(pathway, day: date, contact: str) -> None:
    pathway.register("close_pathway", day, outcome="municipal_follow_up", follow_up_plan_sent=True,
                     municipal_contact=contact, risk_information_shared=True,
                     where_to_turn="Ringer BUP-poliklinikken eller fastlegen ved ny forverring")


# ---- outcomes --------------------------------------------------------------------------------------------------

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
