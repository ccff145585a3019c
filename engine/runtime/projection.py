"""Projecting a workflow run into the tables: measuring points and their deadlines, open coordinator tasks, due
timers, sent messages and the instance's own columns, then the commit.

Everything users query is written here in the command's transaction, so the reads never load a workflow: a
task's due date is the earliest open deadline its measuring point ends; the instance's timers are rewritten only
when they changed; deadlines still open when the pathway ends are cancelled.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from typing import Any, Callable, Iterable

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.access.audit import audit_row
from engine.catalogue import expressions
from engine.catalogue.definition import PathwayDefinition
from engine.deadlines.indicators import DeadlineIndicator
from engine.deadlines.measurement import RegisteredEvent, cancel_open, measure_event, open_due_dates
from engine.errors import ErrorCode, InvalidInput
from engine.runtime.context import RuntimeContext
from engine.runtime.spiff import ready_user_tasks, sent_messages, waiting_messages, waiting_timers
from engine.runtime.workflow_state import dump_state
from engine.runtime.write_path import InstanceState, UnitOfWork
from engine.statuses import InstanceStatus, TaskStatus


def audit(ctx: RuntimeContext, work: UnitOfWork, actor: str | None, action: str, *, task_id: str | None = None,
          detail: str | None = None) -> None:
    """A change made for a person (actor given) is audited in the command's own transaction."""
    if actor is not None:
        work.audit.append(audit_row(ctx.now(), actor, action, patient_key=work.state.patient_key,
                                    instance_id=work.state.id, task_id=task_id, detail=detail))


def automatic_events(definition: PathwayDefinition, events: list[RegisteredEvent],
                     occurred_on: date) -> Callable[[Any], None]:
    """Measuring points on elements the engine completes by itself (start event, gateways, script tasks)."""

    def on_complete(task: Any) -> None:
        if task.task_spec.manual:
            return
        code = definition.measuring_points.get(task.task_spec.name)
        if code:
            events.append(RegisteredEvent(code, occurred_on, None, task.task_spec.name, str(task.id)))

    return on_complete


def after_run(ctx: RuntimeContext, work: UnitOfWork, definition: PathwayDefinition, workflow: BpmnWorkflow,
              events: list[RegisteredEvent], actor: str | None, occurred_on: date | None = None) -> bool:
    """Project the run into the tables and commit. True when messages may now be delivered: the run sent
    some, or the instance waits for a message and one is kept for the patient (asked in the transaction: a
    sender that commits later delivers it itself, through this instance's lock)."""
    now = ctx.now()
    state = work.state
    sent_on = occurred_on or max((e.occurred_on for e in events), default=ctx.today())
    for name, payload, result_variable in sent_messages(workflow):
        work.send_message(name, payload, result_variable, sent_on, now)
    register_events(ctx, work, definition, events, actor, workflow)
    _sync_tasks(work, definition, workflow, now)
    _sync_timers(work, workflow)
    if workflow.is_completed() and state.status == InstanceStatus.ACTIVE:
        state.status = InstanceStatus.COMPLETED
        state.active_key = None
        state.closed_on = max((e.occurred_on for e in events), default=ctx.today())
        cancel_open(state.measurements)
    _refresh_task_due_dates(state)
    work.check_kept_messages = not work.messages and (state.status == InstanceStatus.ACTIVE
                                                      and bool(definition.messages_received)
                                                      and bool(waiting_messages(workflow)))
    work.commit(dump_state(workflow), now)
    return bool(work.messages) or work.kept_messages


def register_events(ctx: RuntimeContext, work: UnitOfWork, definition: PathwayDefinition,
                    events: Iterable[RegisteredEvent], actor: str | None, workflow: BpmnWorkflow | None = None) -> None:
    """Record measuring points and apply them to the instance's deadlines and its start date."""
    now = ctx.now()
    state = work.state
    applicable = [i for i in definition.indicators if i.applies_to(state.setting, state.severity)]
    for event in events:
        work.add_event(event, now, actor)
        if state.last_occurred_on is None or event.occurred_on > state.last_occurred_on:
            state.last_occurred_on = event.occurred_on
        if state.started_on is None and definition.starts_pathway(state.rule_set, event.code, event.outcome):
            state.started_on = event.occurred_on
        measure_event(state.measurements, applicable, event, *start_conditions(applicable, event, workflow))


