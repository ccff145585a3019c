"""Small helpers that let tests speak in pathway steps instead of task ids."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.reading.instances import instance_detail
from engine.reading.tasks import TaskFilter, list_tasks
from engine.runtime import PathwayRuntime, write_path
from engine.runtime.workflow_state import load_state

TSB = "tsb_d01"
PATHWAYS_DIR = Path(__file__).resolve().parent.parent / "pathways"


def start_tsb(runtime: PathwayRuntime, *, patient: str = "P-0001", received: date, setting: str = "outpatient",
              unit: str = "DPS Test") -> str:
    return runtime.start_pathway(patient_key=patient, pathway_key=TSB, unit=unit, setting=setting,
                                 referral_received_on=received)


def open_task(runtime: PathwayRuntime, instance_id: str, element: str) -> dict[str, Any]:
    page = list_tasks(runtime.db, runtime.today(), TaskFilter(), limit=500)
    for task in page["items"]:
        if task["instance_id"] == instance_id and task["element_id"] == element:
            return task
    open_elements = [t["element_id"] for t in page["items"] if t["instance_id"] == instance_id]
    raise AssertionError(f"no open task {element!r}; open: {open_elements}")


def complete(runtime: PathwayRuntime, instance_id: str, element: str, on: date, **data: Any) -> None:
    runtime.complete_task(open_task(runtime, instance_id, element)["id"], data=data, occurred_on=on)


def saved_workflow(runtime: PathwayRuntime, instance_id: str) -> BpmnWorkflow:
    """The instance's workflow as its last command saved it (read from its row, not from the live cache)."""
    with runtime.db.reading_connection() as conn:
        state, blob = write_path.load(conn, instance_id)
    definition = runtime.definition_of(state.pathway_version_id)
    return load_state(blob, definition.spec, definition.subprocess_specs)


def detail(runtime: PathwayRuntime, instance_id: str) -> dict[str, Any]:
    return instance_detail(runtime.db, instance_id, runtime.today())


def indicator(runtime: PathwayRuntime, instance_id: str, key: str, sequence: int = 1) -> dict[str, Any]:
    for row in detail(runtime, instance_id)["indicators"]:
        if row["indicator"] == key and row["sequence"] == sequence:
            return row
    raise AssertionError(f"no measurement of {key!r} #{sequence}")


def to_clinical_decision(runtime: PathwayRuntime, instance_id: str, *, assessed: date, attended: date,
                         decided: date, outcome: str = "CT") -> None:
    """Walk a TSB pathway from referral assessment to the clinical decision after basic assessment."""
    complete(runtime, instance_id, "assess_referral", assessed, outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", attended)
    complete(runtime, instance_id, "somatic_health_check", attended, somatic_follow_up_needed=False)
    complete(runtime, instance_id, "clinical_decision_basic", decided, outcome=outcome)
