"""Migration of running TSB patients to a fixed version (engine.runtime.migration), as a modeller does it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from pytest_bdd import given, scenarios, then, when
from sqlalchemy import select

from engine.access.principals import DEV_USERS
from engine.actions import migrations
from engine.catalogue.deployment import deploy
from engine.db.models import AuditEvent, Base, InstanceMigration, PathwayInstance
from engine.errors import PathwayError
from engine.runtime.migration import Selection
from features.conftest import Pathway, step
from tests.support import PATHWAYS_DIR, TSB, complete, indicator, start_tsb, to_clinical_decision

scenarios("migration.feature")

MODELLER = DEV_USERS["dev-modellerer"]
ROLES = {"coordinator": DEV_USERS["dev-koordinator-nord"], "manager": DEV_USERS["dev-leder"]}
FIRST_EVALUATION = "first_evaluation_outpatient"
_LIMIT = b"to=evaluation; limit=7; unit=calendar_days; deferrable=true; setting=outpatient"


@dataclass
class Moving:
    """The scenario's patients by name, the versions, and the last answer of a dry-run or migration."""

    patients: dict[str, str] = field(default_factory=dict)
    first_version: int | None = None
    new_version: int | None = None
    report: dict[str, Any] | None = None
    before_dry_run: dict[str, list] | None = None

    def item(self, name: str) -> dict[str, Any]:
        return next(i for i in self.report["items"] if i["instance_id"] == self.patients[name])


@pytest.fixture
def moving() -> Moving:
    return Moving()


def _version_of(pathway: Pathway, instance_id: str) -> int:
    with pathway.runtime.db.reading() as session:
        return session.get(PathwayInstance, instance_id).pathway_version_id


def _everything(pathway: Pathway) -> dict[str, list]:
    """Every row of every table: what a dry-run must leave as it was."""
    with pathway.runtime.db.reading_connection() as conn:
        return {table.name: sorted(map(tuple, conn.execute(select(table))), key=repr)
                for table in Base.metadata.sorted_tables}


@given(step('outpatient TSB patients "{a}" and "{c}" of "{unit}" and "{b}" of "{other}" had the clinical '
            'decision "{outcome}" on {day:Day}'))
def patients_decided(pathway: Pathway, moving: Moving, a: str, c: str, unit: str, b: str, other: str,
                     outcome: str, day: date) -> None:
    pathway.move_to(day)
    for number, (name, in_unit) in enumerate(((a, unit), (b, other), (c, unit)), start=1):
        instance_id = start_tsb(pathway.runtime, patient=f"P-{number:04d}", received=date(2026, 1, 5), unit=in_unit)
        to_clinical_decision(pathway.runtime, instance_id, assessed=date(2026, 1, 7), attended=date(2026, 1, 12),
                             decided=day, outcome=outcome)
        complete(pathway.runtime, instance_id, "plan_treatment", day, detoxification=False)
        complete(pathway.runtime, instance_id, "treatment_started", day)
        moving.patients[name] = instance_id
    moving.first_version = _version_of(pathway, moving.patients[a])


@given(step('the treatment of "{name}" was evaluated on {day:Day}, after the 7 days of the first evaluation'))
def evaluated_late(pathway: Pathway, moving: Moving, name: str, day: date) -> None:
    pathway.move_to(day)
    complete(pathway.runtime, moving.patients[name], "evaluate_treatment", day, outcome="continue")
    assert indicator(pathway.runtime, moving.patients[name], FIRST_EVALUATION)["status"] == "breached"


@given(step('"{a}" and "{b}" have not had the first evaluation on {day:Day}'))
def not_evaluated(pathway: Pathway, moving: Moving, a: str, b: str, day: date) -> None:
    pathway.move_to(day)
    for name in (a, b):
        assert indicator(pathway.runtime, moving.patients[name], FIRST_EVALUATION)["end_on"] is None


@when(step("the modeller deploys a version where the first evaluation is due within {days:d} days"))
def deploy_changed_limit(pathway: Pathway, moving: Moving, days: int) -> None:
    source = (PATHWAYS_DIR / "tsb_d01.bpmn").read_bytes()
    assert _LIMIT in source
    changed = source.replace(_LIMIT, _LIMIT.replace(b"limit=7", f"limit={days}".encode()))
    moving.new_version = deploy(pathway.runtime.db, pathway.clock, changed, "tsb_d01.bpmn").version_id


@when("the modeller runs a dry-run of moving the pathway's patients to it")
def dry_run(pathway: Pathway, moving: Moving) -> None:
    moving.before_dry_run = _everything(pathway)
    moving.report = migrations.migrate_instances(pathway.runtime, MODELLER, Selection(TSB), to_version_id=None,
                                                 dry_run=True)


@when("the modeller migrates the pathway's patients to the new version")
def migrate_all(pathway: Pathway, moving: Moving) -> None:
    moving.report = migrations.migrate_instances(pathway.runtime, MODELLER, Selection(TSB),
                                                 to_version_id=moving.new_version, dry_run=False)


@when(step('the modeller migrates only the patients of unit "{unit}" to the new version'))
def migrate_unit(pathway: Pathway, moving: Moving, unit: str) -> None:
    moving.report = migrations.migrate_instances(pathway.runtime, MODELLER, Selection(TSB, unit=unit),
                                                 to_version_id=moving.new_version, dry_run=False)


