"""Runtime commands: start a pathway for a patient, complete coordinator tasks, register patient-deferred,
fire due timers. Each command is one database transaction; each instance has one writer at a time
(row lock on PostgreSQL, `BEGIN IMMEDIATE` on SQLite, and a version column everywhere).
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.exc import StaleDataError
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from . import indicators as ind
from .catalogue import OUTCOME_FIELD, FormField, PathwayDefinition, load_definition
from .clock import OSLO, Clock, spiff_clock, today
from .errors import Conflict, InvalidInput, NotFound, PathwayError
from .indicators import PATIENT_DEFERRED, SETTINGS
from .store import (CoordinatorTask, Database, DueTimer, IndicatorMeasurement, MeasuringPointEvent,
                    PathwayInstance, PathwayVersion)
from .workflow_state import dump_state, load_state, new_workflow

OPEN = "open"
COMPLETED = "completed"
CANCELLED = "cancelled"
ACTIVE = "active"


@dataclass(frozen=True)
class RegisteredEvent:
    code: str
    occurred_on: date
    outcome: str | None = None
    element_id: str | None = None
    task_id: str | None = None
    note: str | None = None


class _WorkflowCache:
    """Live workflows of recently used instances, keyed by instance id and row version.

    A command checks a workflow *out* (removing it), so two threads never share one object; it is checked back
    in only after its transaction committed. A miss, or a version mismatch, means: deserialise from the row.
    """

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._items: OrderedDict[str, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._lock = threading.Lock()

    def checkout(self, instance_id: str, version: int) -> BpmnWorkflow | None:
        with self._lock:
            item = self._items.pop(instance_id, None)
        if item and item[0] == version:
            return item[1]
        return None

    def checkin(self, instance_id: str, version: int, workflow: BpmnWorkflow) -> None:
        with self._lock:
            self._items[instance_id] = (version, workflow)
            self._items.move_to_end(instance_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _run_engine(workflow: BpmnWorkflow, clock: Clock, on_complete) -> None:
    try:
        with spiff_clock(clock):
            workflow.refresh_timers()
            workflow.do_engine_steps(did_complete_task=on_complete)
    except SpiffWorkflowException as exc:
        raise InvalidInput(f"the pathway could not continue: {exc}") from exc


@dataclass
class _Command:
    """What one command works on, loaded once at its start: the locked instance, its definition, its indicator
    measurements and its open tasks. Everything after that happens in memory and is written in one flush."""

    session: Session
    instance: PathwayInstance
    definition: PathwayDefinition
    measurements: list[IndicatorMeasurement]
    open_tasks: list[CoordinatorTask]
    events: list[RegisteredEvent] = field(default_factory=list)


class PathwayRuntime:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._cache = _WorkflowCache()
        self._definitions: dict[int, PathwayDefinition] = {}

    # ---- helpers -------------------------------------------------------------------------------------------

    def today(self) -> date:
        return today(self.clock)

    def _now(self) -> datetime:
        return self.clock.now()

    def definition_of(self, session: Session, version_id: int) -> PathwayDefinition:
        """The parsed definition of a deployed version; versions are immutable, so parse once per process."""
        definition = self._definitions.get(version_id)
        if definition is None:
            version = session.get(PathwayVersion, version_id)
            if version is None:
                raise NotFound(f"no pathway version {version_id}")
            definition = load_definition(version.source, version.filename)
            self._definitions[version_id] = definition
        return definition

    def _begin(self, session: Session, instance: PathwayInstance | None) -> _Command:
        """Load what a command needs for a locked instance, in two queries, and stop autoflush."""
        if instance is None:
            raise NotFound("no such pathway instance")
        session.autoflush = False
        definition = self.definition_of(session, instance.pathway_version_id)
        measurements = list(session.scalars(select(IndicatorMeasurement)
                                            .where(IndicatorMeasurement.instance_id == instance.id)
                                            .order_by(IndicatorMeasurement.id)))
        open_tasks = list(session.scalars(select(CoordinatorTask).where(CoordinatorTask.instance_id == instance.id,
                                                                        CoordinatorTask.status == OPEN)))
        return _Command(session, instance, definition, measurements, open_tasks)

    @staticmethod
    def _locked_instance(session: Session, *where) -> PathwayInstance | None:
        # The state blob is only read when the live workflow is not cached (see _workflow).
        return session.scalars(select(PathwayInstance).where(*where).options(defer(PathwayInstance.state))
                               .with_for_update(of=PathwayInstance)).one_or_none()

    def _workflow(self, cmd: _Command) -> BpmnWorkflow:
        instance = cmd.instance
        workflow = self._cache.checkout(instance.id, instance.version)
        if workflow is None:
            state = cmd.session.scalar(select(PathwayInstance.state).where(PathwayInstance.id == instance.id))
            workflow = load_state(state, cmd.definition.spec, cmd.definition.subprocess_specs)
        return workflow

    # ---- commands --------------------------------------------------------------------------------------------

    def start_pathway(self, *, patient_key: str, pathway_key: str, unit: str, setting: str,
                      referral_received_on: date, severity: str | None = None, rule_set: str | None = None,
                      actor: str | None = None) -> str:
        if setting not in SETTINGS:
            raise InvalidInput(f"setting must be one of {', '.join(SETTINGS)}, not {setting!r}")
        if referral_received_on > self.today():
            raise InvalidInput(f"referral_received_on {referral_received_on} is in the future")
        if not unit.strip():
            raise InvalidInput("unit must not be empty")
        instance_id = str(uuid.uuid4())
        with self.db.transaction() as session:
            version = session.scalars(select(PathwayVersion).where(
                PathwayVersion.pathway_key == pathway_key, PathwayVersion.is_current.is_(True))).one_or_none()
            if version is None:
                raise NotFound(f"no deployed pathway {pathway_key!r}")
            definition = self.definition_of(session, version.id)
            rule_set = rule_set or definition.default_rule_set
            active_key = f"{pathway_key}|{patient_key}"
            existing = session.scalars(select(PathwayInstance.id).where(
                PathwayInstance.active_key == active_key)).first()
            if existing:
                raise Conflict(f"patient already has an active {pathway_key} pathway ({existing})")
            now = self._now()
            workflow = new_workflow(definition.spec, definition.subprocess_specs)
            workflow.task_tree.data.update({
                "referral_received": referral_received_on.isoformat(),
                "setting": setting,
                "severity": severity,
                "unit": unit,
                "rule_set": rule_set,
            })
            instance = PathwayInstance(
                id=instance_id, pathway_version_id=version.id, pathway_key=pathway_key,
                patient_key=patient_key, unit=unit, setting=setting, severity=severity, rule_set=rule_set,
                referral_received_on=referral_received_on, status=ACTIVE, active_key=active_key,
                state=b"", created_at=now, updated_at=now,
            )
            session.add(instance)
            try:
                session.flush()
            except IntegrityError as exc:  # a concurrent start for the same patient won the race
                raise Conflict(f"patient already has an active {pathway_key} pathway") from exc
            cmd = _Command(session, instance, definition, [], [])
            session.autoflush = False
            _run_engine(workflow, self.clock, self._automatic_events(cmd, referral_received_on))
            self._after_run(cmd, workflow, actor)
            session.flush()
            version_after = instance.version
        self._cache.checkin(instance_id, version_after, workflow)
        return instance_id

    def complete_task(self, task_id: str, *, data: dict[str, Any] | None, occurred_on: date,
                      actor: str | None = None) -> str:
        data = dict(data or {})
        try:
            with self.db.transaction() as session:
                instance = self._locked_instance(session, PathwayInstance.id == (
                    select(CoordinatorTask.instance_id).where(CoordinatorTask.id == task_id).scalar_subquery()))
                if instance is None:
                    raise NotFound(f"no task {task_id}")
                cmd = self._begin(session, instance)
                task_row = next((t for t in cmd.open_tasks if t.id == task_id), None)
                if task_row is None:
                    status = session.scalar(select(CoordinatorTask.status).where(CoordinatorTask.id == task_id))
                    raise Conflict(f"task {task_id} is already {status}")
                task_def = cmd.definition.tasks.get(task_row.element_id)
                values = validate_form(task_def.form if task_def else (), data)
                self._check_occurred_on(instance, occurred_on)
                workflow = self._workflow(cmd)
                spiff_task = workflow.get_task_from_id(uuid.UUID(task_id))
                if spiff_task is None or not spiff_task.has_state(TaskState.READY):
                    raise Conflict(f"task {task_id} is not ready to be completed")
                spiff_task.data.update(values)
                spiff_task.data["occurred_on"] = occurred_on.isoformat()
                if task_row.measuring_point:
                    cmd.events.append(RegisteredEvent(task_row.measuring_point, occurred_on, _outcome(values),
                                                      task_row.element_id, task_id))
                try:
                    spiff_task.run()
                except SpiffWorkflowException as exc:
                    raise InvalidInput(f"the task could not be completed: {exc}") from exc
                _run_engine(workflow, self.clock, self._automatic_events(cmd, occurred_on))
                task_row.status = COMPLETED
                task_row.completed_at = self._now()
                task_row.completed_by = actor
                cmd.open_tasks.remove(task_row)
                self._after_run(cmd, workflow, actor)
                session.flush()
                version_after = instance.version
            self._cache.checkin(instance.id, version_after, workflow)
            return instance.id
        except StaleDataError as exc:
            raise Conflict(f"task {task_id} was changed by someone else; reload and try again") from exc
        except OperationalError as exc:
            if "locked" in str(exc).lower():
                raise Conflict("the pathway is busy with another change; try again") from exc
            raise

    def claim_task(self, task_id: str, assignee: str) -> None:
        if not assignee.strip():
            raise InvalidInput("assignee must not be empty")
        with self.db.transaction() as session:
            task_row = session.get(CoordinatorTask, task_id, with_for_update=True)
            if task_row is None:
                raise NotFound(f"no task {task_id}")
            if task_row.status != OPEN:
                raise Conflict(f"task {task_id} is already {task_row.status}")
            if task_row.assignee and task_row.assignee != assignee:
                raise Conflict(f"task {task_id} is already claimed by {task_row.assignee}")
            task_row.assignee = assignee

    def unclaim_task(self, task_id: str) -> None:
        with self.db.transaction() as session:
            task_row = session.get(CoordinatorTask, task_id, with_for_update=True)
            if task_row is None:
                raise NotFound(f"no task {task_id}")
            if task_row.status != OPEN:
                raise Conflict(f"task {task_id} is already {task_row.status}")
            task_row.assignee = None

    def register_patient_deferred(self, instance_id: str, *, occurred_on: date, note: str | None = None,
                                  actor: str | None = None) -> None:
        """Patient-deferred (code L): the patient postponed or did not attend, by more than 7 working days.

        Registered before the clinical decision or evaluation it affects: every deadline still open gets the
        deferral, so an overrun is attributed to the patient (status `deferred`) instead of counted as breached.
        """
        with self.db.transaction() as session:
            instance = self._locked_instance(session, PathwayInstance.id == instance_id)
            if instance is None:
                raise NotFound(f"no pathway instance {instance_id}")
            if instance.status != ACTIVE:
                raise Conflict(f"pathway {instance_id} is {instance.status}")
            self._check_occurred_on(instance, occurred_on)
            cmd = self._begin(session, instance)
            cmd.events.append(RegisteredEvent(PATIENT_DEFERRED, occurred_on, note=note))
            self._register_events(cmd, actor)
            instance.updated_at = self._now()

    def fire_due_timers(self, limit: int = 500) -> int:
        """Run the timers that are due now. Reads only due rows (indexed on due_at); returns instances advanced."""
        now = self._now()
        with self.db.reading() as session:
            instance_ids = list(dict.fromkeys(session.scalars(
                select(DueTimer.instance_id).where(DueTimer.due_at <= now).order_by(DueTimer.due_at).limit(limit))))
        fired = 0
        for instance_id in instance_ids:
            try:
                with self.db.transaction() as session:
                    cmd = self._begin(session, self._locked_instance(session, PathwayInstance.id == instance_id))
                    workflow = self._workflow(cmd)
                    _run_engine(workflow, self.clock, self._automatic_events(cmd, self.today()))
                    self._after_run(cmd, workflow, "scheduler")
                    session.flush()
                    version_after = cmd.instance.version
                self._cache.checkin(instance_id, version_after, workflow)
                fired += 1
            except (StaleDataError, NotFound):
                continue
        return fired

    def mark_overdue(self) -> int:
        """Persist `overdue` for pending measurements whose due date has passed (reads read it live anyway)."""
        with self.db.transaction() as session:
            result = session.execute(update(IndicatorMeasurement)
                                     .where(IndicatorMeasurement.status == ind.PENDING,
                                            IndicatorMeasurement.due_on < self.today())
                                     .values(status=ind.OVERDUE))
            return result.rowcount or 0

    def tick(self) -> tuple[int, int]:
        return self.fire_due_timers(), self.mark_overdue()

    # ---- inside a command ----------------------------------------------------------------------------------

    def _check_occurred_on(self, instance: PathwayInstance, occurred_on: date) -> None:
        if occurred_on > self.today():
            raise InvalidInput(f"occurred_on {occurred_on} is in the future (today is {self.today()})")
        previous = instance.last_occurred_on
        if previous is not None and occurred_on < previous:
            raise InvalidInput(f"occurred_on {occurred_on} is before the previous measuring point ({previous})")

    @staticmethod
    def _automatic_events(cmd: _Command, occurred_on: date):
        """Measuring points on elements the engine completes by itself (start event, gateways, script tasks)."""

        def on_complete(task) -> None:
            if task.task_spec.manual:
                return
            code = cmd.definition.measuring_points.get(task.task_spec.name)
            if code:
                cmd.events.append(RegisteredEvent(code, occurred_on, None, task.task_spec.name, str(task.id)))

        return on_complete

    def _after_run(self, cmd: _Command, workflow: BpmnWorkflow, actor: str | None) -> None:
        now = self._now()
        instance = cmd.instance
        self._register_events(cmd, actor)
        self._sync_tasks(cmd, workflow, now)
        self._sync_timers(cmd, workflow)
        if workflow.is_completed():
            instance.status = COMPLETED
            instance.active_key = None
            instance.closed_on = max((e.occurred_on for e in cmd.events), default=self.today())
            for row in cmd.measurements:
                if row.status in ind.OPEN_STATUSES:
                    row.status = ind.CANCELLED
        instance.state = dump_state(workflow)
        instance.updated_at = now

    def _register_events(self, cmd: _Command, actor: str | None) -> None:
        now = self._now()
        instance = cmd.instance
        applicable = [i for i in cmd.definition.indicators if i.applies_to(instance.setting, instance.severity)]
        for event in cmd.events:
            cmd.session.add(MeasuringPointEvent(
                instance_id=instance.id, code=event.code, outcome=event.outcome, occurred_on=event.occurred_on,
                element_id=event.element_id, task_id=event.task_id, note=event.note,
                registered_at=now, registered_by=actor,
            ))
            if instance.last_occurred_on is None or event.occurred_on > instance.last_occurred_on:
                instance.last_occurred_on = event.occurred_on
            if instance.started_on is None and cmd.definition.starts_pathway(instance.rule_set, event.code,
                                                                              event.outcome):
                instance.started_on = event.occurred_on
            cmd.session.add_all(measure_event(cmd.measurements, instance, applicable, event))
        self._refresh_task_due_dates(cmd)

    def _sync_tasks(self, cmd: _Command, workflow: BpmnWorkflow, now: datetime) -> None:
        """Project the workflow's ready user tasks into the coordinator_task table."""
        instance = cmd.instance
        ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
        known = {row.id for row in cmd.open_tasks}
        for row in list(cmd.open_tasks):
            if row.id not in ready:  # cancelled by the process, e.g. a boundary event or the pathway ending
                row.status = CANCELLED
                row.completed_at = now
                cmd.open_tasks.remove(row)
        for task_id, task in ready.items():
            if task_id in known:
                continue
            task_def = cmd.definition.tasks.get(task.task_spec.name)
            row = CoordinatorTask(
                id=task_id, instance_id=instance.id, pathway_key=instance.pathway_key, unit=instance.unit,
                patient_key=instance.patient_key, element_id=task.task_spec.name,
                label=task_def.label if task_def else (task.task_spec.bpmn_name or task.task_spec.name),
                lane=task_def.lane if task_def else task.task_spec.lane,
                measuring_point=task_def.measuring_point if task_def else None,
                status=OPEN, created_at=now,
            )
            cmd.session.add(row)
            cmd.open_tasks.append(row)
        self._refresh_task_due_dates(cmd)

    def _sync_timers(self, cmd: _Command, workflow: BpmnWorkflow) -> None:
        """Keep due_timer equal to the workflow's waiting timers; rewrite only when they changed."""
        timers = sorted({(pending.name or "timer", due_at) for pending in workflow.waiting_events()
                         if (due_at := _timer_due_at(pending)) is not None}, key=lambda t: (t[1], t[0]))
        signature = hashlib.sha1(repr([(name, due.isoformat()) for name, due in timers]).encode()).hexdigest()
        if timers and cmd.instance.timer_signature == signature:
            return
        if cmd.instance.timer_signature is not None:
            cmd.session.execute(delete(DueTimer).where(DueTimer.instance_id == cmd.instance.id))
        cmd.session.add_all(DueTimer(instance_id=cmd.instance.id, element_id=name, due_at=due_at)
                            for name, due_at in timers)
        cmd.instance.timer_signature = signature if timers else None

    @staticmethod
    def _refresh_task_due_dates(cmd: _Command) -> None:
        """A task's due date is the earliest open deadline that its measuring point ends."""
        open_due: dict[str, date] = {}
        for row in cmd.measurements:
            if row.status in ind.OPEN_STATUSES:
                open_due[row.to_point] = min(row.due_on, open_due.get(row.to_point, row.due_on))
        for row in cmd.open_tasks:
            due_on = open_due.get(row.measuring_point) if row.measuring_point else None
            if row.due_on != due_on:
                row.due_on = due_on


