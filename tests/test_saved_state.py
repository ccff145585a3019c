"""Saved instance state from SpiffWorkflow 3.2.0 must keep loading and running.

The fixture was written by this engine: a TSB instance in the middle of the parallel basic assessment. If an
upgrade of SpiffWorkflow (or a change to our serialiser) cannot continue it, running instances would break in
production, so this test fails first.
"""

from pathlib import Path

from SpiffWorkflow.util.task import TaskState

from engine.catalogue.parser import load_definition
from engine.runtime.workflow_state import dump_state, load_state

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
