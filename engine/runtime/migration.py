"""Migration of running instances to another version of their pathway, with a dry-run and a revert.

An instance started on a version stays on it (`engine.catalogue.deployment`); a modeller who fixed a version
moves the running instances on with this module. Each instance moves in a transaction of its own, through the
instance gate, so one that fails is rolled back alone and the others go on:

1. SpiffWorkflow's own diff (`SpecDiff`/`WorkflowDiff`, via `diff_workflow`) aligns the instance's tasks with the
   target's elements by BPMN id. An instance whose current task (ready, waiting, started) has no element in the
   target is refused (`current_task_removed`), as is one whose history does (`reached_element_removed`).
2. `migrate_workflow` puts the target's specs under the tasks and resets the ready and waiting ones, so what
   follows them is predicted from the target; the task data the pathway registered is kept. A reset task keeps
   its id, so a coordinator's open task stays the same task. The run that follows may open and close tasks
   (e.g. a timer whose new expression is already due).
3. Deadlines are measured again from the instance's registrations with the target's indicators
   (`projection.remeasure`); a deadline that had already ended keeps its measured status
   (`measurement.carry_over`). Tasks, timers and the instance's columns are projected as after any run.
4. Written beside it: an `instance_migration` row (from and to version), an audit row, and the open timer
   incidents the run resolved (a script fixed in the target now ran), resolved with a note.

A dry-run does steps 1–3 in memory on the instance read from its row and writes nothing. A revert moves an
instance back to the version its last migration took it from, with the same checks.

Not migrated: registrations already made (their dates and form data stay as registered, also where the target's
form changed), messages already sent to other pathways, timers that already fired, and the pathway's start date.
Waiting timers are set again from the target's expressions over the instance's data.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import OperationalError

from engine.catalogue.definition import PathwayDefinition
from engine.clock import spiff_clock
from engine.db.models import CoordinatorTask, Incident, InstanceMigration, PathwayVersion
from engine.deadlines.measurement import Measurement, RegisteredEvent, carry_over
from engine.errors import Conflict, ErrorCode, InvalidInput, NotFound, PathwayError
from engine.runtime import incidents, projection, write_path
from engine.runtime.context import RuntimeContext
from engine.runtime.corrections import counted_events
from engine.runtime.failures import guarded
from engine.runtime.gate import changed_concurrently, locked
from engine.runtime.messages import deliver_messages
from engine.runtime.spiff import ready_user_tasks, run_engine, waiting_timers
from engine.runtime.workflow_state import SERIALIZER, dump_state, load_state
from engine.runtime.write_path import InstanceState, StaleInstance, UnitOfWork
from engine.statuses import IncidentKind, IncidentStatus, InstanceStatus, MigrationKind, TaskStatus

#: The most instances one request may choose: a bulk migration answers with a line per instance.
MAX_INSTANCES = 1000
MIGRATION = InstanceMigration.__table__
_CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_REACHED = TaskState.COMPLETED | TaskState.ERROR | TaskState.CANCELLED
_FAILED = "the pathway could not be moved to the new version"


@dataclass(frozen=True)
class Selection:
    """Which instances of a pathway to move: the active ones (of one version, or of every version but the target),
    narrowed by unit and by the element of an open task; or the listed ones, whatever their state."""

    pathway_key: str
    from_version_id: int | None = None
    unit: str | None = None
    element_id: str | None = None
    instance_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeadlineChange:
    """A deadline the move changes: its due date and status before and after (None: it has no such row)."""

    indicator: str
    sequence: int
    label: str
    old_due_on: date | None
    new_due_on: date | None
    old_status: str | None
    new_status: str | None


@dataclass
class Outcome:
    """One instance's line of a migration or a dry-run: moved (or would be), or why not (a stable code)."""

    instance_id: str
    ok: bool
    to_version_id: int
    from_version_id: int | None = None
    unit: str | None = None
    code: str | None = None
    message: str | None = None
    current_elements: list[str] = field(default_factory=list)
    tasks_opened: list[str] = field(default_factory=list)
    tasks_closed: list[str] = field(default_factory=list)
    deadlines: list[DeadlineChange] = field(default_factory=list)
    incidents_resolved: list[int] = field(default_factory=list)