_TIMER_EVENTS = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}


def _timer_due_at(pending) -> datetime | None:
    if pending.event_type not in _TIMER_EVENTS or not pending.value or not isinstance(pending.value, str):
        return None
    try:
        due_at = datetime.fromisoformat(pending.value)
    except ValueError:
        return None
    if due_at.tzinfo is None:
        due_at = due_at.replace(tzinfo=OSLO)
    return due_at.astimezone(timezone.utc)


def _outcome(values: dict[str, Any]) -> str | None:
    outcome = values.get(OUTCOME_FIELD)
    return str(outcome) if outcome is not None else None


_MAX_TEXT = 4000


def validate_form(form: Iterable[FormField], data: dict[str, Any]) -> dict[str, Any]:
    """Check submitted form data against the task's form; return typed values or raise InvalidInput."""
    fields = {f.id: f for f in form}
    problems: list[str] = []
    unknown = sorted(set(data) - set(fields))
    if unknown:
        problems.append(f"unknown field(s) {', '.join(unknown)}; this task's form has: "
                        f"{', '.join(fields) or 'no fields'}")
    values: dict[str, Any] = {}
    for field_id, spec in fields.items():
        raw = data.get(field_id)
        if raw is None or raw == "":
            if spec.required:
                problems.append(f"'{field_id}' ({spec.label}) is required")
            continue
        try:
            values[field_id] = _coerce(spec, raw)
        except ValueError as exc:
            problems.append(f"'{field_id}' ({spec.label}): {exc}")
    if problems:
        raise InvalidInput("; ".join(problems))
    return values


