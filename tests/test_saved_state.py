"""Saved instance state must keep loading and running: from the pinned SpiffWorkflow 3.2.0 and from older ones.

The fixture was written by this engine: a TSB instance in the middle of the parallel basic assessment. If an
upgrade of SpiffWorkflow (or a change to our serialiser) cannot continue it, running instances would break in
production, so this test fails first.
"""

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.catalogue.parser import load_definition
from engine.clock import OSLO, ManualClock, spiff_clock
from engine.errors import Conflict, ErrorCode
from engine.runtime import state_format
from engine.runtime.spiff import waiting_messages, waiting_timers
from engine.runtime.workflow_state import SERIALIZER, dump_state, load_state

FIXTURE = Path(__file__).parent / "fixtures" / "saved_state"


def test_saved_state_from_the_pinned_version_continues():
    definition = load_definition((FIXTURE / "tsb_d01.bpmn").read_bytes(), "tsb_d01.bpmn")
    workflow = load_state((FIXTURE / "state.json").read_bytes(), definition.spec, definition.subprocess_specs)
    ready = [t for t in workflow.get_tasks(state=TaskState.READY, manual=True)]
    assert [t.task_spec.name for t in ready] == ["clinical_decision_basic"]
    assert ready[0].data["referral_received"] == "2026-01-05"
    ready[0].data["outcome"] = "CT"
    ready[0].run()
    workflow.do_engine_steps()
    [plan] = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert plan.task_spec.name == "plan_treatment"
    assert plan.data["somatic_follow_up_needed"] is True and plan.data["outcome"] == "CT"  # both branches joined
    again = load_state(dump_state(workflow), definition.spec, definition.subprocess_specs)
    assert [t.task_spec.name for t in again.get_tasks(state=TaskState.READY, manual=True)] == ["plan_treatment"]


# --- states written by older SpiffWorkflow versions (see fixtures/saved_state/make_older_states.py) ---------------

OLDER_STATES = sorted(path.name for path in FIXTURE.glob("main_course_3.*.json"))
OVERDUE_AT = datetime(2025, 7, 3, tzinfo=OSLO)  # reassessment registered ready 2025-04-02: 3 months and a day


@pytest.fixture(scope="module")
def main_course_3():
    return load_definition((FIXTURE / "municipal_main_course_3.bpmn").read_bytes(), "municipal_main_course_3.bpmn")


def _load(definition, name: str):
    return load_state((FIXTURE / name).read_bytes(), definition.spec, definition.subprocess_specs)


def _names(workflow, state) -> list[str]:
    return sorted(t.task_spec.name for t in workflow.get_tasks(state=state))


def test_the_older_fixtures_are_what_they_say():
    formats = {json.loads((FIXTURE / name).read_text())["serializer_version"] for name in OLDER_STATES}
    assert formats == {"1.3", "1.4"} and len(OLDER_STATES) == 4
    assert state_format.CURRENT == SERIALIZER.VERSION, "a new SpiffWorkflow format: add its step and a fixture"


@pytest.mark.parametrize("name", OLDER_STATES)
def test_an_older_state_waits_where_it_was_saved(main_course_3, name):
    workflow = _load(main_course_3, name)
    assert _names(workflow, TaskState.READY) == ["reassess_course"]
    assert [timer for timer, _ in waiting_timers(workflow)] == ["Revurderingen er forfalt"]
    assert waiting_timers(workflow)[0][1] == OVERDUE_AT.astimezone(timezone.utc)
    assert waiting_messages(workflow) == {"crisis_reported"}
    [ready] = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert ready.data["coordinator_name"].startswith("Kari Nordmann") and ready.data["occurred_on"] == "2025-04-02"


@pytest.mark.parametrize("name", OLDER_STATES)
def test_an_older_state_fires_its_timer_inside_the_sub_process(main_course_3, name):
    workflow = _load(main_course_3, name)
    with spiff_clock(ManualClock(OVERDUE_AT + timedelta(hours=1))):
        workflow.refresh_timers()
        workflow.do_engine_steps()
    assert _names(workflow, TaskState.READY) == ["follow_up_overdue_reassessment", "reassess_course"]
    again = load_state(dump_state(workflow), main_course_3.spec, main_course_3.subprocess_specs)
    assert _names(again, TaskState.READY) == ["follow_up_overdue_reassessment", "reassess_course"]


@pytest.mark.parametrize("name", OLDER_STATES)
def test_an_older_state_receives_its_pending_message(main_course_3, name):
    workflow = _load(main_course_3, name)
    with spiff_clock(ManualClock(date(2025, 4, 10))):
        workflow.send_event(BpmnEvent(MessageEventDefinition("crisis_reported"), payload={"payload": None}))
        workflow.do_engine_steps()
    assert _names(workflow, TaskState.READY) == ["blue_light_authority"]  # the sub-process was interrupted
    assert waiting_timers(workflow) == []


@pytest.mark.parametrize("name", OLDER_STATES)
def test_an_older_state_moves_on_with_a_registration(main_course_3, name):
    workflow = _load(main_course_3, name)
    [reassess] = workflow.get_tasks(state=TaskState.READY, manual=True)
    reassess.data.update({"outcome": "close", "risk_assessed": True, "occurred_on": "2025-06-20"})
    with spiff_clock(ManualClock(date(2025, 6, 20))):
        reassess.run()
        workflow.do_engine_steps()
    assert _names(workflow, TaskState.READY) == ["close_course"]


def test_a_current_state_labelled_older_still_loads():
    """The loader used to run the library's step before the spec was back: `KeyError: 'spec'`."""
    definition = load_definition((FIXTURE / "tsb_d01.bpmn").read_bytes(), "tsb_d01.bpmn")
    state = json.loads((FIXTURE / "state.json").read_text())
    state["serializer_version"] = "1.4"
    workflow = load_state(json.dumps(state).encode(), definition.spec, definition.subprocess_specs)
    assert _names(workflow, TaskState.READY) == ["clinical_decision_basic"]


@pytest.mark.parametrize("version", ["9.9", None])
def test_a_state_of_an_unknown_format_is_refused_by_code(version):
    definition = load_definition((FIXTURE / "tsb_d01.bpmn").read_bytes(), "tsb_d01.bpmn")
    state = json.loads((FIXTURE / "state.json").read_text())
    state["serializer_version"] = version
    with pytest.raises(Conflict) as refused:
        load_state(json.dumps(state).encode(), definition.spec, definition.subprocess_specs)
    assert refused.value.code == ErrorCode.SAVED_STATE_UNREADABLE and refused.value.params["format"] == str(version)


def test_the_per_process_steps_reach_the_sub_processes():
    """SpiffWorkflow's own 1.3 -> 1.4 step fails on any sub-process; ours changes the sub-process's tasks too."""
    loop = {"typename": "ParallelMultiInstanceTask", "outputs": []}
    dct = {"serializer_version": "1.3", "tasks": {"a": {"task_spec": "top_loop", "state": 8}},
           "spec": {"name": "top", "task_specs": {"top_loop": loop}},
           "subprocess_specs": {"sub": {"name": "sub", "task_specs": {"sub_loop": loop}}},
           "subprocesses": {"s": {"spec": "sub", "tasks": {"b": {"task_spec": "sub_loop", "state": 8}}}}}
    state_format.upgrade(dct, SERIALIZER, spec=None, subprocess_specs={})
    assert dct["tasks"]["a"]["state"] == 32 and dct["subprocesses"]["s"]["tasks"]["b"]["state"] == 32
