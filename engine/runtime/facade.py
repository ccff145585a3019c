"""Runtime commands: start a pathway for a patient, complete coordinator tasks, register patient-deferred,
fire due timers.

Each command is one database transaction on one instance, with one writer at a time: the instance row is locked
(`SELECT … FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite) and its version column must still match when
the command writes. Live workflows and the instance state a command needs are cached per process, keyed by that
version: a command checks them out, and checks them back in only after its commit.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable, Iterable, Iterator

from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from engine.access.audit import AUDIT, audit_row
from engine.access.patient_keys import validate_patient_key
from engine.catalogue import expressions
from engine.catalogue.parser import OUTCOME_FIELD, FormField, PathwayDefinition, load_definition
from engine.clock import OSLO, Clock, spiff_clock, today
from engine.db.database import Database
from engine.db.models import DueTimer, IndicatorMeasurement, PathwayVersion
from engine.deadlines import indicators as ind
from engine.deadlines.indicators import PATIENT_DEFERRED, SETTINGS
from engine.deadlines.measurement import RegisteredEvent, cancel_open, measure_event, open_due_dates
from engine.errors import Conflict, InvalidInput, NotFound
from engine.runtime import write_path as store
from engine.runtime.workflow_state import dump_state, load_state, new_workflow
from engine.runtime.write_path import InstanceState, StaleInstance, UnitOfWork

__all__ = ["PathwayRuntime", "RegisteredEvent", "validate_form"]

ACTIVE = "active"
COMPLETED = "completed"
CANCELLED = "cancelled"


class _LiveCache:
    """Live workflows and instance states of recently used instances, keyed by instance id and row version.

    A command checks an entry *out* (removing it), so two threads never share one object; it is checked back in
    only after its transaction committed. A miss, or a version mismatch, means: load from the database. Entries
    can also be found by one of their open tasks, so a completion can start before its lock is confirmed.
    """

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._items: OrderedDict[str, tuple[int, BpmnWorkflow, InstanceState]] = OrderedDict()
        self._by_task: dict[str, str] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _drop(self, instance_id: str) -> tuple[int, BpmnWorkflow, InstanceState] | None:
        item = self._items.pop(instance_id, None)
        if item:
            for task in item[2].open_tasks:
                self._by_task.pop(task.id, None)
        return item

    def checkout(self, instance_id: str, version: int) -> tuple[BpmnWorkflow, InstanceState] | None:
        with self._lock:
            item = self._drop(instance_id)
            if item and item[0] == version:
                self.hits += 1
                return item[1], item[2]
            self.misses += 1
        return None

    def checkout_task(self, task_id: str) -> tuple[int, BpmnWorkflow, InstanceState] | None:
        """The entry whose instance has `task_id` open, with the version it was checked in at."""
        with self._lock:
            instance_id = self._by_task.get(task_id)
            if instance_id is None:
                return None
            self.hits += 1  # a stale one is counted again as a miss when the command retries from the row
            return self._drop(instance_id)

    def checkin(self, workflow: BpmnWorkflow, state: InstanceState) -> None:
        with self._lock:
            self._drop(state.id)
            self._items[state.id] = (state.version, workflow, state)
            for task in state.open_tasks:
                self._by_task[task.id] = state.id
            while len(self._items) > self._size:
                self._drop(next(iter(self._items)))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._by_task.clear()


class _StaleCache(Exception):
    """The cached state a command started from is older than the locked row: redo it from the database."""


@dataclass
class _Held:
    """An instance held by a command: its connection, live workflow and state, and `confirm()`, which returns
    once the row lock is held and the state is known to be current (raises `_StaleCache` otherwise)."""

    conn: Connection
    workflow: BpmnWorkflow
    state: InstanceState
    confirm: Callable[[], None] = lambda: None
    in_pipeline: bool = False


def _run_engine(workflow: BpmnWorkflow, clock: Clock, on_complete, *, timers: bool = True) -> None:
    """Run the workflow until it waits for people or time. `timers=False` skips looking for fired timers
    (a walk over the whole task tree) when the instance has none waiting."""
    try:
        with spiff_clock(clock):
            if timers:
                workflow.refresh_timers()
            workflow.do_engine_steps(did_complete_task=on_complete)
    except SpiffWorkflowException as exc:
        raise InvalidInput(f"the pathway could not continue: {exc}") from exc


def _ready_user_tasks(workflow: BpmnWorkflow) -> dict[str, Any]:
    """Ready user tasks by id; reads the task maps directly instead of walking the tree."""
    maps = [workflow.tasks] + [sub.tasks for sub in workflow.subprocesses.values()]
    return {str(task.id): task for tasks in maps for task in tasks.values()
            if task.state == TaskState.READY and task.task_spec.manual}


class PathwayRuntime:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._cache = _LiveCache()
        self._definitions: dict[int, PathwayDefinition] = {}
        self._definitions_lock = threading.Lock()

    def today(self) -> date:
        return today(self.clock)

    def cache_stats(self) -> tuple[int, int]:
        """(hits, misses) of the live cache since start: how often a command could skip loading state."""
        return self._cache.hits, self._cache.misses

    def _now(self) -> datetime:
        return self.clock.now()

    def definition_of(self, conn: Connection, version_id: int) -> PathwayDefinition:
        """The parsed definition of a deployed version; versions are immutable, so parse once per process."""
        definition = self._definitions.get(version_id)
        if definition is None:
            row = conn.execute(select(PathwayVersion.source, PathwayVersion.filename)
                               .where(PathwayVersion.id == version_id)).first()
            if row is None:
                raise NotFound(f"no pathway version {version_id}")
            definition = load_definition(row.source, row.filename)
            with self._definitions_lock:
                self._definitions[version_id] = definition
        return definition

    @contextmanager
    def _locked(self, *, task_id: str | None = None, instance_id: str | None = None) -> Iterator[_Held]:
        """One command's transaction on one instance: lock it and take its live workflow and state (from the
        cache when the version matches). The caller checks the state back in once the block has committed."""
        with self.db.engine.begin() as conn:
            if task_id is not None and conn.dialect.name == "postgresql":
                optimistic = self._cache.checkout_task(task_id)
                if optimistic is not None:
                    with self._optimistic(conn, task_id, *optimistic) as held:
                        yield held
                    return
            locked = store.lock(conn, task_id=task_id, instance_id=instance_id)
            if locked is None:
                raise NotFound(f"no task {task_id}" if task_id else f"no pathway instance {instance_id}")
            cached = self._cache.checkout(*locked)
            if cached is None:
                state, blob = store.load(conn, locked[0])
                definition = self.definition_of(conn, state.pathway_version_id)
                cached = load_state(blob, definition.spec, definition.subprocess_specs), state
            yield _Held(conn, *cached)

    @contextmanager
    def _optimistic(self, conn: Connection, task_id: str, version: int, workflow: BpmnWorkflow,
                    state: InstanceState) -> Iterator[_Held]:
        """PostgreSQL, task cached: send the lock and work on the cached state while it travels; `confirm()`
        collects the answer before anything is written. Hides the lock's round trip behind the engine's work."""
        driver = conn.connection.driver_connection
        with driver.pipeline(), driver.cursor() as cursor:
            store.send_lock(cursor, conn.dialect, task_id=task_id)

            def confirm() -> None:
                row = cursor.fetchone()
                if row is None or (row[0], row[1]) != (state.id, version):
                    raise _StaleCache(task_id)

            yield _Held(conn, workflow, state, confirm, in_pipeline=True)

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
        patient_key = validate_patient_key(patient_key)
        active_key = f"{pathway_key}|{patient_key}"
        try:
            with self.db.engine.begin() as conn:
                version_id = conn.scalar(select(PathwayVersion.id).where(
                    PathwayVersion.pathway_key == pathway_key, PathwayVersion.is_current.is_(True)))
                if version_id is None:
                    raise NotFound(f"no deployed pathway {pathway_key!r}")
                existing = conn.scalar(select(store.INSTANCE.c.id).where(store.INSTANCE.c.active_key == active_key))
                if existing:
                    raise Conflict(f"patient already has an active {pathway_key} pathway ({existing})")
                definition = self.definition_of(conn, version_id)
                state = InstanceState(
                    id=str(uuid.uuid4()), pathway_version_id=version_id, pathway_key=pathway_key,
                    patient_key=patient_key, unit=unit, setting=setting, severity=severity,
                    rule_set=rule_set or definition.default_rule_set, referral_received_on=referral_received_on,
                    status=ACTIVE, active_key=active_key, started_on=None, last_occurred_on=None,
                    timer_signature=None, closed_on=None, version=1,
                )
                workflow = new_workflow(definition.spec, definition.subprocess_specs)
                workflow.task_tree.data.update({
                    "referral_received": referral_received_on.isoformat(), "setting": setting,
                    "severity": severity, "unit": unit, "rule_set": state.rule_set,
                })
                work = UnitOfWork(conn, state, new=True)
                self._audit(work, actor, "start_pathway", detail=pathway_key)
                events: list[RegisteredEvent] = []
                _run_engine(workflow, self.clock, self._automatic_events(definition, events, referral_received_on))
                messages = self._after_run(work, definition, workflow, events, actor)
        except IntegrityError as exc:
            if "active_key" not in str(exc.orig):
                raise
            # a concurrent start for the same patient won the race
            raise Conflict(f"patient already has an active {pathway_key} pathway") from exc
        self._cache.checkin(workflow, state)
        if messages:
            self.deliver_messages(patient_key)
        return state.id

    def complete_task(self, task_id: str, *, data: dict[str, Any] | None, occurred_on: date,
                      actor: str | None = None) -> str:
        try:
            return self._complete_task(task_id, dict(data or {}), occurred_on, actor)
        except _StaleCache:  # the cached state was behind the row; the second try reads the row
            return self._complete_task(task_id, dict(data or {}), occurred_on, actor)

    def _complete_task(self, task_id: str, data: dict[str, Any], occurred_on: date, actor: str | None) -> str:
        try:
            with self._locked(task_id=task_id) as held:
                conn, workflow, state = held.conn, held.workflow, held.state
                task_row = next((t for t in state.open_tasks if t.id == task_id), None)
                if task_row is None:
                    raise Conflict(f"task {task_id} is already {store.task_status(conn, task_id)}")
                definition = self.definition_of(conn, state.pathway_version_id)
                task_def = definition.tasks.get(task_row.element_id)
                values = validate_form(task_def.form if task_def else (), data)
                self._check_occurred_on(state, occurred_on)
                spiff_task = workflow.get_task_from_id(uuid.UUID(task_id))
                if spiff_task is None or not spiff_task.has_state(TaskState.READY):
                    raise Conflict(f"task {task_id} is not ready to be completed")
                spiff_task.data.update(values)
                spiff_task.data["occurred_on"] = occurred_on.isoformat()
                events: list[RegisteredEvent] = []
                if task_row.measuring_point:
                    events.append(RegisteredEvent(task_row.measuring_point, occurred_on, _outcome(values),
                                                  task_row.element_id, task_id))
                try:
                    spiff_task.run()
                except SpiffWorkflowException as exc:
                    raise InvalidInput(f"the task could not be completed: {exc}") from exc
                _share_with_parallel_branches(workflow, spiff_task, values, occurred_on)
                _run_engine(workflow, self.clock, self._automatic_events(definition, events, occurred_on),
                            timers=state.timer_signature is not None)
                held.confirm()
                work = UnitOfWork(conn, state, in_pipeline=held.in_pipeline)
                self._audit(work, actor, "complete_task", task_id=task_id, detail=task_row.element_id)
                work.close_task(task_row, COMPLETED, self._now(), actor)
                messages = self._after_run(work, definition, workflow, events, actor, occurred_on)
        except StaleInstance as exc:
            raise Conflict(f"task {task_id} was changed by someone else; reload and try again") from exc
        except OperationalError as exc:
            if "locked" in str(exc).lower():
                raise Conflict("the pathway is busy with another change; try again") from exc
            raise
        self._cache.checkin(workflow, state)
        if messages:
            self.deliver_messages(state.patient_key)
        return state.id

    def claim_task(self, task_id: str, assignee: str, *, actor: str | None = None) -> None:
        if not assignee.strip():
            raise InvalidInput("assignee must not be empty")
        self._set_assignee(task_id, assignee, actor)

    def unclaim_task(self, task_id: str, *, actor: str | None = None) -> None:
        self._set_assignee(task_id, None, actor)

    def _set_assignee(self, task_id: str, assignee: str | None, actor: str | None) -> None:
        task = store.TASK
        with self.db.engine.begin() as conn:
            row = conn.execute(select(task.c.status, task.c.assignee, task.c.patient_key, task.c.instance_id)
                               .where(task.c.id == task_id).with_for_update()).first()
            if row is None:
                raise NotFound(f"no task {task_id}")
            if row.status != store.OPEN:
                raise Conflict(f"task {task_id} is already {row.status}")
            if assignee and row.assignee and row.assignee != assignee:
                raise Conflict(f"task {task_id} is already claimed by {row.assignee}")
            conn.execute(update(task).where(task.c.id == task_id).values(assignee=assignee))
            if actor is not None:
                conn.execute(AUDIT.insert(), audit_row(
                    self._now(), actor, "claim_task" if assignee else "unclaim_task", patient_key=row.patient_key,
                    instance_id=row.instance_id, task_id=task_id, detail=assignee))

    def register_patient_deferred(self, instance_id: str, *, occurred_on: date, note: str | None = None,
                                  actor: str | None = None) -> None:
        """Patient-deferred (code L): the patient postponed or did not attend, by more than 7 working days.

        Registered before the clinical decision or evaluation it affects: every deadline still open gets the
        deferral, so an overrun is attributed to the patient (status `deferred`) instead of counted as breached.
        """
        try:
            with self._locked(instance_id=instance_id) as held:
                conn, workflow, state = held.conn, held.workflow, held.state
                if state.status != ACTIVE:
                    raise Conflict(f"pathway {instance_id} is {state.status}")
                self._check_occurred_on(state, occurred_on)
                definition = self.definition_of(conn, state.pathway_version_id)
                work = UnitOfWork(conn, state)
                self._audit(work, actor, "register_patient_deferred")
                self._register_events(work, definition, [RegisteredEvent(PATIENT_DEFERRED, occurred_on, note=note)],
                                      actor)
                work.commit(dump_state(workflow), self._now())
        except StaleInstance as exc:
            raise Conflict(f"pathway {instance_id} was changed by someone else; try again") from exc
        self._cache.checkin(workflow, state)

    def fire_due_timers(self, limit: int = 500) -> int:
        """Run the timers that are due now. Reads only due rows (indexed on due_at); returns instances advanced."""
        now = self._now()
        with self.db.engine.connect() as conn:
            instance_ids = list(dict.fromkeys(conn.scalars(
                select(DueTimer.instance_id).where(DueTimer.due_at <= now).order_by(DueTimer.due_at).limit(limit))))
        fired = 0
        for instance_id in instance_ids:
            try:
                with self._locked(instance_id=instance_id) as held:
                    conn, workflow, state = held.conn, held.workflow, held.state
                    definition = self.definition_of(conn, state.pathway_version_id)
                    events: list[RegisteredEvent] = []
                    _run_engine(workflow, self.clock, self._automatic_events(definition, events, self.today()))
                    messages = self._after_run(UnitOfWork(conn, state), definition, workflow, events, "scheduler")
            except (StaleInstance, NotFound):  # changed or gone since the timer was read: nothing to fire
                continue
            self._cache.checkin(workflow, state)
            if messages:
                self.deliver_messages(state.patient_key)
            fired += 1
        return fired

    def mark_overdue(self) -> int:
        """Persist `overdue` for pending measurements whose due date has passed (reads read it live anyway)."""
        with self.db.engine.begin() as conn:
            result = conn.execute(update(IndicatorMeasurement)
                                  .where(IndicatorMeasurement.status == ind.PENDING,
                                         IndicatorMeasurement.due_on < self.today())
                                  .values(status=ind.OVERDUE))
            return result.rowcount or 0

    def tick(self) -> tuple[int, int]:
        fired = self.fire_due_timers()
        self.deliver_messages()  # anything a crash left between a command's commit and its delivery
        return fired, self.mark_overdue()

    def send_message(self, instance_id: str, name: str, *, data: dict[str, Any] | None = None,
                     occurred_on: date | None = None, actor: str | None = None) -> None:
        """Deliver a message from outside the pathways (e.g. a crisis, "blålys", reported by the municipality)
        to an instance that waits for a message of that name."""
        if data is not None and not isinstance(data, dict):
            raise InvalidInput("message data must be an object of field names and values")
        occurred_on = occurred_on or self.today()
        try:
            with self._locked(instance_id=instance_id) as held:
                conn, workflow, state = held.conn, held.workflow, held.state
                if state.status != ACTIVE:
                    raise Conflict(f"pathway {instance_id} is {state.status}")
                waiting = _waiting_messages(workflow)
                if name not in waiting:
                    raise Conflict(f"pathway {instance_id} is not waiting for the message {name!r}; it waits for: "
                                   f"{', '.join(sorted(waiting)) or 'no message'}")
                self._check_occurred_on(state, occurred_on)
                definition = self.definition_of(conn, state.pathway_version_id)
                messages = self._receive(held, definition, name, dict(data or {}), name, occurred_on, actor,
                                         audit="send_message")
        except StaleInstance as exc:
            raise Conflict(f"pathway {instance_id} was changed by someone else; try again") from exc
        self._cache.checkin(workflow, state)
        if messages:
            self.deliver_messages(state.patient_key)

    def deliver_messages(self, patient_key: str | None = None, limit: int = 200) -> int:
        """Hand messages kept for a patient (all patients when None) to an active pathway of that patient that
        waits for them, oldest first; each delivery is one transaction on the receiving instance."""
        message, instance = store.MESSAGE, store.INSTANCE
        query = select(message.c.id, message.c.patient_key, message.c.sender_instance_id).where(
            message.c.delivered_at.is_(None))
        if patient_key is not None:
            query = query.where(message.c.patient_key == patient_key)
        with self.db.engine.connect() as conn:
            pending = conn.execute(query.order_by(message.c.id).limit(limit)).all()
            if not pending:
                return 0
            receivers = conn.execute(
                select(instance.c.id, instance.c.patient_key)
                .where(instance.c.patient_key.in_({m.patient_key for m in pending}), instance.c.status == ACTIVE)
                .order_by(instance.c.created_at, instance.c.id)).all()
        delivered = 0
        for row in pending:
            for receiver in receivers:
                if receiver.patient_key == row.patient_key and receiver.id != row.sender_instance_id:
                    if self._deliver(row.id, receiver.id):
                        delivered += 1
                        break
        return delivered

    def _deliver(self, message_id: int, instance_id: str) -> bool:
        message = store.MESSAGE
        try:
            with self._locked(instance_id=instance_id) as held:
                conn, workflow, state = held.conn, held.workflow, held.state
                row = conn.execute(select(message).where(message.c.id == message_id,
                                                         message.c.delivered_at.is_(None))
                                   .with_for_update()).first()
                if state.status != ACTIVE or row is None or row.name not in _waiting_messages(workflow):
                    self._cache.checkin(workflow, state)  # untouched: still current
                    return False
                conn.execute(update(message).where(message.c.id == message_id)
                             .values(delivered_at=self._now(), receiver_instance_id=state.id))
                definition = self.definition_of(conn, state.pathway_version_id)
                received_on = max(row.sent_on, state.last_occurred_on or row.sent_on)
                payload = json.loads(row.payload) if row.payload else None
                messages = self._receive(held, definition, row.name, payload, row.result_variable, received_on,
                                         "message")
        except (StaleInstance, NotFound):
            return False
        self._cache.checkin(workflow, state)
        if messages:
            self.deliver_messages(state.patient_key)
        return True

    def _receive(self, held: _Held, definition: PathwayDefinition, name: str, payload: Any,
                 result_variable: str | None, occurred_on: date, actor: str | None, audit: str | None = None) -> bool:
        workflow = held.workflow
        work = UnitOfWork(held.conn, held.state)
        if audit:
            self._audit(work, actor, audit, detail=name)
        event = BpmnEvent(MessageEventDefinition(name), payload={"payload": payload, "result_var": result_variable})
        events: list[RegisteredEvent] = []
        try:
            with spiff_clock(self.clock):
                workflow.send_event(event)
        except SpiffWorkflowException as exc:
            raise InvalidInput(f"the pathway could not receive the message {name!r}: {exc}") from exc
        _run_engine(workflow, self.clock, self._automatic_events(definition, events, occurred_on))
        return self._after_run(work, definition, workflow, events, actor, occurred_on)

    # ---- inside a command ----------------------------------------------------------------------------------

    def _audit(self, work: UnitOfWork, actor: str | None, action: str, *, task_id: str | None = None,
               detail: str | None = None) -> None:
        """A change made for a person (actor given) is audited in the command's own transaction."""
        if actor is not None:
            work.audit.append(audit_row(self._now(), actor, action, patient_key=work.state.patient_key,
                                        instance_id=work.state.id, task_id=task_id, detail=detail))

    def _check_occurred_on(self, state: InstanceState, occurred_on: date) -> None:
        if occurred_on > self.today():
            raise InvalidInput(f"occurred_on {occurred_on} is in the future (today is {self.today()})")
        previous = state.last_occurred_on
        if previous is not None and occurred_on < previous:
            raise InvalidInput(f"occurred_on {occurred_on} is before the previous measuring point ({previous})")

    @staticmethod
    def _automatic_events(definition: PathwayDefinition, events: list[RegisteredEvent], occurred_on: date):
        """Measuring points on elements the engine completes by itself (start event, gateways, script tasks)."""

        def on_complete(task) -> None:
            if task.task_spec.manual:
                return
            code = definition.measuring_points.get(task.task_spec.name)
            if code:
                events.append(RegisteredEvent(code, occurred_on, None, task.task_spec.name, str(task.id)))

        return on_complete

    def _after_run(self, work: UnitOfWork, definition: PathwayDefinition, workflow: BpmnWorkflow,
                   events: list[RegisteredEvent], actor: str | None, occurred_on: date | None = None) -> bool:
        """Project the run into the tables and commit. True when messages may now be delivered: the run sent
        some, or the instance waits for one that may already be kept for the patient."""
        now = self._now()
        state = work.state
        sent_on = occurred_on or max((e.occurred_on for e in events), default=self.today())
        for event in workflow.get_events():
            if isinstance(event.event_definition, MessageEventDefinition):
                body = event.payload or {}
                work.send_message(event.event_definition.name,
                                  json.dumps(body.get("payload"), default=str, ensure_ascii=False),
                                  body.get("result_var"), sent_on, now)
        self._register_events(work, definition, events, actor, workflow)
        self._sync_tasks(work, definition, workflow, now)
        self._sync_timers(work, workflow)
        if workflow.is_completed():
            state.status = COMPLETED
            state.active_key = None
            state.closed_on = max((e.occurred_on for e in events), default=self.today())
            cancel_open(state.measurements)
        self._refresh_task_due_dates(state)
        work.commit(dump_state(workflow), now)
        return bool(work.messages) or (state.status == ACTIVE and bool(definition.messages_received)
                                       and bool(_waiting_messages(workflow)))

    def _register_events(self, work: UnitOfWork, definition: PathwayDefinition, events: Iterable[RegisteredEvent],
                         actor: str | None, workflow: BpmnWorkflow | None = None) -> None:
        now = self._now()
        state = work.state
        applicable = [i for i in definition.indicators if i.applies_to(state.setting, state.severity)]
        for event in events:
            work.add_event(event, now, actor)
            if state.last_occurred_on is None or event.occurred_on > state.last_occurred_on:
                state.last_occurred_on = event.occurred_on
            if state.started_on is None and definition.starts_pathway(state.rule_set, event.code, event.outcome):
                state.started_on = event.occurred_on
            measure_event(state.measurements, _starting_when_true(applicable, event, workflow), event)

    @staticmethod
    def _sync_tasks(work: UnitOfWork, definition: PathwayDefinition, workflow: BpmnWorkflow, now: datetime) -> None:
        """Project the workflow's ready user tasks into the coordinator_task table."""
        ready = _ready_user_tasks(workflow)
        for row in list(work.state.open_tasks):
            if row.id not in ready:  # cancelled by the process, e.g. a boundary event or the pathway ending
                work.close_task(row, CANCELLED, now, None)
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

    @staticmethod
    def _sync_timers(work: UnitOfWork, workflow: BpmnWorkflow) -> None:
        """Keep due_timer equal to the workflow's waiting timers; rewrite only when they changed."""
        timers = sorted({(pending.name or "timer", due_at) for pending in workflow.waiting_events()
                         if (due_at := _timer_due_at(pending)) is not None}, key=lambda t: (t[1], t[0]))
        signature = (hashlib.sha1(repr([(name, due.isoformat()) for name, due in timers]).encode()).hexdigest()
                     if timers else None)
        if signature != work.state.timer_signature:
            work.timers = timers
            work.state.timer_signature = signature

    @staticmethod
    def _refresh_task_due_dates(state: InstanceState) -> None:
        """A task's due date is the earliest open deadline that its measuring point ends."""
        due = open_due_dates(state.measurements)
        for task in state.open_tasks:
            task.due_on = due.get(task.measuring_point) if task.measuring_point else None