@dataclass
class Report:
    """The result of a bulk request: `done` of `total` instances went through, `moved` of them moved (or would)."""

    pathway_key: str
    to_version_id: int
    dry_run: bool
    total: int
    done: int = 0
    moved: int = 0
    items: list[Outcome] = field(default_factory=list)


@dataclass
class _Plan:
    work: UnitOfWork
    target: PathwayDefinition
    events: list[RegisteredEvent]  # measuring points the run after the move passed
    before: list[Measurement]  # the deadlines before the move
    outcome: Outcome


Progress = Callable[[int, int, Outcome], None]


def target_version(ctx: RuntimeContext, pathway_key: str, version_id: int | None) -> tuple[int, str]:
    """(version id, its pathway): the given version, or the pathway's current one."""
    query = (select(PathwayVersion.id, PathwayVersion.pathway_key).where(PathwayVersion.id == version_id)
             if version_id is not None else
             select(PathwayVersion.id, PathwayVersion.pathway_key).where(PathwayVersion.pathway_key == pathway_key,
                                                                          PathwayVersion.is_current.is_(True)))
    with ctx.db.reading_connection() as conn:
        row = conn.execute(query).first()
    if row is None:
        if version_id is None:
            raise NotFound(ErrorCode.PATHWAY_NOT_FOUND, f"no pathway {pathway_key}")
        raise NotFound(ErrorCode.PATHWAY_VERSION_NOT_FOUND, f"no pathway version {version_id}")
    if row.pathway_key != pathway_key:
        raise InvalidInput(ErrorCode.MIGRATION_OTHER_PATHWAY, f"version {version_id} is a version of "
                                                              f"{row.pathway_key}, not of {pathway_key}",
                           params={"pathway": row.pathway_key})
    return row.id, row.pathway_key


def chosen(ctx: RuntimeContext, selection: Selection, to_version_id: int) -> list[str]:
    """The ids of the chosen instances, at most MAX_INSTANCES (more is refused: choose by unit or element)."""
    instance, task = write_path.INSTANCE, write_path.TASK
    query = select(instance.c.id).order_by(instance.c.id).limit(MAX_INSTANCES + 1)
    if selection.instance_ids:
        query = query.where(instance.c.id.in_(selection.instance_ids))
    else:
        query = query.where(instance.c.pathway_key == selection.pathway_key,
                            instance.c.status == InstanceStatus.ACTIVE,
                            instance.c.pathway_version_id == selection.from_version_id
                            if selection.from_version_id is not None
                            else instance.c.pathway_version_id != to_version_id)
    if selection.unit:
        query = query.where(instance.c.unit == selection.unit)
    if selection.element_id:
        query = query.where(select(task.c.id).where(task.c.instance_id == instance.c.id,
                                                    task.c.status == TaskStatus.OPEN,
                                                    task.c.element_id == selection.element_id).exists())
    with ctx.db.reading_connection() as conn:
        found = list(conn.scalars(query))
    if len(found) > MAX_INSTANCES or len(selection.instance_ids) > MAX_INSTANCES:
        raise InvalidInput(ErrorCode.MIGRATION_SELECTION_TOO_LARGE,
                           f"more than {MAX_INSTANCES} instances chosen; choose by unit or element",
                           params={"limit": MAX_INSTANCES})
    missing = [i for i in dict.fromkeys(selection.instance_ids) if i not in set(found)]
    return found + missing


def migrate_instances(ctx: RuntimeContext, selection: Selection, to_version_id: int | None, actor: str, *,
                      dry_run: bool, on_progress: Progress | None = None) -> Report:
    """Move the chosen instances to `to_version_id` (default: the pathway's current version), each in its own
    transaction; with `dry_run`, say per instance what would happen and write nothing."""
    target_id, pathway_key = target_version(ctx, selection.pathway_key, to_version_id)
    ids = chosen(ctx, selection, target_id)
    report = Report(pathway_key, target_id, dry_run, total=len(ids))
    for instance_id in ids:
        outcome = _one(ctx, instance_id, target_id, actor, dry_run=dry_run)
        report.items.append(outcome)
        report.done += 1
        report.moved += outcome.ok
        if on_progress is not None:
            on_progress(report.done, report.total, outcome)
    return report


