"""Hovedforløp 1: lavterskel hjelp – the municipality's main course 1.

Steps only this pathway needs: the first contact without a referral, the short mapping talk, the follow-up talks
and their evaluation, and the move on to main course 2, whose message (`main_course_2_needed`) starts main course 2
for the same person (`startedByMessage`). Main course 1 is the side `pathway.instance_id` follows.
"""

from __future__ import annotations

from datetime import date, timedelta

from pytest_bdd import given, scenarios, then, when
from sqlalchemy import select

from engine.db.models import PathwayInstance
from features.conftest import phrases, step_with
from tests.support import detail

scenarios("municipal_main_course_1.feature")

KEY, COURSE_2 = "municipal_main_course_1", "municipal_main_course_2"

#: what a talk or the evaluation decides, as a feature says it, and the form value (`outcome`)
MAPPING = {
    "offering low-threshold help": "low_threshold",
    "finding more than mild problems": "main_course_2",
    "finding no need for more help": "no_further_help",
}
TALK = {
    "continuing the talks": "continue",
    "as the problems are better": "close",
    "as the problems are more than mild": "main_course_2",
}
EVALUATION = {
    "deciding on a few more talks": "more_talks",
    "as the problems are better": "close",
    "moving on to main course 2": "main_course_2",
}

step = step_with(Mapping=phrases(MAPPING), Talk=phrases(TALK), Evaluation=phrases(EVALUATION))


def course_2_id(pathway) -> str:
    with pathway.runtime.db.reading() as session:
        [instance_id] = session.scalars(select(PathwayInstance.id).where(
            PathwayInstance.patient_key == pathway.patient_key, PathwayInstance.pathway_key == COURSE_2)).all()
    return instance_id


# ---- events ----------------------------------------------------------------------------------------------------

@given(step("a person got in touch with low-threshold help on {day:Day}, without a referral"))
def first_contact(pathway, day: date) -> None:
    pathway.start(KEY, "outpatient", day, unit="Rask psykisk helsehjelp")


@given(step("a short mapping talk was held on {day:Day}, {decision:Mapping}"))
@when(step("a short mapping talk was held on {day:Day}, {decision:Mapping}"))
def mapping_talk(pathway, day: date, decision: str) -> None:
    pathway.register("mapping_talk", day, outcome=decision, problems="Lett nedstemt etter samlivsbrudd")


@given(step("a follow-up talk was held on {day:Day}, {decision:Talk}"))
@when(step("a follow-up talk was held on {day:Day}, {decision:Talk}"))
def follow_up_talk(pathway, day: date, decision: str) -> None:
    pathway.register("follow_up_talk", day, outcome=decision, note="Samtale om søvn og aktivitet")


@given(step("{count:d} follow-up talks were held by {day:Day}, {decision:Talk}"))
@when(step("{count:d} follow-up talks were held by {day:Day}, {decision:Talk}"))
def follow_up_talks(pathway, count: int, day: date, decision: str) -> None:
    """One talk a week, the last on `day`."""
    for weeks_before in range(count - 1, -1, -1):
        follow_up_talk(pathway, day - timedelta(weeks=weeks_before), decision)


@given(step("the help was evaluated with the person on {day:Day}, {decision:Evaluation}"))
@when(step("the help was evaluated with the person on {day:Day}, {decision:Evaluation}"))
def help_evaluated(pathway, day: date, decision: str) -> None:
    pathway.register("evaluate_help", day, outcome=decision)


@when(step('the person was moved on to main course 2 at "{unit:Q}" on {day:Day}'))
def moved_on(pathway, unit: str, day: date) -> None:
    pathway.register("refer_to_main_course_2", day, main_course_2_unit=unit,
                     reason="Plagene har vart lenger og er mer enn milde")


# ---- outcomes ------------------------------------------------------------------------------------------------

@then(step('main course 2 runs at "{unit:Q}" for the same person, started on {day:Day}'))
def course_2_runs(pathway, unit: str, day: date) -> None:
    view = detail(pathway.runtime, course_2_id(pathway))
    assert (view["patient_key"], view["unit"], view["status"], view["started_on"]) == (
        pathway.patient_key, unit, "active", day), view


@then(step('in main course 2 the task "{element:Q}" is open'))
def course_2_task_open(pathway, element: str) -> None:
    tasks = detail(pathway.runtime, course_2_id(pathway))["open_tasks"]
    assert element in [t["element_id"] for t in tasks], tasks


@then("main course 2 shows it was started by the message from main course 1")
def course_2_linked(pathway) -> None:
    started = course_2_id(pathway)
    [link] = detail(pathway.runtime, started)["linked_pathways"]
    assert (link["kind"], link["direction"], link["instance_id"], link["pathway"]) == (
        "started_by_message", "from", pathway.instance_id, KEY)
    [back] = pathway.detail()["linked_pathways"]
    assert (back["kind"], back["direction"], back["instance_id"], back["pathway"]) == (
        "started_by_message", "to", started, COURSE_2)


@then(step('main course 1 shows the message "{name:Q}" as delivered to main course 2'))
def message_delivered(pathway, name: str) -> None:
    started = course_2_id(pathway)
    [sent] = [m for m in pathway.detail()["messages"] if m["name"] == name]
    assert (sent["direction"], sent["status"], sent["other"]["instance_id"]) == ("sent", "delivered", started)
    [received] = [m for m in detail(pathway.runtime, started)["messages"] if m["name"] == name]
    assert (received["direction"], received["status"]) == ("received", "delivered")


@then("main course 2 is still active")
def course_2_active(pathway) -> None:
    assert detail(pathway.runtime, course_2_id(pathway))["status"] == "active"
