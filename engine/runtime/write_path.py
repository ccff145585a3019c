"""The write path of a command: lock an instance, load what the command needs, write back only what changed.

Commands run on the hot path of every coordinator click, so this module talks SQLAlchemy Core: one locking
select, at most three loading selects when the live state is not cached, and one statement per kind of change
(executemany where there are several rows). The instance row's version column is bumped by every command, so a
cached `InstanceState` (and the live workflow cached beside it) is valid exactly while the version matches.
Reads for the API are in `engine.reading`.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, delete, exists, insert, select, update

from engine.db.models import (
    NO_URGENT_DATE,
    AuditEvent,
    CoordinatorTask,
    DueTimer,
    EventCorrection,
    IndicatorMeasurement,
    MeasuringPointEvent,
    PathwayInstance,
    PathwayMessage,
)
from engine.db.pipeline import read_together
from engine.deadlines.measurement import Measurement, RegisteredEvent
from engine.runtime import compliance_tally
from engine.statuses import OPEN_DEADLINE_STATUSES, TaskStatus

INSTANCE = PathwayInstance.__table__
TASK = CoordinatorTask.__table__
MEASUREMENT = IndicatorMeasurement.__table__
EVENT = MeasuringPointEvent.__table__
TIMER = DueTimer.__table__
MESSAGE = PathwayMessage.__table__


class StaleInstance(Exception):
    """The instance row changed under the command (its version moved): nothing was written."""


@dataclass
class OpenTask:
    id: str
    element_id: str
    measuring_point: str | None
    due_on: date | None
    #: the stored sort key of the task lists (CoordinatorTask.urgent_on); set by `UnitOfWork` when it writes
    urgent_on: date | None = None


@dataclass
class InstanceState:
    """The columns of pathway_instance a command works with, plus its measurements and open tasks."""

    id: str
    pathway_version_id: int
    pathway_key: str
    patient_key: str
    unit: str
    setting: str
    severity: str | None
    rule_set: str
    referral_received_on: date
    status: str
    active_key: str | None
    started_on: date | None
    last_occurred_on: date | None
    timer_signature: str | None
    closed_on: date | None
    version: int
    measurements: list[Measurement] = field(default_factory=list)
    open_tasks: list[OpenTask] = field(default_factory=list)


_INSTANCE_COLUMNS = [f.name for f in dataclasses.fields(InstanceState) if f.name not in ("measurements", "open_tasks")]
_MEASUREMENT_COLUMNS = [f.name for f in dataclasses.fields(Measurement)]
_row = operator.attrgetter(*_MEASUREMENT_COLUMNS)  # a measurement's values, to see what a command changed
_MUTABLE_INSTANCE_COLUMNS = ("status", "active_key", "started_on", "last_occurred_on", "timer_signature",
                             "closed_on", "referral_received_on")

# The hot path's statements are built once: building a statement per call costs more than its round trip.
_LOCK_BY_ID = (select(INSTANCE.c.id, INSTANCE.c.version).where(INSTANCE.c.id == bindparam("instance_id"))
               .with_for_update())
#: A sweep's claim: an instance another worker holds is left to that worker instead of waited for.
_CLAIM_BY_ID = (select(INSTANCE.c.id, INSTANCE.c.version).where(INSTANCE.c.id == bindparam("instance_id"))
                .with_for_update(skip_locked=True))
#: The task's claim is read under the same lock, so a command entered by a task knows who holds it.
_LOCK_BY_TASK = (select(INSTANCE.c.id, INSTANCE.c.version,
                        select(TASK.c.assignee).where(TASK.c.id == bindparam("task_id")).scalar_subquery()
                        .label("task_assignee"))
                 .where(INSTANCE.c.id == select(TASK.c.instance_id).where(TASK.c.id == bindparam("task_id"))
                        .scalar_subquery())
                 .with_for_update())


def _loads(key) -> tuple[Any, Any, Any]:
    """An instance's row (the state last), its measurements and its open tasks, found by `key`; columns in the
    order of InstanceState, Measurement and OpenTask."""
    return (select(*(INSTANCE.c[name] for name in _INSTANCE_COLUMNS), INSTANCE.c.state).where(INSTANCE.c.id == key),
            select(*(MEASUREMENT.c[name] for name in _MEASUREMENT_COLUMNS))
            .where(MEASUREMENT.c.instance_id == key).order_by(MEASUREMENT.c.indicator_key, MEASUREMENT.c.sequence),
            select(TASK.c.id, TASK.c.element_id, TASK.c.measuring_point, TASK.c.due_on, TASK.c.urgent_on)
            .where(TASK.c.instance_id == key, TASK.c.status == TaskStatus.OPEN)
            .order_by(TASK.c.created_at, TASK.c.id))


_LOAD_BY_ID = _loads(bindparam("instance_id"))
_LOAD_BY_TASK = _loads(select(TASK.c.instance_id).where(TASK.c.id == bindparam("task_id")).scalar_subquery())
_UPDATE_INSTANCE = (update(INSTANCE)
                    .where(INSTANCE.c.id == bindparam("b_id"), INSTANCE.c.version == bindparam("b_version"))
                    .values(**{name: bindparam(f"b_{name}") for name in _MUTABLE_INSTANCE_COLUMNS},
                            state=bindparam("b_state"), updated_at=bindparam("b_updated_at"),
                            version=bindparam("b_new_version")))
_INSERT_INSTANCE = insert(INSTANCE).inline()
_INSERT_EVENT = insert(EVENT).inline()  # inline: no RETURNING of generated ids, which a pipeline cannot wait for
_UPDATE_MEASUREMENT = (update(MEASUREMENT).where(MEASUREMENT.c.instance_id == bindparam("b_instance_id"),
                                                  MEASUREMENT.c.indicator_key == bindparam("b_indicator_key"),
                                                  MEASUREMENT.c.sequence == bindparam("b_sequence"))
                       .values(start_on=bindparam("b_start_on"), due_on=bindparam("b_due_on"),
                               end_on=bindparam("b_end_on"), status=bindparam("b_status"),
                               deferral_registered=bindparam("b_deferral")))
#: What an indicator declared for a measurement; it changes only when the instance moves to another version.
_DECLARATION_COLUMNS = ("label", "from_point", "to_point", "limit_days", "day_unit", "target_share", "unconfirmed")
_declaration = operator.attrgetter(*_DECLARATION_COLUMNS)
_UPDATE_DECLARATION = (update(MEASUREMENT).where(MEASUREMENT.c.instance_id == bindparam("b_instance_id"),
                                                  MEASUREMENT.c.indicator_key == bindparam("b_indicator_key"),
                                                  MEASUREMENT.c.sequence == bindparam("b_sequence"))
                       .values(**{name: bindparam(f"b_{name}") for name in _DECLARATION_COLUMNS}))
_INSERT_MEASUREMENT = insert(MEASUREMENT).inline()
_CLOSE_TASK = (update(TASK).where(TASK.c.id == bindparam("b_id"))
               .values(status=bindparam("b_status"), completed_at=bindparam("b_at"), completed_by=bindparam("b_by")))
_INSERT_TASK = insert(TASK).inline()
_UPDATE_TASK_DUE = (update(TASK).where(TASK.c.id == bindparam("b_id"))
                    .values(due_on=bindparam("b_due_on"), urgent_on=bindparam("b_urgent_on")))
_DELETE_TIMERS = delete(TIMER).where(TIMER.c.instance_id == bindparam("instance_id"))
_INSERT_TIMER = insert(TIMER).inline()
_INSERT_MESSAGE = insert(MESSAGE).inline()
_KEPT_FOR_PATIENT = exists().where(MESSAGE.c.patient_key == bindparam("patient_key"),
                                   MESSAGE.c.delivered_at.is_(None)).select()
_INSERT_AUDIT = insert(AuditEvent.__table__).inline()
_DELETE_MEASUREMENT = delete(MEASUREMENT).where(MEASUREMENT.c.instance_id == bindparam("b_instance_id"),
                                                MEASUREMENT.c.indicator_key == bindparam("b_indicator_key"),
                                                MEASUREMENT.c.sequence == bindparam("b_sequence"))
_REOPEN_TASK = (update(TASK).where(TASK.c.id == bindparam("b_id"))
                .values(status=bindparam("b_status"), assignee=bindparam("b_none"), completed_at=bindparam("b_none"),
                        completed_by=bindparam("b_none")))
_INSERT_CORRECTION = insert(EventCorrection.__table__).inline()
_CORRECT_EVENT = (update(EVENT).where(EVENT.c.id == bindparam("b_id"))
                  .values(occurred_on=bindparam("b_occurred_on"), undone_at=bindparam("b_undone_at")))


class Locked(NamedTuple):
    id: str
    version: int
    #: locked by one of its tasks: who has claimed that task (None: nobody, or locked by id)
    task_assignee: str | None = None


def lock(conn: Connection, *, instance_id: str | None = None, task_id: str | None = None,
         skip_locked: bool = False) -> Locked | None:
    """Lock the instance row (by id, or by one of its tasks) for this transaction. With `skip_locked`
    (PostgreSQL) a row another transaction holds gives None at once instead of a wait."""
    if task_id is not None:
        statement, params = _LOCK_BY_TASK, {"task_id": task_id}
    else:
        statement, params = (_CLAIM_BY_ID if skip_locked else _LOCK_BY_ID), {"instance_id": instance_id}
    if conn.dialect.name == "postgresql":  # every command starts here: spare SQLAlchemy's per-call work
        with conn.connection.driver_connection.cursor() as cursor:
            cursor.execute(_driver_sql(statement, conn.dialect, tuple(params)), params)
            row = cursor.fetchone()
    else:
        row = conn.execute(statement, params).first()
    return Locked(*row) if row else None


def send_lock(cursor, dialect, *, task_id: str) -> None:
    """Queue the lock of a task's instance on a PostgreSQL pipeline cursor; `cursor.fetchone()` gives the row of
    a `Locked`."""
    cursor.execute(_driver_sql(_LOCK_BY_TASK, dialect, ("task_id",)), {"task_id": task_id})


def load(conn: Connection, instance_id: str) -> tuple[InstanceState, bytes]:
    """The instance's state and its serialised workflow, from the database (the cache missed)."""
    instance, measurements, tasks = read_together(conn, _LOAD_BY_ID, {"instance_id": instance_id})
    return _loaded(instance[0], measurements, tasks)