def revert(ctx: RuntimeContext, instance_id: str, actor: str, *, dry_run: bool = False) -> Outcome:
    """Move the instance back to the version its last migration took it from; raises when it cannot."""
    with ctx.db.reading_connection() as conn:
        record = _last_migration(conn, instance_id)
    if record is None:
        raise Conflict(ErrorCode.NO_MIGRATION_TO_REVERT, f"pathway {instance_id} has no migration to revert")
    if dry_run:
        return _dry_run(ctx, instance_id, record.from_version_id, reverting=record)
    return _apply(ctx, instance_id, record.from_version_id, actor, reverting=record)


def _one(ctx: RuntimeContext, instance_id: str, target_id: int, actor: str, *, dry_run: bool) -> Outcome:
    """One instance of a bulk request: its outcome, a refusal or failure included (the others go on)."""
    try:
        if dry_run:
            return _dry_run(ctx, instance_id, target_id)
        return _apply(ctx, instance_id, target_id, actor)
    except PathwayError as exc:
        return _refused(ctx, instance_id, target_id, exc.code, str(exc))
    except OperationalError as exc:  # SQLite: another writer held the database past the wait
        if "locked" not in str(exc).lower():
            raise
        return _refused(ctx, instance_id, target_id, ErrorCode.INSTANCE_BUSY,
                        "the pathway is busy with another change; try again")


def _refused(ctx: RuntimeContext, instance_id: str, target_id: int, code: ErrorCode, message: str) -> Outcome:
    """The line of an instance that did not move: why, and where it stands (its unit, version, open tasks)."""
    instance, task = write_path.INSTANCE, write_path.TASK
    with ctx.db.reading_connection() as conn:
        row = conn.execute(select(instance.c.unit, instance.c.pathway_version_id)
                           .where(instance.c.id == instance_id)).first()
        elements = list(conn.scalars(select(task.c.element_id).where(task.c.instance_id == instance_id,
                                                                     task.c.status == TaskStatus.OPEN)
                                     .order_by(task.c.created_at, task.c.id)))
    return Outcome(instance_id, False, target_id, row.pathway_version_id if row else None, row.unit if row else None,
                   code=code, message=message, current_elements=elements)


def _dry_run(ctx: RuntimeContext, instance_id: str, target_id: int, reverting: Any = None) -> Outcome:
    """What moving the instance would do, from its row (not the live cache, whose copy a command may hold)."""
    with ctx.db.reading_connection() as conn, guarded(_FAILED):
        if conn.scalar(select(write_path.INSTANCE.c.id).where(write_path.INSTANCE.c.id == instance_id)) is None:
            raise NotFound(ErrorCode.INSTANCE_NOT_FOUND, f"no pathway instance {instance_id}")
        state, blob = write_path.load(conn, instance_id)
        definition = ctx.definitions.get(state.pathway_version_id, conn)
        workflow = load_state(blob, definition.spec, definition.subprocess_specs)
        plan = _plan(ctx, conn, workflow, state, definition, target_id, reverting)
        projection.register_events(ctx, plan.work, plan.target, plan.events, None, workflow)
        return _finished(plan)


def _apply(ctx: RuntimeContext, instance_id: str, target_id: int, actor: str, reverting: Any = None) -> Outcome:
    try:
        with locked(ctx, instance_id=instance_id) as held:
            plan = _plan(ctx, held.conn, held.workflow, held.state, held.definition, target_id, reverting)
            from_id = held.state.pathway_version_id
            _relabel_open_tasks(held.conn, held.state, plan.target)
            _resolve_incidents(ctx, held.conn, plan, actor)
            _record(ctx, held.conn, held.state, from_id, target_id, actor, reverting)
            action = "revert_migration" if reverting is not None else "migrate_instance"
            projection.audit(ctx, plan.work, actor, action, detail=f"version {from_id} -> {target_id}")
            held.state.pathway_version_id = target_id
            deliver = projection.after_run(ctx, plan.work, plan.target, held.workflow, plan.events, actor)
    except StaleInstance as exc:
        raise changed_concurrently(instance_id) from exc
    ctx.live.checkin(held.workflow, held.state)
    if deliver:
        deliver_messages(ctx, held.state.patient_key)
    return _finished(plan)