@when(step('the modeller reverts the move of "{name}"'))
def revert(pathway: Pathway, moving: Moving, name: str) -> None:
    outcome = migrations.revert_migration(pathway.runtime, MODELLER, moving.patients[name], dry_run=False)
    assert outcome["ok"] and outcome["to_version_id"] == moving.first_version


@then(step("the dry-run says {count:d} patients can move"))
def dry_run_says(moving: Moving, count: int) -> None:
    assert moving.report["dry_run"] and moving.report["total"] == count and moving.report["moved"] == count
    assert all(item["ok"] and item["code"] is None for item in moving.report["items"])


@then(step('the dry-run says the "first evaluation" deadline of "{name}" moves from {old:Day} to {new:Day}'))
def dry_run_deadline(moving: Moving, name: str, old: date, new: date) -> None:
    [change] = moving.item(name)["deadlines"]
    assert (change["indicator"], change["old_due_on"], change["new_due_on"]) == (FIRST_EVALUATION, old, new)
    assert change["new_status"] == "pending"


@then(step('the dry-run changes no deadline of "{name}"'))
def dry_run_no_change(moving: Moving, name: str) -> None:
    item = moving.item(name)
    assert item["ok"] and item["deadlines"] == []


@then("nothing was written by the dry-run")
def nothing_written(pathway: Pathway, moving: Moving) -> None:
    assert _everything(pathway) == moving.before_dry_run


@then(step("{count:d} patients moved to the new version"))
def moved(pathway: Pathway, moving: Moving, count: int) -> None:
    assert not moving.report["dry_run"] and moving.report["moved"] == count == moving.report["done"]
    assert sum(_version_of(pathway, i) == moving.new_version for i in moving.patients.values()) == count


@then(step('only "{name}" moved to the new version'))
def only_moved(pathway: Pathway, moving: Moving, name: str) -> None:
    assert [i["instance_id"] for i in moving.report["items"]] == [moving.patients[name]]
    on_new = {who for who, i in moving.patients.items() if _version_of(pathway, i) == moving.new_version}
    assert on_new == {name}


@then(step('the "first evaluation" deadline of "{name}" is due on {day:Day} and pending'))
def deadline_pending(pathway: Pathway, moving: Moving, name: str, day: date) -> None:
    row = indicator(pathway.runtime, moving.patients[name], FIRST_EVALUATION)
    assert (row["due_on"], row["status"], row["limit"]) == (day, "pending", 14)


@then(step('the "first evaluation" deadline of "{name}" is still breached, due on {day:Day}'))
def deadline_kept(pathway: Pathway, moving: Moving, name: str, day: date) -> None:
    row = indicator(pathway.runtime, moving.patients[name], FIRST_EVALUATION)
    assert (row["due_on"], row["status"], row["limit"]) == (day, "breached", 7)


@then(step('the "first evaluation" deadline of "{name}" is due on {day:Day}'))
def deadline_due(pathway: Pathway, moving: Moving, name: str, day: date) -> None:
    row = indicator(pathway.runtime, moving.patients[name], FIRST_EVALUATION)
    assert (row["due_on"], row["limit"]) == (day, 7)


@then("each patient who moved has a migration record and an audit row")
def records(pathway: Pathway, moving: Moving) -> None:
    with pathway.runtime.db.reading() as session:
        rows = session.scalars(select(InstanceMigration)).all()
        audits = session.scalars(select(AuditEvent).where(AuditEvent.action == "migrate_instance")).all()
    ids = set(moving.patients.values())
    assert {(r.instance_id, r.from_version_id, r.to_version_id, r.kind, r.migrated_by) for r in rows} == {
        (i, moving.first_version, moving.new_version, "migrate", MODELLER.id) for i in ids}
    assert {(a.instance_id, a.actor) for a in audits} == {(i, MODELLER.id) for i in ids}
    assert all(a.patient_key and a.detail == f"version {moving.first_version} -> {moving.new_version}"
               for a in audits)


@then(step('"{name}" is on the first version again'))
def on_first_version(pathway: Pathway, moving: Moving, name: str) -> None:
    assert _version_of(pathway, moving.patients[name]) == moving.first_version


@then(step('the move of "{name}" is recorded as reverted'))
def recorded_reverted(pathway: Pathway, moving: Moving, name: str) -> None:
    with pathway.runtime.db.reading() as session:
        rows = session.scalars(select(InstanceMigration).where(
            InstanceMigration.instance_id == moving.patients[name]).order_by(InstanceMigration.id)).all()
    assert [(r.kind, r.from_version_id, r.to_version_id, r.reverted_at is not None) for r in rows] == [
        ("migrate", moving.first_version, moving.new_version, True),
        ("revert", moving.new_version, moving.first_version, False)]


@then(step("a {role} who tries to migrate the pathway's patients is refused with \"{code}\""))
def refused_role(pathway: Pathway, moving: Moving, role: str, code: str) -> None:
    for dry in (True, False):
        with pytest.raises(PathwayError) as refused:
            migrations.migrate_instances(pathway.runtime, ROLES[role], Selection(TSB), to_version_id=None,
                                         dry_run=dry)
        assert refused.value.code == code
    assert all(_version_of(pathway, i) == moving.first_version for i in moving.patients.values())
