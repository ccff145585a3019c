"""The instance gate: every command enters one instance through it, one writer at a time.

A command's transaction starts by locking the instance row (`SELECT … FOR UPDATE` on PostgreSQL; the writing
transaction's `BEGIN IMMEDIATE` on SQLite) and takes the instance's live workflow and state, from the live cache
when the row version matches, else from the row. On PostgreSQL a completion whose task is cached sends its lock
first and works on the cached state while the answer travels; `Held.confirm()` collects it before anything is
written, and a mismatch (`StaleCache`) makes the command start again from the row.

An unexpected exception inside the block rolls the command back and becomes `engine_error` (`failures.guarded`).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Connection

from engine.catalogue.definition import PathwayDefinition
from engine.errors import Conflict, ErrorCode, NotFound
from engine.runtime import write_path
from engine.runtime.context import RuntimeContext
from engine.runtime.failures import guarded
from engine.runtime.workflow_state import load_state
from engine.runtime.write_path import InstanceState, StaleInstance
from engine.statuses import InstanceStatus

_FAILED = "the pathway could not be changed"


class StaleCache(Exception):
    """The cached state a command started from is older than the locked row: redo it from the database."""


@dataclass
class Held:
    """An instance held by a command: its connection, live workflow and state, and `confirm()`, which returns
    once the row lock is held and the state is known to be current (raises `StaleCache` otherwise)."""

    conn: Connection
    workflow: BpmnWorkflow
    state: InstanceState
    definition: PathwayDefinition
    confirm: Callable[[], None] = lambda: None
    in_pipeline: bool = False
    #: entered by a task: who has claimed it, read under the lock (known once `confirm()` returned)
    task_assignee: str | None = None


@contextmanager
def locked(ctx: RuntimeContext, *, task_id: str | None = None, instance_id: str | None = None,
           skip_locked: bool = False) -> Iterator[Held]:
    """One command's transaction on one instance, found by one of its tasks or by its id. The caller checks the
    state back in (`ctx.live.checkin`) once the block has committed. `skip_locked`: a sweep's claim; an instance
    another worker holds is NotFound at once (PostgreSQL)."""
    with ctx.db.engine.begin() as conn, guarded(_FAILED, StaleCache, StaleInstance):
        if task_id is not None and conn.dialect.name == "postgresql":
            optimistic = ctx.live.checkout_task(task_id)
            if optimistic is not None:
                with _optimistic(ctx, conn, task_id, *optimistic) as held:
                    yield held
                return
        yield _enter(ctx, conn, task_id=task_id, instance_id=instance_id, skip_locked=skip_locked)


@contextmanager
def claimed(ctx: RuntimeContext, pick: Callable[[Connection], str | None]) -> Iterator[Held | None]:
    """A sweep's transaction on the instance `pick` chooses in it (locking the row it chose by, e.g. a due
    timer, so that other sweepers pass it by); None when there is nothing to pick. The instance is claimed as
    with `skip_locked`: one that a command holds is NotFound at once, and the pick's own lock goes with the
    rollback."""
    with ctx.db.engine.begin() as conn, guarded(_FAILED, StaleCache, StaleInstance):
        instance_id = pick(conn)
        yield None if instance_id is None else _enter(ctx, conn, instance_id=instance_id, skip_locked=True)


def _enter(ctx: RuntimeContext, conn: Connection, *, task_id: str | None = None, instance_id: str | None = None,
           skip_locked: bool = False) -> Held:
    """Lock the instance row and take its workflow and state, from the live cache when it is current."""
    if conn.dialect.name == "postgresql" and (task_id is not None or not ctx.live.holds(instance_id)):
        return _enter_loading(ctx, conn, task_id=task_id, instance_id=instance_id, skip_locked=skip_locked)
    found = write_path.lock(conn, task_id=task_id, instance_id=instance_id, skip_locked=skip_locked)
    if found is None:
        raise _not_found(task_id, instance_id)
    cached = ctx.live.checkout(found.id, found.version)
    if cached is None:
        state, blob = write_path.load(conn, found.id)
        return _held(ctx, conn, found, state, blob)
    workflow, state = cached
    definition = ctx.definitions.get(state.pathway_version_id, conn)
    return Held(conn, workflow, state, definition, task_assignee=found.task_assignee)


def _enter_loading(ctx: RuntimeContext, conn: Connection, *, task_id: str | None, instance_id: str | None,
                   skip_locked: bool) -> Held:
    """PostgreSQL, the instance not in the live cache (a task the cache does not know is not there): the lock
    and the loads in one round trip instead of four."""
    loaded = write_path.lock_and_load(conn, task_id=task_id, instance_id=instance_id, skip_locked=skip_locked)
    if loaded is None:
        raise _not_found(task_id, instance_id)
    return _held(ctx, conn, *loaded)


def _held(ctx: RuntimeContext, conn: Connection, found: write_path.Locked, state: InstanceState,
          blob: bytes) -> Held:
    definition = ctx.definitions.get(state.pathway_version_id, conn)
    workflow = load_state(blob, definition.spec, definition.subprocess_specs)
    return Held(conn, workflow, state, definition, task_assignee=found.task_assignee)


def _not_found(task_id: str | None, instance_id: str | None) -> NotFound:
    if task_id is not None:
        return NotFound(ErrorCode.TASK_NOT_FOUND, f"no task {task_id}")
    return NotFound(ErrorCode.INSTANCE_NOT_FOUND, f"no pathway instance {instance_id}")


def changed_concurrently(instance_id: str) -> Conflict:
    """The conflict of a command whose instance another command changed first (`StaleInstance`)."""
    return Conflict(ErrorCode.CHANGED_CONCURRENTLY, f"pathway {instance_id} was changed by someone else; try again")


def require_active(held: Held) -> None:
    """A command that changes a pathway needs it active (not closed)."""
    if held.state.status != InstanceStatus.ACTIVE:
        raise Conflict(ErrorCode.INSTANCE_NOT_ACTIVE, f"pathway {held.state.id} is {held.state.status}")


@contextmanager
def _optimistic(ctx: RuntimeContext, conn: Connection, task_id: str, version: int, workflow: BpmnWorkflow,
                state: InstanceState) -> Iterator[Held]:
    """PostgreSQL, task cached: send the lock and work on the cached state while it travels; `confirm()`
    collects the answer before anything is written. Hides the lock's round trip behind the engine's work."""
    driver = conn.connection.driver_connection
    with driver.pipeline(), driver.cursor() as cursor:
        write_path.send_lock(cursor, conn.dialect, task_id=task_id)

        held = Held(conn, workflow, state, ctx.definitions.get(state.pathway_version_id, conn), in_pipeline=True)

        def confirm() -> None:
            row = cursor.fetchone()
            if row is None or (row[0], row[1]) != (state.id, version):
                raise StaleCache(task_id)
            held.task_assignee = write_path.Locked(*row).task_assignee

        held.confirm = confirm
        yield held