def _plan(ctx: RuntimeContext, conn: Connection, workflow: BpmnWorkflow, state: InstanceState,
          definition: PathwayDefinition, target_id: int, reverting: Any) -> _Plan:
    """Check the instance can move, move its workflow onto the target in memory, run it, and measure its
    deadlines again: the plan holds the unit of work to commit and what changed."""
    _check(conn, state, target_id, reverting)
    outcome = Outcome(state.id, True, target_id, state.pathway_version_id, state.unit,
                      current_elements=[t.element_id for t in state.open_tasks])
    target = ctx.definitions.get(target_id, conn)
    before_tasks = {t.id: t.element_id for t in state.open_tasks}
    before = copy.deepcopy(state.measurements)
    with spiff_clock(ctx.clock):  # resetting a waiting timer evaluates it again, by the engine's clock
        _move_workflow(workflow, definition, target)
    events: list[RegisteredEvent] = []
    run_engine(workflow, ctx.clock, projection.automatic_events(target, events, ctx.today()))
    load_state(dump_state(workflow), target.spec, target.subprocess_specs)  # the moved state must load again
    work = UnitOfWork(conn, state)
    projection.remeasure(work, target, counted_events(conn, state.id), workflow)
    state.measurements[:] = carry_over(copy.deepcopy(before), state.measurements)
    ready = ready_user_tasks(workflow)
    outcome.tasks_opened = [task.task_spec.name for task_id, task in ready.items() if task_id not in before_tasks]
    outcome.tasks_closed = [element for task_id, element in before_tasks.items() if task_id not in ready]
    outcome.incidents_resolved = _resolved_incidents(ctx, conn, state.id, workflow)
    return _Plan(work, target, events, before, outcome)


def _check(conn: Connection, state: InstanceState, target_id: int, reverting: Any) -> None:
    if state.status != InstanceStatus.ACTIVE:
        raise Conflict(ErrorCode.INSTANCE_NOT_ACTIVE, f"pathway {state.id} is {state.status}")
    if reverting is not None and state.pathway_version_id != reverting.to_version_id:
        raise Conflict(ErrorCode.NO_MIGRATION_TO_REVERT, f"pathway {state.id} is no longer on the version its last "
                                                         f"migration moved it to")
    if state.pathway_version_id == target_id:
        raise Conflict(ErrorCode.MIGRATION_SAME_VERSION, f"pathway {state.id} is already on version {target_id}")
    target_key = conn.scalar(select(PathwayVersion.pathway_key).where(PathwayVersion.id == target_id))
    if target_key != state.pathway_key:
        raise InvalidInput(ErrorCode.MIGRATION_OTHER_PATHWAY, f"pathway {state.id} is a {state.pathway_key} "
                                                              f"pathway; version {target_id} is of {target_key}",
                           params={"pathway": target_key})


def _move_workflow(workflow: BpmnWorkflow, definition: PathwayDefinition, target: PathwayDefinition) -> None:
    """Put the target's specs under the workflow (SpiffWorkflow's diff and migration), keeping the data of the
    tasks it resets: a registration shared with a parallel branch lives in that branch's ready task."""
    top, subprocesses = diff_workflow(SERIALIZER.registry, workflow, target.spec, target.subprocess_specs)
    diffs = [(top, workflow)] + [(diff, workflow.subprocesses[sp_id]) for sp_id, diff in subprocesses.items()]
    for diff, _ in diffs:
        if diff is None:
            raise InvalidInput(ErrorCode.REACHED_ELEMENT_REMOVED, "a sub-process this pathway has reached is not "
                                                                  "in the new version")
        _refuse_removed(diff.removed, definition)
    kept = {task.id: dict(task.data) for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)}
    for diff, process in diffs:
        spec = target.spec if process is workflow else target.subprocess_specs[process.spec.name]
        migrate_workflow(diff, process, spec)
    workflow.subprocess_specs = target.subprocess_specs
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.FUTURE):
        if task.id in kept:
            task.data = kept[task.id]


