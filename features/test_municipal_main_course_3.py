"""Hovedforløp 3: alvorlige og langvarige lidelser (inkl. ROP) – the municipality's main course 3.

Steps only this pathway needs: the start, the establishment (coordinator, responsibility group, individual plan,
crisis plan), the recurring cycle (mapping talk, treatment plan, re-assessment with risk assessment), and the
"blålys" crisis, which is reported from outside the pathways as the message `crisis_reported`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pytest_bdd import given, scenarios, then, when

from engine.errors import Conflict, FieldCode, InvalidInput
from features.conftest import phrases, step_with

scenarios("municipal_main_course_3.feature", "municipal_main_course_3_recurring.feature")

KEY = "municipal_main_course_3"

#: What the unit lead decides when a crisis is over, as a feature says it, and the form value (`outcome`).
AFTER_CRISIS = {
    "resuming the normal course": "resume",
    "re-establishing the cooperation": "re_establish",
    "closing main course 3": "close",
}


step = step_with(AfterCrisis=phrases(AFTER_CRISIS))


# ---- events ----------------------------------------------------------------------------------------------------

@given(step("main course 3 was started on {day:Day} for a patient with a severe, long-term illness"))
def course_started(pathway, day: date) -> None:
    pathway.start(KEY, "outpatient", day, unit="Psykisk helse og rus")


@given(step("the unit lead appointed a coordinator on {day:Day}"))
@when(step("the unit lead appointed a coordinator on {day:Day}"))
def coordinator_assigned(pathway, day: date) -> None:
    pathway.register("assign_coordinator", day, coordinator_name="Ola Nordmann, ambulant team")


@given(step("the responsibility group, the individual plan and the crisis plan were made with the patient on "
            "{day:Day}"))
@when(step("the responsibility group, the individual plan and the crisis plan were made with the patient on "
           "{day:Day}"))
def instruments_made(pathway, day: date) -> None:
    instruments_made_with_intervals(pathway, day, 2, 6)


@given(step("the responsibility group was set up on {day:Day} to meet every {group:d} months, the individual plan "
            "made to be evaluated every {plan:d} months, and the crisis plan made"))
@when(step("the responsibility group was set up on {day:Day} to meet every {group:d} months, the individual plan "
           "made to be evaluated every {plan:d} months, and the crisis plan made"))
def instruments_made_with_intervals(pathway, day: date, group: int, plan: int) -> None:
    pathway.register("establish_responsibility_group", day, members="Pasient, fastlege, DPS, NAV, bolig",
                     specialist_care_member=True, meeting_interval_months=group)
    pathway.register("establish_individual_plan", day, consent_given=True, patient_goals="Bo i egen leilighet",
                     ip_evaluation_interval_months=plan)
    pathway.register("make_crisis_plan", day, patient_involved=True)


@given(step("the course was established on {day:Day}"))
@when(step("the course was established on {day:Day}"))
def course_established(pathway, day: date) -> None:
    coordinator_assigned(pathway, day)
    instruments_made(pathway, day)


@given(step("a mapping talk was held and the treatment plan updated with the patient on {day:Day}"))
@when(step("a mapping talk was held and the treatment plan updated with the patient on {day:Day}"))
def cycle_planned(pathway, day: date) -> None:
    pathway.register("mapping_talk", day, somatic_health_checked=True)
    pathway.register("update_treatment_plan", day, patient_involved=True)


@given(step("the course was reassessed with a risk assessment on {day:Day}, continuing the course"))
@when(step("the course was reassessed with a risk assessment on {day:Day}, continuing the course"))
def reassessed_continue(pathway, day: date) -> None:
    pathway.register("reassess_course", day, outcome="continue", risk_assessed=True, crisis_plan_updated=True,
                     individual_plan_updated=True, specialist_care_involved=True)


@when(step("the course was reassessed with a risk assessment on {day:Day}, closing the course"))
def reassessed_close(pathway, day: date) -> None:
    pathway.register("reassess_course", day, outcome="close", risk_assessed=True)


@given(step('a crisis ("blålys") was reported on {day:Day}'))
@when(step('a crisis ("blålys") was reported on {day:Day}'))
def crisis_reported(pathway, day: date) -> None:
    pathway.move_to(day)
    pathway.runtime.send_message(pathway.instance_id, "crisis_reported", occurred_on=day,
                                 data={"reported_by": "Legevakten", "description": "Akutt forverring, ruspåvirket"})


@when(step('another crisis was reported on {day:Day}'))
def crisis_reported_again(pathway, refusal: dict[str, Any], day: date) -> None:
    pathway.move_to(day)
    try:
        pathway.runtime.send_message(pathway.instance_id, "crisis_reported", occurred_on=day, data={})
    except Conflict as exc:
        refusal["error"] = exc


@given(step('the unit lead gave "{service:Q}" authority to coordinate the resources across services on {day:Day}'))
@when(step('the unit lead gave "{service:Q}" authority to coordinate the resources across services on {day:Day}'))
def authority_given(pathway, service: str, day: date) -> None:
    pathway.register("blue_light_authority", day, lead_service=service, services_involved="Bolig, NAV, DPS")


@given(step("the crisis plan was activated on {day:Day}"))
@when(step("the crisis plan was activated on {day:Day}"))
def crisis_plan_activated(pathway, day: date) -> None:
    pathway.register("activate_crisis_plan", day, crisis_plan_existed=True)


@given(step("the crisis was over on {day:Day}, {decision:AfterCrisis}"))
@when(step("the crisis was over on {day:Day}, {decision:AfterCrisis}"))
def crisis_over(pathway, day: date, decision: str) -> None:
    pathway.register("end_crisis_period", day, outcome=decision, risk_assessed=True)


@given(step("the follow-up talk after the crisis was held on {day:Day}"))
@when(step("the follow-up talk after the crisis was held on {day:Day}"))
def follow_up_talk(pathway, day: date) -> None:
    pathway.register("follow_up_talk_after_crisis", day, crisis_plan_updated=True)


@given(step("the crisis plan was revised with the patient on {day:Day}"))
@when(step("the crisis plan was revised with the patient on {day:Day}"))
def crisis_plan_revised(pathway, day: date) -> None:
    pathway.register("revise_crisis_plan", day, patient_involved=True, changes="Nytt varseltegn lagt til")


# ---- outcomes ------------------------------------------------------------------------------------------------

@then(step('the "{name:Q}" deadline is flagged as unconfirmed'))
def deadline_flagged(pathway, name: str) -> None:
    key = pathway.indicator_key(name)
    [indicator] = [i for i in pathway.pathway_definition().indicators if i.key == key]
    assert indicator.unconfirmed and indicator.note


@then("the engine refuses the report, because the pathway does not wait for a crisis during a crisis")
def crisis_report_refused(refusal: dict[str, Any]) -> None:
    assert "error" in refusal, "the second crisis report was accepted"
    assert "crisis_reported" in str(refusal["error"])


# ---- the responsibility group's meetings and the individual plan's evaluations, each on its own interval -------

@given(step('the responsibility group met on {day:Day} with the patient, the GP and specialist care, '
            'to meet again in {months:d} months, deciding "{decisions:Q}"'))
@when(step('the responsibility group met on {day:Day} with the patient, the GP and specialist care, '
           'to meet again in {months:d} months, deciding "{decisions:Q}"'))
def group_met(pathway, day: date, months: int, decisions: str) -> None:
    minutes = {f"decision_{n}": text.strip() for n, text in enumerate(decisions.split(";"), start=1) if text.strip()}
    pathway.register("hold_responsibility_group_meeting", day, patient_present=True, gp_present=True,
                     specialist_care_present=True, meeting_interval_months=months, **minutes)


@when(step("the responsibility group met on {day:Day}, to meet again in {months:d} months, with no decisions"))
def group_met_without_decisions(pathway, day: date, months: int) -> None:
    pathway.register("hold_responsibility_group_meeting", day, patient_present=True, meeting_interval_months=months)


@when(step("the responsibility group is set up on {day:Day} to meet every {months:d} months"))
def group_set_up_with_interval(pathway, refusal: dict[str, Any], day: date, months: int) -> None:
    try:
        pathway.register("establish_responsibility_group", day, members="Pasient, fastlege",
                         meeting_interval_months=months)
    except InvalidInput as exc:
        refusal["error"] = exc


@then(step("the registration is refused, because the meeting interval must be from {low:d} to {high:d} months"))
def interval_refused(refusal: dict[str, Any], low: int, high: int) -> None:
    assert "error" in refusal, "the interval was accepted"
    assert [(f.field, f.code, f.params) for f in refusal["error"].fields] == [
        ("meeting_interval_months", FieldCode.NUMBER_OUT_OF_RANGE, {"min": low, "max": high})]


@given(step("the individual plan was evaluated with the patient on {day:Day}, next in {months:d} months"))
@when(step("the individual plan was evaluated with the patient on {day:Day}, next in {months:d} months"))
def plan_evaluated(pathway, day: date, months: int) -> None:
    pathway.register("evaluate_individual_plan", day, patient_involved=True, individual_plan_updated=True,
                     ip_evaluation_interval_months=months)


@when(step("the patient was discharged from an inpatient stay on {day:Day}"))
def discharged(pathway, day: date) -> None:
    pathway.move_to(day)
    pathway.runtime.send_message(pathway.instance_id, "patient_discharged", occurred_on=day, data={})


@when(step("the individual plan was evaluated at discharge on {day:Day}, next in {months:d} months"))
def plan_evaluated_at_discharge(pathway, day: date, months: int) -> None:
    pathway.register("evaluate_individual_plan_at_discharge", day, patient_involved=True,
                     individual_plan_updated=True, ip_evaluation_interval_months=months)


@then(step('the meeting form records "{fields:Q}"'))
def meeting_form_records(pathway, fields: str) -> None:
    form = {spec.id for spec in pathway.pathway_definition().form_of("hold_responsibility_group_meeting")}
    missing = [f.strip() for f in fields.split(",") if f.strip() not in form]
    assert not missing, f"the meeting form lacks {missing}"