def _share_with_parallel_branches(workflow: BpmnWorkflow, completed, values: dict[str, Any],
                                  occurred_on: date) -> None:
    """Registered values are the pathway's, not the branch's: give them to the tasks of parallel branches too.

    SpiffWorkflow copies data along each branch and merges the copies where branches join, the last one to arrive
    winning. Without this, a clinical decision (`outcome` = CT) registered before the parallel somatic health
    check would be overwritten at the join by that branch's older `outcome`, and the pathway would take the
    wrong way. With it, the latest registration wins, as with process variables in Camunda.
    """
    shared = {**values, "occurred_on": occurred_on.isoformat()}
    maps = [workflow.tasks] + [sub.tasks for sub in workflow.subprocesses.values()]
    for tasks in maps:
        for task in tasks.values():
            if task is not completed and task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
                task.data.update(shared)


def _waiting_messages(workflow: BpmnWorkflow) -> set[str]:
    return {pending.name for pending in workflow.waiting_events() if pending.event_type == "MessageEventDefinition"}


def _starting_when_true(applicable: list[ind.DeadlineIndicator], event: RegisteredEvent,
                        workflow: BpmnWorkflow | None) -> list[ind.DeadlineIndicator]:
    """Leave out indicators this event would start whose `when` condition is false on the event's task data."""
    conditional = [i for i in applicable if i.when and i.starts_on(event.code, event.outcome)]
    if not conditional:
        return applicable
    task = workflow.get_task_from_id(uuid.UUID(event.task_id)) if workflow and event.task_id else None
    data = dict(task.data) if task is not None else {}
    refused = set()
    for indicator in conditional:
        try:
            holds = expressions.evaluate(indicator.when, data)
        except Exception as exc:  # a modeller's expression over coordinator data: report, never crash
            raise InvalidInput(f"the condition of deadline '{indicator.key}' ({indicator.when}) could not be "
                               f"evaluated: {exc}") from exc
        if not holds:
            refused.add(indicator.key)
    return [i for i in applicable if i.key not in refused]


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
            values[field_id] = None  # every form field is defined after the task, for conditions and payloads
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