def _refuse_removed(removed: Iterable[Any], definition: PathwayDefinition) -> None:
    for mask, code, where in ((_CURRENT, ErrorCode.CURRENT_TASK_REMOVED, "stands at"),
                              (_REACHED, ErrorCode.REACHED_ELEMENT_REMOVED, "has been through")):
        elements = [t.task_spec.name for t in removed if t.state & mask]
        if elements:
            labels = [definition.element_label(name) or name for name in elements]
            raise Conflict(code, f"the pathway {where} {', '.join(labels)}, which the new version does not have",
                           params={"elements": elements, "labels": labels})


def _finished(plan: _Plan) -> Outcome:
    """The outcome with the deadlines the move changed: due date and status before and after."""
    before = {m.key: m for m in plan.before}
    after = {m.key: m for m in plan.work.state.measurements}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        old_view = (old.due_on, old.status) if old else (None, None)
        new_view = (new.due_on, new.status) if new else (None, None)
        if old_view != new_view:
            plan.outcome.deadlines.append(DeadlineChange(key[0], key[1], (new or old).label, old_view[0],
                                                         new_view[0], old_view[1], new_view[1]))
    return plan.outcome


def _resolved_incidents(ctx: RuntimeContext, conn: Connection, instance_id: str, workflow: BpmnWorkflow) -> list[int]:
    """The instance's open timer incidents the run resolved: its due timers ran, none is left due."""
    if any(due <= ctx.now() for _, due in waiting_timers(workflow)):
        return []
    return list(conn.scalars(select(Incident.id).where(Incident.instance_id == instance_id,
                                                       Incident.status == IncidentStatus.OPEN,
                                                       Incident.kind == IncidentKind.TIMER)))


def _resolve_incidents(ctx: RuntimeContext, conn: Connection, plan: _Plan, actor: str) -> None:
    note = f"resolved by the migration to version {plan.outcome.to_version_id}: the timer ran"
    for incident_id in plan.outcome.incidents_resolved:
        incidents.resolve_in(conn, incident_id, ctx.now(), actor, note)


def _relabel_open_tasks(conn: Connection, state: InstanceState, target: PathwayDefinition) -> None:
    """Open tasks that stay get the target's label, lane and measuring point (their due date follows)."""
    task = CoordinatorTask.__table__
    for row in state.open_tasks:
        task_def = target.tasks.get(row.element_id)
        if task_def is None:
            continue
        if task_def.measuring_point != row.measuring_point:
            row.measuring_point = task_def.measuring_point
        conn.execute(update(task).where(task.c.id == row.id, (task.c.label != task_def.label)
                                        | (task.c.lane.is_distinct_from(task_def.lane))
                                        | (task.c.measuring_point.is_distinct_from(task_def.measuring_point)))
                     .values(label=task_def.label, lane=task_def.lane, measuring_point=task_def.measuring_point))


def _record(ctx: RuntimeContext, conn: Connection, state: InstanceState, from_id: int, to_id: int, actor: str,
            reverting: Any) -> None:
    """The version columns and the migration record; a revert marks the migration it undid."""
    instance = write_path.INSTANCE
    conn.execute(update(instance).where(instance.c.id == state.id).values(pathway_version_id=to_id))
    if reverting is not None:
        conn.execute(update(MIGRATION).where(MIGRATION.c.id == reverting.id).values(reverted_at=ctx.now()))
    conn.execute(insert(MIGRATION).values(
        instance_id=state.id, pathway_key=state.pathway_key,
        kind=MigrationKind.REVERT if reverting is not None else MigrationKind.MIGRATE,
        from_version_id=from_id, to_version_id=to_id, migrated_at=ctx.now(), migrated_by=actor))


def _last_migration(conn: Connection, instance_id: str) -> Any:
    return conn.execute(select(MIGRATION).where(MIGRATION.c.instance_id == instance_id,
                                                MIGRATION.c.kind == MigrationKind.MIGRATE,
                                                MIGRATION.c.reverted_at.is_(None))
                        .order_by(MIGRATION.c.id.desc()).limit(1)).first()
