"""How the runtime drives SpiffWorkflow: run a workflow until it waits, and read what it waits for.

SpiffWorkflow errors inside a run become `engine_error` with the element (`engine.runtime.failures`).
The clock is the engine's (`spiff_clock`), so timers fire by the injected clock, never by the wall clock.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any, Callable

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition as BpmnMessageEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.clock import OSLO, Clock, spiff_clock
from engine.runtime.failures import engine_error

_TIMER_EVENTS = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}


def run_engine(workflow: BpmnWorkflow, clock: Clock, on_complete: Callable[[Any], None], *,
               timers: bool = True) -> None:
    """Run the workflow until it waits for people or time. `timers=False` skips looking for fired timers
    (a walk over the whole task tree) when the instance has none waiting."""
    try:
        with spiff_clock(clock):
            if timers:
                workflow.refresh_timers()
            workflow.do_engine_steps(did_complete_task=on_complete)
    except SpiffWorkflowException as exc:
        raise engine_error(exc, "the pathway could not continue") from exc


def _task_maps(workflow: BpmnWorkflow) -> list[dict]:
    return [workflow.tasks] + [sub.tasks for sub in workflow.subprocesses.values()]


def ready_user_tasks(workflow: BpmnWorkflow) -> dict[str, Any]:
    """Ready user tasks by id; reads the task maps directly instead of walking the tree."""
    return {str(task.id): task for tasks in _task_maps(workflow) for task in tasks.values()
            if task.state == TaskState.READY and task.task_spec.manual}


def share_with_parallel_branches(workflow: BpmnWorkflow, completed: Any, values: dict[str, Any],
                                 occurred_on: date) -> None:
    """Registered values are the pathway's, not the branch's: give them to the tasks of parallel branches too.

    SpiffWorkflow copies data along each branch and merges the copies where branches join, the last one to arrive
    winning. Without this, a clinical decision (`outcome` = CT) registered before the parallel somatic health
    check would be overwritten at the join by that branch's older `outcome`, and the pathway would take the
    wrong way. With it, the latest registration wins, as with process variables in Camunda.
    """
    shared = {**values, "occurred_on": occurred_on.isoformat()}
    for tasks in _task_maps(workflow):
        for task in tasks.values():
            if task is not completed and task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
                task.data.update(shared)


def waiting_messages(workflow: BpmnWorkflow) -> set[str]:
    """The messages the workflow would receive now: those its catch and boundary events wait for, and those that
    start one of its event sub-processes (a message start event, `triggeredByEvent`), which wait the whole time
    the process runs and receive again and again (SpiffWorkflow starts a new run of the sub-process each time)."""
    waiting = {pending.name for pending in workflow.waiting_events() if pending.event_type == "MessageEventDefinition"}
    if not workflow.is_completed():
        for name in getattr(workflow.spec.start, "trigger_specs", ()):
            for start in workflow.subprocess_specs[name].bpmn_start_events:
                if isinstance(start.event_definition, BpmnMessageEventDefinition):
                    waiting.add(start.event_definition.name)
    return waiting


def sent_messages(workflow: BpmnWorkflow) -> list[tuple[str, str, str | None]]:
    """(name, JSON payload, result variable) of the messages the last run threw."""
    sent = []
    for event in workflow.get_events():
        if isinstance(event.event_definition, MessageEventDefinition):
            body = event.payload or {}
            sent.append((event.event_definition.name,
                         json.dumps(body.get("payload"), default=str, ensure_ascii=False), body.get("result_var")))
    return sent


def waiting_timers(workflow: BpmnWorkflow) -> list[tuple[str, datetime]]:
    """(element, due instant in UTC) of the timers the workflow waits for, earliest first."""
    return sorted({(pending.name or "timer", due_at) for pending in workflow.waiting_events()
                   if (due_at := _timer_due_at(pending)) is not None}, key=lambda t: (t[1], t[0]))


def _timer_due_at(pending: Any) -> datetime | None:
    if pending.event_type not in _TIMER_EVENTS or not pending.value or not isinstance(pending.value, str):
        return None
    try:
        due_at = datetime.fromisoformat(pending.value)
    except ValueError:
        return None
    if due_at.tzinfo is None:
        due_at = due_at.replace(tzinfo=OSLO)
    return due_at.astimezone(timezone.utc)