def remeasure(work: UnitOfWork, definition: PathwayDefinition, events: list[RegisteredEvent],
              workflow: BpmnWorkflow) -> None:
    """Measure the instance's deadlines again from `events` (its registrations that count, in the order they
    were made), after a correction. Rows keep their (indicator, occurrence) keys, so the write is an update of
    what changed; rows the events no longer make are removed."""
    state = work.state
    applicable = [i for i in definition.indicators if i.applies_to(state.setting, state.severity)]
    rows: list = []
    for event in events:
        measure_event(rows, applicable, event, *start_conditions(applicable, event, workflow))
    if state.status != InstanceStatus.ACTIVE:
        cancel_open(rows)
    state.measurements[:] = rows


def start_conditions(applicable: list[DeadlineIndicator], event: RegisteredEvent,
                      workflow: BpmnWorkflow | None) -> tuple[frozenset[str], dict[str, int]]:
    """What the event's task data says about the indicators it would start: those whose `when` condition is false,
    and the patient's own limit of those with a `limit_field` that was filled in.

    `occurred_on` is the event's date as it counts now, so a corrected date moves the condition with it."""
    starting = [i for i in applicable if (i.when or i.limit_field) and i.starts_on(event.code, event.outcome)]
    if not starting:
        return frozenset(), {}
    task = workflow.get_task_from_id(uuid.UUID(event.task_id)) if workflow and event.task_id else None
    data = {**(task.data if task is not None else {}), "occurred_on": event.occurred_on.isoformat()}
    refused = {i.key for i in starting if i.when and not _holds(i, data)}
    limits = {i.key: data[i.limit_field] for i in starting
              if i.limit_field and type(data.get(i.limit_field)) is int and data[i.limit_field] > 0}
    return frozenset(refused), limits


def _holds(indicator: DeadlineIndicator, data: dict) -> bool:
    try:
        return bool(expressions.evaluate(indicator.when, data))
    except Exception as exc:  # a modeller's expression over coordinator data: report, never crash
        raise InvalidInput(ErrorCode.ENGINE_ERROR, f"the condition of deadline '{indicator.key}' "
                                                   f"({indicator.when}) could not be evaluated: {exc}") from exc


def _sync_tasks(work: UnitOfWork, definition: PathwayDefinition, workflow: BpmnWorkflow, now: datetime) -> None:
    """Project the workflow's ready user tasks into the coordinator_task table."""
    ready = ready_user_tasks(workflow)
    for row in list(work.state.open_tasks):
        if row.id not in ready:  # cancelled by the process, e.g. a boundary event or the pathway ending
            work.close_task(row, TaskStatus.CANCELLED, now, None)
    known = {row.id for row in work.state.open_tasks}
    for task_id, task in ready.items():
        if task_id in known:
            continue
        task_def = definition.tasks.get(task.task_spec.name)
        work.open_task({
            "id": task_id, "element_id": task.task_spec.name,
            "label": task_def.label if task_def else (task.task_spec.bpmn_name or task.task_spec.name),
            "lane": task_def.lane if task_def else task.task_spec.lane,
            "measuring_point": task_def.measuring_point if task_def else None,
            "due_on": None, "created_at": now,
        })


def _sync_timers(work: UnitOfWork, workflow: BpmnWorkflow) -> None:
    """Keep due_timer equal to the workflow's waiting timers; rewrite only when they changed."""
    timers = waiting_timers(workflow)
    signature = (hashlib.sha1(repr([(name, due.isoformat()) for name, due in timers]).encode()).hexdigest()
                 if timers else None)
    if signature != work.state.timer_signature:
        work.timers = timers
        work.state.timer_signature = signature


def _refresh_task_due_dates(state: InstanceState) -> None:
    """A task's due date is the earliest open deadline that its measuring point ends."""
    due = open_due_dates(state.measurements)
    for task in state.open_tasks:
        task.due_on = due.get(task.measuring_point) if task.measuring_point else None
