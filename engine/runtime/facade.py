"""`PathwayRuntime`: the runtime's commands behind one object, as the API, the pages, the CLI and the tests call
them.

Each command is one database transaction on one instance, with one writer at a time (`engine.runtime.gate`);
what the commands do lives in their own modules: `start`, `tasks`, `deferral`, `corrections`, `closure`,
`messages`, `sweeps`, `incidents` and `migration`.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any, Callable

from engine.catalogue.definition import PathwayDefinition
from engine.catalogue.versions import DefinitionCache
from engine.clock import Clock
from engine.db.database import Database
from engine.metrics import command, record_tick
from engine.runtime import closure, corrections, deferral, incidents, messages, migration, start, sweeps, tasks
from engine.runtime.context import RuntimeContext
from engine.runtime.live_cache import LiveCache


class PathwayRuntime:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.definitions = DefinitionCache(db)
        self._ctx = RuntimeContext(db, clock, self.definitions, LiveCache())

    def today(self) -> date:
        return self._ctx.today()

    def definition_of(self, version_id: int) -> PathwayDefinition:
        """The parsed definition of a deployed version (parsed once per process)."""
        return self.definitions.get(version_id)

    def cache_stats(self) -> tuple[int, int]:
        """(hits, misses) of the live cache since start: how often a command could skip loading state."""
        return self._ctx.live.hits, self._ctx.live.misses

    def clear_live_cache(self) -> None:
        """Forget the live workflows, so the next command on each instance loads it from its row."""
        self._ctx.live.clear()

    @command("start_pathway")
    def start_pathway(self, *, patient_key: str, pathway_key: str, unit: str, setting: str,
                      referral_received_on: date, severity: str | None = None, rule_set: str | None = None,
                      actor: str | None = None, start_route: str = "referral", municipal_unit: str | None = None,
                      municipal_coordinator: str | None = None) -> str:
        started = start.start_pathway(self._ctx, patient_key=patient_key, pathway_key=pathway_key, unit=unit,
                                      setting=setting, referral_received_on=referral_received_on,
                                      severity=severity, rule_set=rule_set, actor=actor, start_route=start_route,
                                      municipal_unit=municipal_unit, municipal_coordinator=municipal_coordinator)
        if started.deliver:
            messages.deliver_messages(self._ctx, started.patient_key)
        return started.instance_id

    @command("complete_task")
    def complete_task(self, task_id: str, *, data: dict[str, Any] | None, occurred_on: date,
                      actor: str | None = None, take_over: bool = False,
                      sees_unit: Callable[[str], bool] | None = None) -> str:
        return tasks.complete_task(self._ctx, task_id, data=data, occurred_on=occurred_on, actor=actor,
                                   take_over=take_over, sees_unit=sees_unit)

    @command("claim_task")
    def claim_task(self, task_id: str, assignee: str, *, actor: str | None = None, take_over: bool = False) -> None:
        tasks.set_assignee(self._ctx, task_id, assignee, actor, take_over)

    @command("unclaim_task")
    def unclaim_task(self, task_id: str, *, actor: str | None = None) -> None:
        tasks.set_assignee(self._ctx, task_id, None, actor)

    @command("register_patient_deferred")
    def register_patient_deferred(self, instance_id: str, *, deferred_from: date, deferred_until: date | None = None,
                                  working_days: int | None = None, reason: str, note: str | None = None,
                                  actor: str | None = None) -> None:
        """The patient delayed the pathway by more than 7 working days (from – until, or from + working days)."""
        deferral.register_patient_deferred(self._ctx, instance_id, deferred_from=deferred_from,
                                           deferred_until=deferred_until, working_days=working_days, reason=reason,
                                           note=note, actor=actor)

    @command("close_pathway")
    def close_pathway(self, instance_id: str, *, closed_on: date, outcome: str, note: str | None = None,
                      actor: str | None = None) -> None:
        """Close the pathway before its process reaches the closure task, with one of its closure outcomes."""
        closure.close_pathway(self._ctx, instance_id, closed_on=closed_on, outcome=outcome, note=note, actor=actor)

    @command("transfer_pathway")
    def transfer_pathway(self, instance_id: str, *, transferred_on: date, receiving_trust: str,
                         receiving_unit: str | None = None, note: str | None = None,
                         actor: str | None = None) -> str | None:
        """Close the pathway as transferred to another hospital trust, which registers a new start; with the
        receiving unit named, that start is made and linked (its id returned)."""
        return closure.transfer_pathway(self._ctx, instance_id, transferred_on=transferred_on,
                                        receiving_trust=receiving_trust, receiving_unit=receiving_unit, note=note,
                                        actor=actor)

    @command("correct_event_date")
    def correct_event_date(self, instance_id: str, event_id: int, *, occurred_on: date, reason: str,
                           actor: str) -> None:
        """Move a registered measuring point to the date it really happened; its deadlines follow."""
        corrections.correct_date(self._ctx, instance_id, event_id, occurred_on=occurred_on, reason=reason,
                                 actor=actor)

    @command("undo_event")
    def undo_event(self, instance_id: str, event_id: int, *, reason: str, actor: str) -> None:
        """Undo a registration: its task opens again to be registered anew."""
        corrections.undo(self._ctx, instance_id, event_id, reason=reason, actor=actor)

    @command("send_message")
    def send_message(self, instance_id: str, name: str, *, data: dict[str, Any] | None = None,
                     occurred_on: date | None = None, actor: str | None = None) -> None:
        messages.send_message(self._ctx, instance_id, name, data=data, occurred_on=occurred_on, actor=actor)

    def deliver_messages(self, patient_key: str | None = None, limit: int = 200) -> int:
        return messages.deliver_messages(self._ctx, patient_key, limit)

    def fire_due_timers(self, budget_seconds: float = sweeps.TICK_BUDGET_SECONDS) -> int:
        return sweeps.fire_due_timers(self._ctx, budget_seconds)

    def mark_overdue(self) -> int:
        return sweeps.mark_overdue(self._ctx)

    def tick(self, budget_seconds: float = sweeps.TICK_BUDGET_SECONDS) -> tuple[int, int]:
        """Fire due timers (for at most `budget_seconds`), deliver kept messages and mark passed deadlines
        overdue."""
        started = time.perf_counter()
        fired, overdue = sweeps.tick(self._ctx, budget_seconds)
        record_tick(time.perf_counter() - started, fired, overdue)
        return fired, overdue

    @command("retry_incident")
    def retry_incident(self, incident_id: int, *, actor: str, on_current_version: bool = False) -> bool:
        """Run a failed item again now; True when it succeeded and the incident is resolved."""
        return sweeps.retry_incident(self._ctx, incident_id, actor, on_current_version=on_current_version)

    @command("resolve_incident")
    def resolve_incident(self, incident_id: int, *, note: str, actor: str) -> None:
        incidents.resolve(self._ctx, incident_id, note, actor)

    @command("migrate_instances")
    def migrate_instances(self, selection: migration.Selection, *, to_version_id: int | None = None, actor: str,
                          dry_run: bool = True, on_progress: migration.Progress | None = None) -> migration.Report:
        """Move the chosen running instances to another version of their pathway (default: its current one),
        each in its own transaction; a dry-run (the default) says what would happen and writes nothing."""
        return migration.migrate_instances(self._ctx, selection, to_version_id, actor, dry_run=dry_run,
                                           on_progress=on_progress)

    @command("revert_migration")
    def revert_migration(self, instance_id: str, *, actor: str, dry_run: bool = False) -> migration.Outcome:
        """Move the instance back to the version its last migration took it from."""
        return migration.revert(self._ctx, instance_id, actor, dry_run=dry_run)
