"""Tildeling av kommunale helse- og omsorgstjenester (municipal service allocation, Kragerø routine).

Steps only this pathway needs: the application and where it came from, the team's mapping, the allocation
office's decision or provisional reply, the evaluation before a decision expires and the new decision after it,
and a decision the engine refuses (services granted without an end date); the joint allocation meeting and the
triangulation talk before a decision, changed needs reported by staff while a decision runs, and the more frequent
re-assessments of long-term users (service_allocation_meetings.feature).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pytest_bdd import given, scenarios, then, when

from engine.errors import Conflict, ErrorCode, InvalidInput
from features.conftest import phrases, step_with
from tests.support import saved_workflow

scenarios("service_allocation.feature")
scenarios("service_allocation_meetings.feature")

KEY = "service_allocation"

#: Where an application comes from, as a feature says it, and the form value (`channel`).
CHANNELS = {
    "the GP": "gp",
    "the DPS ward or outpatient clinic": "specialist_care",
    "the person's own application form": "own_application",
}


step = step_with(Channel=phrases(CHANNELS))


def _open_one_of(pathway, *elements: str) -> str:
    open_elements = [t["element_id"] for t in pathway.open_tasks()]
    found = [e for e in elements if e in open_elements]
    assert found, f"none of {elements} is open; open: {open_elements}"
    return found[0]


def _meeting_task(pathway) -> str:
    """The open joint allocation meeting: before the first decision, or after a provisional reply."""
    return _open_one_of(pathway, "allocation_meeting", "allocation_meeting_after_provisional_reply")


def _talk_task(pathway) -> str:
    return _open_one_of(pathway, "triangulation_talk", "triangulation_talk_after_provisional_reply")


def _task_data(pathway, element: str) -> dict[str, Any]:
    """The data an open task sees (what the engine evaluates its gateways and timers on)."""
    [task] = [t for t in pathway.open_tasks() if t["element_id"] == element]
    workflow = saved_workflow(pathway.runtime, pathway.instance_id)
    return dict(workflow.get_task_from_id(uuid.UUID(task["id"])).data)


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


@given(step("the allocation office granted services to a long-term user until {until:Day} on {day:Day}"))
@when(step("the allocation office granted services to a long-term user until {until:Day} on {day:Day}"))
def granted_long_term(pathway, until: date, day: date) -> None:
    pathway.register(_decision_task(pathway), day, outcome="granted", services="Psykisk helsetjeneste, 3 t/uke",
                     valid_until=until.isoformat(), long_term_user=True)


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


@given(step('the allocation office made a new decision for a long-term user on {day:Day}: "{outcome:Q}" until {until:Day}'))
@when(step('the allocation office made a new decision for a long-term user on {day:Day}: "{outcome:Q}" until {until:Day}'))
def renewed_long_term(pathway, day: date, outcome: str, until: date) -> None:
    pathway.register("renew_decision", day, outcome=outcome, valid_until=until.isoformat(), long_term_user=True)


# ---- the joint allocation meeting and the triangulation talk (Porsgrunn, "forløp 3") -----------------------------

MEETING_PARTICIPANTS = "Tjenestekontoret, psykisk helsetjeneste, fagteamet"
RECOMMENDATION = "Psykisk helsetjeneste 2 t/uke i seks måneder"


@given(step("the case was discussed in the joint allocation meeting on {day:Day}, all parties agreeing"))
@when(step("the case was discussed in the joint allocation meeting on {day:Day}, all parties agreeing"))
def meeting_agreeing(pathway, day: date) -> None:
    pathway.register(_meeting_task(pathway), day, meeting_participants=MEETING_PARTICIPANTS,
                     recommendation=RECOMMENDATION, parties_agree=True)


@given(step("the case was discussed in the joint allocation meeting on {day:Day}, the parties disagreeing"))
@when(step("the case was discussed in the joint allocation meeting on {day:Day}, the parties disagreeing"))
def meeting_disagreeing(pathway, day: date) -> None:
    pathway.register(_meeting_task(pathway), day, meeting_participants=MEETING_PARTICIPANTS,
                     recommendation=RECOMMENDATION, parties_agree=False)


@when(step("the allocation office tried to record the meeting on {day:Day} without saying who took part"))
def meeting_without_participants(pathway, refusal: dict[str, Any], day: date) -> None:
    try:
        pathway.register(_meeting_task(pathway), day, recommendation=RECOMMENDATION, parties_agree=True)
    except InvalidInput as exc:
        refusal["error"] = exc


@given(step("the allocation office held a triangulation talk with the user and the service on {day:Day}, {result}"))
@when(step("the allocation office held a triangulation talk with the user and the service on {day:Day}, {result}"))
def triangulation_talk(pathway, day: date, result: str) -> None:
    agreed = {"reaching agreement": True, "without agreement": False}[result]
    pathway.register(_talk_task(pathway), day, talk_participants="Brukeren, psykisk helsetjeneste, tjenestekontoret",
                     agreement_reached=agreed, talk_summary="Mål og hensikt med tjenesten drøftet")


# ---- changed needs reported while a decision runs, and long-term users' re-assessments --------------------------

@given(step("staff reported changed needs on {day:Day}"))
@when(step("staff reported changed needs on {day:Day}"))
def changed_needs_reported(pathway, day: date) -> None:
    pathway.move_to(day)
    pathway.runtime.send_message(pathway.instance_id, "needs_changed_reported", occurred_on=day,
                                 data={"reported_by": "Miljøterapeut i bofellesskapet",
                                       "note": "Trenger mer hjelp til struktur i hverdagen"})


@then(step("reporting changed needs on {day:Day} is refused because no decision runs"))
def changed_needs_refused(pathway, day: date) -> None:
    pathway.move_to(day)
    try:
        pathway.runtime.send_message(pathway.instance_id, "needs_changed_reported", occurred_on=day, data={})
    except Conflict as exc:
        assert exc.code == ErrorCode.MESSAGE_NOT_AWAITED
    else:
        raise AssertionError("the report of changed needs was accepted")


@given(step('the allocation office reassessed the decision after the reported change on {day:Day}: "{outcome:Q}"'))
@when(step('the allocation office reassessed the decision after the reported change on {day:Day}: "{outcome:Q}"'))
def reassessed_after_changed_needs(pathway, day: date, outcome: str) -> None:
    pathway.register("reassess_after_changed_needs", day, outcome=outcome,
                     reassessment="Behovet er økt etter innleggelse", user_involved=True)


@given(step('the team reassessed the long-term user\'s services with the user on {day:Day}: "{outcome:Q}"'))
@when(step('the team reassessed the long-term user\'s services with the user on {day:Day}: "{outcome:Q}"'))
def reassessed_long_term(pathway, day: date, outcome: str) -> None:
    pathway.register("reassess_long_term_user", day, outcome=outcome, effect="Stabil bosituasjon",
                     user_involved=True)


# ---- outcomes ------------------------------------------------------------------------------------------------

@then("the engine refuses the decision because a granted decision must be time-limited")
def refused_without_end(pathway, refusal: dict[str, Any]) -> None:
    assert "error" in refusal, "the decision was accepted"
    assert "valid_until" in str(refusal["error"])
    assert "decide_application" in [t["element_id"] for t in pathway.open_tasks()]


@then("the engine refuses the meeting because it must say who took part")
def meeting_refused(pathway, refusal: dict[str, Any]) -> None:
    assert "error" in refusal, "the meeting was accepted"
    assert "meeting_participants" in str(refusal["error"])
    assert "allocation_meeting" in [t["element_id"] for t in pathway.open_tasks()]


@then(step('the task "{element:Q}" shows who took part in the meeting and its recommendation'))
def decision_sees_meeting(pathway, element: str) -> None:
    data = _task_data(pathway, element)
    assert (data["meeting_participants"], data["recommendation"]) == (MEETING_PARTICIPANTS, RECOMMENDATION)


@then(step('the task "{element:Q}" shows the reported change'))
def reassessment_sees_report(pathway, element: str) -> None:
    report = _task_data(pathway, element)["needs_changed_reported"]
    assert report["note"] == "Trenger mer hjelp til struktur i hverdagen", report


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