def lock_and_load(conn: Connection, *, task_id: str | None = None, instance_id: str | None = None,
                  skip_locked: bool = False) -> tuple[Locked, InstanceState, bytes] | None:
    """Lock the row and load it, sent together (one round trip on PostgreSQL). The server runs the loads after
    the lock is granted, so they read the state as it is under the lock; None as `lock()`."""
    if task_id is not None:
        statements, params = (_LOCK_BY_TASK, *_LOAD_BY_TASK), {"task_id": task_id}
    else:
        statements = ((_CLAIM_BY_ID if skip_locked else _LOCK_BY_ID), *_LOAD_BY_ID)
        params = {"instance_id": instance_id}
    found, instance, measurements, tasks = read_together(conn, statements, params)
    if not found or not instance:
        return None
    state, blob = _loaded(instance[0], measurements, tasks)
    return Locked(*found[0]), state, blob


def _loaded(instance: Sequence[Any], measurements: Iterable[Sequence[Any]],
            tasks: Iterable[Sequence[Any]]) -> tuple[InstanceState, bytes]:
    """Rows of `_loads()`'s three statements, positionally, as the state and the serialised workflow."""
    state = InstanceState(*instance[:-1])
    state.measurements = [Measurement(*m) for m in measurements]
    state.open_tasks = [OpenTask(*t) for t in tasks]
    return state, bytes(instance[-1])


