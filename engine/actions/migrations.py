"""Migration of running instances for a signed-in user: modellers and administrators move instances between
versions of a pathway, see a dry-run first, revert a move and read the records. Coordinators and managers may not:
a migration changes the deadlines of every chosen patient at once, which is the pathway owner's decision, not one
unit's. The answers name instances and units, never a patient key (modellers see no patient data); the audit rows
the runtime writes per instance do carry the patient."""

from __future__ import annotations

import dataclasses
from typing import Any

from engine.access.policy import require_role
from engine.access.principals import ADMIN, MODELLER, Principal
from engine.reading.migrations import list_migrations, pathway_versions
from engine.runtime import PathwayRuntime
from engine.runtime.migration import Outcome, Progress, Report, Selection

MIGRATORS = (MODELLER, ADMIN)


def migrate_instances(runtime: PathwayRuntime, user: Principal, selection: Selection, *,
                      to_version_id: int | None, dry_run: bool, on_progress: Progress | None = None) -> dict[str, Any]:
    """A dry-run (nothing written) or the migration of the chosen instances, one transaction each."""
    require_role(user, *MIGRATORS)
    return report_view(runtime.migrate_instances(selection, to_version_id=to_version_id, actor=user.id,
                                                 dry_run=dry_run, on_progress=on_progress))


def revert_migration(runtime: PathwayRuntime, user: Principal, instance_id: str, *, dry_run: bool) -> dict[str, Any]:
    """Move an instance back to the version its last migration took it from."""
    require_role(user, *MIGRATORS)
    return outcome_view(runtime.revert_migration(instance_id, actor=user.id, dry_run=dry_run))


def read_migrations(runtime: PathwayRuntime, user: Principal, pathway_key: str, *, instance_id: str | None,
                    limit: int, offset: int) -> dict[str, Any]:
    require_role(user, *MIGRATORS)
    return list_migrations(runtime.db, pathway_key, instance_id=instance_id, limit=limit, offset=offset)


def migration_choices(runtime: PathwayRuntime, user: Principal, pathway_key: str) -> list[dict[str, Any]]:
    """The versions of the pathway to move instances between, with their active instances."""
    require_role(user, *MIGRATORS)
    return pathway_versions(runtime.db, pathway_key)


def report_view(report: Report) -> dict[str, Any]:
    view = dataclasses.asdict(report)
    view["items"] = [outcome_view(item) for item in report.items]
    view["refused"] = report.done - report.moved
    return view


def outcome_view(outcome: Outcome) -> dict[str, Any]:
    return dataclasses.asdict(outcome)