def _coerce(spec: FormField, raw: Any) -> Any:
    if spec.type == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false", "on", "off", "ja", "nei"):
            return raw.lower() in ("true", "on", "ja")
        raise ValueError(f"expected true or false, got {raw!r}")
    if spec.type == "long":
        if isinstance(raw, bool):
            raise ValueError("expected a whole number")
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ValueError(f"expected a whole number, got {raw!r}") from None
    if spec.type == "date":
        try:
            return date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise ValueError(f"expected a date (YYYY-MM-DD), got {raw!r}") from None
    if spec.type == "enum":
        allowed = [option_id for option_id, _ in spec.options]
        if raw not in allowed:
            raise ValueError(f"{raw!r} is not one of {', '.join(allowed)}")
        return raw
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        raise ValueError("expected text")
    text = str(raw)
    if len(text) > _MAX_TEXT:
        raise ValueError(f"longer than {_MAX_TEXT} characters")
    return text


def measure_event(rows: list[IndicatorMeasurement], instance: PathwayInstance,
                  applicable: list[ind.DeadlineIndicator], event: RegisteredEvent) -> list[IndicatorMeasurement]:
    """Apply one registered measuring point to the instance's measurements (`rows`, updated in place).

    Returns the measurements it opened, which are also appended to `rows`; the caller adds them to the session.
    """
    if event.code == PATIENT_DEFERRED:
        for row in rows:
            if row.status in ind.OPEN_STATUSES:
                row.deferral_registered = True
        return []
    opened: list[IndicatorMeasurement] = []
    for indicator in applicable:
        existing = [r for r in rows if r.indicator_key == indicator.key]
        open_rows = [r for r in existing if r.status in ind.OPEN_STATUSES]
        if indicator.to_point == event.code:
            for row in open_rows:
                row.end_on = event.occurred_on
                row.status = ind.closed_status(row.due_on, event.occurred_on, row.deferral_registered)
            open_rows = []
        if not indicator.starts_on(event.code, event.outcome):
            continue
        if open_rows and not indicator.repeat:
            # A later start event (e.g. the clinical decision after extended assessment) restarts the clock.
            row = open_rows[0]
            row.start_on = event.occurred_on
            row.due_on = indicator.due_on(event.occurred_on)
            row.status = ind.PENDING
        elif not open_rows and (indicator.repeat or not existing):
            row = IndicatorMeasurement(
                instance_id=instance.id, pathway_key=instance.pathway_key, unit=instance.unit,
                indicator_key=indicator.key, label=indicator.label, sequence=len(existing) + 1,
                from_point=indicator.from_point, to_point=indicator.to_point, limit_days=indicator.limit,
                day_unit=indicator.unit, start_on=event.occurred_on, due_on=indicator.due_on(event.occurred_on),
                status=ind.PENDING, deferral_registered=False, target_share=indicator.target_share,
                unconfirmed=indicator.unconfirmed,
            )
            rows.append(row)
            opened.append(row)
    return opened
