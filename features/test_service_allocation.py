"""Tildeling av kommunale helse- og omsorgstjenester (municipal service allocation, Kragerø routine).

Steps only this pathway needs: the application and where it came from, the team's mapping, the allocation
office's decision or provisional reply, the evaluation before a decision expires and the new decision after it,
and a decision the engine refuses (services granted without an end date).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pytest_bdd import given, scenarios, then, when

from engine.errors import InvalidInput
from features.conftest import phrases, step_with

scenarios("service_allocation.feature")

KEY = "service_allocation"

#: Where an application comes from, as a feature says it, and the form value (`channel`).
CHANNELS = {
    "the GP": "gp",
    "the DPS ward or outpatient clinic": "specialist_care",
    "the person's own application form": "own_application",
}


step = step_with(Channel=phrases(CHANNELS))


def _decision_task(pathway) -> str:
    """The open decision task: the first decision, or the decision after a provisional reply."""
    open_elements = [t["element_id"] for t in pathway.open_tasks()]
    found = [e for e in ("decide_application", "decide_after_provisional_reply") if e in open_elements]
    assert found, f"no decision task is open; open: {open_elements}"
    return found[0]


# ---- events ----------------------------------------------------------------------------------------------------

@given(step("an application for municipal health and care services was received on {day:Day}"))
def application_received(pathway, day: date) -> None:
    pathway.start(KEY, "outpatient", day, unit="Tjenestekontoret")


@given(step("the allocation office registered the request from {channel:Channel} on {day:Day}"))
@when(step("the allocation office registered the request from {channel:Channel} on {day:Day}"))
def registered(pathway, channel: str, day: date) -> None:
    pathway.register("register_application", day, channel=channel, services_requested="Psykisk helsetjeneste")


@given(step("the team mapped the needs on {day:Day}, expecting a decision within the month"))
@when(step("the team mapped the needs on {day:Day}, expecting a decision within the month"))
def mapped_in_time(pathway, day: date) -> None:
    pathway.register("map_needs", day, decision_within_month=True, applicant_involved=True)


@given(step("the team mapped the needs on {day:Day}, not expecting a decision within the month"))
@when(step("the team mapped the needs on {day:Day}, not expecting a decision within the month"))
def mapped_late(pathway, day: date) -> None:
    pathway.register("map_needs", day, decision_within_month=False, applicant_involved=True)


@given(step("the allocation office granted services until {until:Day} on {day:Day}"))
@when(step("the allocation office granted services until {until:Day} on {day:Day}"))
def granted(pathway, until: date, day: date) -> None:
    pathway.register(_decision_task(pathway), day, outcome="granted", services="Psykisk helsetjeneste, 2 t/uke",
                     valid_until=until.isoformat())


@when(step("the allocation office refused the application on {day:Day}"))
def refused(pathway, day: date) -> None:
    pathway.register(_decision_task(pathway), day, outcome="refused")


@when(step("the allocation office tried to grant services without an end date on {day:Day}"))
def granted_without_end(pathway, refusal: dict[str, Any], day: date) -> None:
    try:
        pathway.register(_decision_task(pathway), day, outcome="granted", services="Praktisk bistand")
    except InvalidInput as exc:
        refusal["error"] = exc


@given(step("the allocation office sent a provisional reply on {day:Day}, expecting a decision by {by:Day}"))
@when(step("the allocation office sent a provisional reply on {day:Day}, expecting a decision by {by:Day}"))
def provisional_reply(pathway, day: date, by: date) -> None:
    pathway.register("send_provisional_reply", day, expected_decision_on=by.isoformat(),
                     reason="Venter på opplysninger fra fastlegen")


@given(step('the team evaluated the decision with the user on {day:Day}: "{outcome:Q}"'))
@when(step('the team evaluated the decision with the user on {day:Day}: "{outcome:Q}"'))
def evaluated(pathway, day: date, outcome: str) -> None:
    pathway.register("evaluate_decision", day, outcome=outcome, effect="Bedre struktur i hverdagen",
                     user_involved=True)


@given(step('the allocation office made a new decision on {day:Day}: "{outcome:Q}" until {until:Day}'))
@when(step('the allocation office made a new decision on {day:Day}: "{outcome:Q}" until {until:Day}'))
def renewed(pathway, day: date, outcome: str, until: date) -> None:
    pathway.register("renew_decision", day, outcome=outcome, valid_until=until.isoformat())


# ---- outcomes ------------------------------------------------------------------------------------------------

@then("the engine refuses the decision because a granted decision must be time-limited")
def refused_without_end(pathway, refusal: dict[str, Any]) -> None:
    assert "error" in refusal, "the decision was accepted"
    assert "valid_until" in str(refusal["error"])
    assert "decide_application" in [t["element_id"] for t in pathway.open_tasks()]


@then(step('the "{name:Q}" deadline is flagged as unconfirmed'))
def deadline_flagged(pathway, name: str) -> None:
    key = pathway.indicator_key(name)
    [indicator] = [i for i in pathway.pathway_definition().indicators if i.key == key]
    assert indicator.unconfirmed and indicator.note


@then(step('the "{name:Q}" deadline is confirmed by the Public Administration Act'))
def deadline_confirmed(pathway, name: str) -> None:
    key = pathway.indicator_key(name)
    [indicator] = [i for i in pathway.pathway_definition().indicators if i.key == key]
    assert not indicator.unconfirmed and indicator.source == "https://lovdata.no/lov/1967-02-10/§11a"
    assert (indicator.limit, indicator.unit) == (1, "calendar_months")