def due_timer_elements(conn: Connection, instance_id: str, now: datetime) -> list[str]:
    """The elements of the instance's timers that are due at `now` (none: they fired already)."""
    return list(conn.scalars(select(TIMER.c.element_id).where(TIMER.c.instance_id == instance_id,
                                                              TIMER.c.due_at <= now).order_by(TIMER.c.due_at)))


def task_status(conn: Connection, task_id: str) -> str | None:
    return conn.scalar(select(TASK.c.status).where(TASK.c.id == task_id))


class UnitOfWork:
    """Collects one command's changes to an instance and writes them, in foreign-key order, on `commit()`."""

    def __init__(self, conn: Connection, state: InstanceState, *, new: bool = False,
                 in_pipeline: bool = False, commit: bool = True,
                 before_commit: Callable[[Connection], None] | None = None) -> None:
        self.conn = conn
        self.state = state
        self.new = new
        self.in_pipeline = in_pipeline  # the command already opened a PostgreSQL pipeline
        #: False when the command goes on in the same transaction (a transfer's new start commits both)
        self.ends_transaction = commit
        #: writes of the command that belong to no instance row (a link), after the instance's own, in its transaction
        self.before_commit = before_commit
        self._had_timers = state.timer_signature is not None
        self._before_measurements = {m.key: _row(m) for m in state.measurements}
        self._before_declarations = {m.key: _declaration(m) for m in state.measurements}
        self._before_tally = compliance_tally.contribution(state.pathway_key, state.unit, state.measurements)
        self._before_due = {t.id: (t.due_on, t.urgent_on) for t in state.open_tasks}
        self.events: list[dict[str, Any]] = []
        self.closed_tasks: list[dict[str, Any]] = []
        self.new_tasks: list[dict[str, Any]] = []
        self.timers: list[tuple[str, datetime]] | None = None  # None: unchanged
        self.messages: list[dict[str, Any]] = []  # sent to other pathways of the patient
        self.audit: list[dict[str, Any]] = []  # audit_event rows of the change
        self.event_changes: list[dict[str, Any]] = []  # corrected registrations: date and undone_at
        self.corrections: list[dict[str, Any]] = []  # event_correction rows
        self.reopened: list[str] = []  # completed tasks opened again (a registration undone)
        #: set before `commit()` when the instance waits for a message: is one kept for the patient? The answer
        #: (`kept_messages`) is read in the commit's own round trip, so a command spares a delivery attempt
        #: (a statement of its own) when nothing is kept, as is almost always the case.
        self.check_kept_messages = False
        self.kept_messages = False
        self._cursor = None

    def add_event(self, event: RegisteredEvent, registered_at: datetime, registered_by: str | None) -> None:
        self.events.append({
            "instance_id": self.state.id, "code": event.code, "outcome": event.outcome,
            "occurred_on": event.occurred_on, "element_id": event.element_id, "task_id": event.task_id,
            "note": event.note, "registered_at": registered_at, "registered_by": registered_by,
            "deferred_until": event.deferred_until, "reason": event.reason, "undone_at": None,
        })

    def send_message(self, name: str, payload_json: str | None, result_variable: str | None, sent_on: date,
                     at: datetime) -> None:
        self.messages.append({"patient_key": self.state.patient_key, "name": name, "payload": payload_json,
                              "result_variable": result_variable, "sender_instance_id": self.state.id,
                              "sent_on": sent_on, "created_at": at, "delivered_at": None,
                              "receiver_instance_id": None})

    def close_task(self, task: OpenTask, status: str, at: datetime, by: str | None) -> None:
        self.state.open_tasks.remove(task)
        self.closed_tasks.append({"b_id": task.id, "b_status": status, "b_at": at, "b_by": by})

    def open_task(self, row: dict[str, Any]) -> None:
        self.new_tasks.append({**row, "instance_id": self.state.id, "pathway_key": self.state.pathway_key,
                               "unit": self.state.unit, "patient_key": self.state.patient_key,
                               "status": TaskStatus.OPEN, "assignee": None, "completed_at": None, "completed_by": None})
        self.state.open_tasks.append(OpenTask(row["id"], row["element_id"], row["measuring_point"], row["due_on"]))

    def change_event(self, event_id: int, occurred_on: date, undone_at: datetime | None) -> None:
        """A correction of a registered measuring point: its (new) date, and when it was undone, if it was."""
        self.event_changes.append({"b_id": event_id, "b_occurred_on": occurred_on, "b_undone_at": undone_at})

    def add_correction(self, row: dict[str, Any]) -> None:
        self.corrections.append(row)

    def reopen_task(self, task_id: str, element_id: str, measuring_point: str | None) -> None:
        """Open a completed task again under its own id (its registration was undone)."""
        self.reopened.append(task_id)
        self.state.open_tasks.append(OpenTask(task_id, element_id, measuring_point, None))

    def commit(self, workflow_state: bytes, now: datetime) -> None:
        """Write the changes and commit the command's transaction: the last step of every command (unless the
        command goes on in the same transaction: `commit=False`).

        On PostgreSQL an existing instance's statements and the COMMIT go out as one pipeline (one round trip);
        the row lock held since `lock()` already guarantees the version there, which SQLite re-checks."""
        state = self.state
        pipelined = not self.new and self.conn.dialect.name == "postgresql"
        driver = self.conn.connection.driver_connection
        self._cursor = driver.cursor() if pipelined else None
        with driver.pipeline() if pipelined and not self.in_pipeline else nullcontext():
            if self.new:
                self.conn.execute(_INSERT_INSTANCE, {**{name: getattr(state, name) for name in _INSTANCE_COLUMNS},
                                                     "state": workflow_state, "created_at": now, "updated_at": now})
            else:
                params = {f"b_{name}": getattr(state, name) for name in _MUTABLE_INSTANCE_COLUMNS}
                params.update(b_id=state.id, b_version=state.version, b_new_version=state.version + 1,
                              b_state=workflow_state, b_updated_at=now)
                result = self._run(_UPDATE_INSTANCE, params)
                if not pipelined and result.rowcount != 1:
                    raise StaleInstance(state.id)
            self._write_rows()
            if self.before_commit is not None:
                self.before_commit(self.conn)
            kept = self._send_kept_check(driver if pipelined else None)
            if self.ends_transaction:
                self.conn.commit()
        if self._cursor is not None:
            self._cursor.close()
        if kept is not None:
            self.kept_messages = kept()
        if not self.new:
            state.version += 1

    def _send_kept_check(self, driver) -> Callable[[], bool] | None:
        """Ask, in the transaction, whether a message is kept undelivered for the patient; returns how to read
        the answer once committed (on a PostgreSQL pipeline the answer arrives with the COMMIT's)."""
        if not self.check_kept_messages:
            return None
        params = {"patient_key": self.state.patient_key}
        if driver is None:
            found = bool(self.conn.execute(_KEPT_FOR_PATIENT, params).scalar())
            return lambda: found
        cursor = driver.cursor()
        cursor.execute(_driver_sql(_KEPT_FOR_PATIENT, self.conn.dialect, tuple(params)), params)

        def answer() -> bool:
            try:
                return bool(cursor.fetchone()[0])
            finally:
                cursor.close()
        return answer

    def _run(self, statement, params: dict[str, Any] | list[dict[str, Any]]) -> Any:
        """Execute through SQLAlchemy, or, in the PostgreSQL pipeline, straight on the driver's cursor with the
        statement compiled once: SQLAlchemy's per-call work would be most of the pipeline's cost."""
        if self._cursor is None:
            return self.conn.execute(statement, params)
        many = isinstance(params, list)
        sql = _driver_sql(statement, self.conn.dialect, tuple(params[0] if many else params))
        if many:
            self._cursor.executemany(sql, params)
        else:
            self._cursor.execute(sql, params)
        return None

    def _write_rows(self) -> None:
        state = self.state
        if self.events:
            self._run(_INSERT_EVENT, self.events)
        self._write_measurements()
        self._write_tasks()
        if self.timers is not None:
            if self._had_timers and not self.new:
                self._run(_DELETE_TIMERS, {"instance_id": state.id})
            if self.timers:
                self._run(_INSERT_TIMER, [{"instance_id": state.id, "element_id": name, "due_at": due_at}
                                                  for name, due_at in self.timers])
        if self.messages:
            self._run(_INSERT_MESSAGE, self.messages)
        if self.audit:
            self._run(_INSERT_AUDIT, self.audit)
        if self.event_changes:
            self._run(_CORRECT_EVENT, self.event_changes)
        if self.corrections:
            self._run(_INSERT_CORRECTION, self.corrections)

    def _write_measurements(self) -> None:
        now = {m.key for m in self.state.measurements}
        removed = [key for key in self._before_measurements if key not in now]
        if removed:  # a correction measured again without them (their start was undone)
            self._run(_DELETE_MEASUREMENT, [{"b_instance_id": self.state.id, "b_indicator_key": key, "b_sequence": seq}
                                            for key, seq in removed])
        fresh = [m for m in self.state.measurements if m.key not in self._before_measurements]
        changed = [m for m in self.state.measurements
                   if m.key in self._before_measurements and _row(m) != self._before_measurements[m.key]]
        if changed:
            self._run(
                _UPDATE_MEASUREMENT,
                [{"b_instance_id": self.state.id, "b_indicator_key": m.indicator_key, "b_sequence": m.sequence,
                  "b_start_on": m.start_on, "b_due_on": m.due_on, "b_end_on": m.end_on,
                  "b_status": m.status, "b_deferral": m.deferral_registered} for m in changed])
            redeclared = [m for m in changed if _declaration(m) != self._before_declarations[m.key]]
            if redeclared:  # a migration measured it by the new version's indicator
                self._run(_UPDATE_DECLARATION,
                          [{"b_instance_id": self.state.id, "b_indicator_key": m.indicator_key,
                            "b_sequence": m.sequence, **{f"b_{name}": getattr(m, name) for name in _DECLARATION_COLUMNS}}
                           for m in redeclared])
        if fresh:
            common = {"instance_id": self.state.id, "pathway_key": self.state.pathway_key, "unit": self.state.unit}
            self._run(_INSERT_MEASUREMENT, [{**dataclasses.asdict(m), **common} for m in fresh])
        if removed or changed or fresh:
            self._write_tally()

    def _write_tally(self) -> None:
        """The compliance tally's rows moved by the command: the instance's contribution now minus before."""
        state = self.state
        after = compliance_tally.contribution(state.pathway_key, state.unit, state.measurements)
        rows = compliance_tally.changes(self._before_tally, after)
        if rows:
            self._run(compliance_tally.upsert(self.conn.dialect.name), rows)

    def _write_tasks(self) -> None:
        if self.reopened:
            self._run(_REOPEN_TASK, [{"b_id": task_id, "b_status": TaskStatus.OPEN, "b_none": None}
                                     for task_id in self.reopened])
        if self.closed_tasks:
            self._run(_CLOSE_TASK, self.closed_tasks)
        self._set_urgent_dates()
        open_now = {t.id: t for t in self.state.open_tasks}
        if self.new_tasks:
            self._run(_INSERT_TASK, [{**row, "due_on": open_now[row["id"]].due_on,
                                      "urgent_on": open_now[row["id"]].urgent_on} for row in self.new_tasks])
        new_ids = {row["id"] for row in self.new_tasks}
        # A reopened task is not in `_before_due`: its row gets the dates of now.
        due_changes = [{"b_id": t.id, "b_due_on": t.due_on, "b_urgent_on": t.urgent_on} for t in self.state.open_tasks
                       if t.id not in new_ids and self._before_due.get(t.id) != (t.due_on, t.urgent_on)]
        if due_changes:
            self._run(_UPDATE_TASK_DUE, due_changes)


    def _set_urgent_dates(self) -> None:
        """Every open task's sort key from the instance's measurements as they are now: the nearest running
        deadline, else the task's own due date. Here, where every command's changes are written, so a registration,
        correction, deferral or migration that moves a deadline moves its tasks in the lists too."""
        nearest = min((m.due_on for m in self.state.measurements
                       if m.end_on is None and m.status in OPEN_DEADLINE_STATUSES), default=None)
        for task in self.state.open_tasks:
            task.urgent_on = nearest or task.due_on or NO_URGENT_DATE


@functools.lru_cache(maxsize=64)
def _driver_sql(statement, dialect, keys: tuple[str, ...]) -> str:
    return str(statement.compile(dialect=dialect, column_keys=list(keys)))
