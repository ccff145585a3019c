"""The seeded demo set (engine/demo/seed.py): a small set on each database, made only through the engine's commands."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.catalogue.definition import FormField
from engine.catalogue.deployment import deploy_directory
from engine.catalogue.parser import load_definition
from engine.db.models import Base, CoordinatorTask, MeasuringPointEvent, PathwayInstance
from engine.demo.seed import (
    MUNICIPAL_UNITS,
    UNITS,
    DatabaseNotEmpty,
    is_standard_specialist_pathway,
    not_walkable,
    seed,
)
from engine.errors import ErrorCode, InvalidInput
from engine.reading.instances import instance_detail
from engine.reading.tasks import TaskFilter, list_tasks
from engine.runtime import PathwayRuntime
from tests.support import PATHWAYS_DIR, start_tsb

TODAY = date(2026, 11, 23)
SMALL = 60
PSEUDONYM = re.compile(r"^[A-Z]{2,10}-[0-9]{4,10}$")


#: A small seed's mix of outcomes is down to chance; this one gives every status a manager reports on, also
#: "overdue" (the default seed's 60 pathways happen to have none since deferrals moved to deferrable deadlines).
SMALL_SEED = 5


def _seed(runtime: PathwayRuntime, pathways: int = SMALL, **kwargs):
    kwargs.setdefault("seed", SMALL_SEED)
    return seed(lambda clock: PathwayRuntime(runtime.db, clock), pathways=pathways, today=TODAY, **kwargs)


def _wipe_and_redeploy(runtime: PathwayRuntime) -> None:
    with runtime.db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    deploy_directory(runtime.db, runtime.clock, PATHWAYS_DIR)


def test_small_seed_spreads_over_units_years_and_statuses(runtime):
    summary = _seed(runtime)

    linked = summary.by_pathway.get("municipal_coordination", 0)
    assert summary.instances == SMALL and summary.linked == linked and not summary.errors and not summary.skipped_pathways
    assert set(summary.by_unit) == set(UNITS) | set(MUNICIPAL_UNITS)
    assert {"tsb_d01", "mental_health_adults_d11", "mental_health_children_d12"} <= set(summary.by_pathway)
    # not a specialist pathway: never started by the walk itself, only by the specialist coordinator's contact
    assert "municipal_coordination" in summary.other_pathways and linked > 0
    # referrals over about two years, up to the last weeks
    assert summary.first_referral <= TODAY - timedelta(days=600)
    assert summary.last_referral >= TODAY - timedelta(days=60)
    # some pathways still running, some closed
    assert summary.by_status.get("active", 0) > 0 and summary.by_status.get("completed", 0) > 0
    # every kind of deadline outcome a manager reports on
    for status in ("met", "breached", "deferred", "overdue"):
        assert summary.indicators.get(status, 0) > 0, (status, summary.indicators)
    assert 0.7 <= summary.met_share <= 0.9, summary.indicators
    assert summary.patient_deferred > 0
    assert summary.open_tasks > 0 and summary.overdue_tasks > 0

    with runtime.db.reading() as session:
        keys = session.scalars(select(PathwayInstance.patient_key)).all()
        children = session.execute(select(PathwayInstance.pathway_key, PathwayInstance.unit)
                                   .where(PathwayInstance.pathway_key == "mental_health_children_d12")).all()
        last_event = session.scalar(select(func.max(MeasuringPointEvent.occurred_on)))
        units_with_open_tasks = set(session.scalars(select(CoordinatorTask.unit)
                                                    .where(CoordinatorTask.status == "open")).all())
    assert all(PSEUDONYM.match(key) for key in keys) and len(set(keys)) == SMALL  # the linked share the key
    assert children and {unit for _, unit in children} == {"BUP Vest"}
    assert TODAY - timedelta(days=7) <= last_event <= TODAY
    assert set(UNITS) <= units_with_open_tasks  # every specialist coordinator's worklist has something


def test_seeded_rows_are_what_the_engine_makes(runtime):
    """The seed only drives the commands: an instance reads back like any other, via the read side."""
    _seed(runtime, pathways=60)  # enough that some task is overdue (30 may leave none, by the draw)
    worklist = list_tasks(runtime.db, TODAY, TaskFilter(overdue=True), limit=5)
    assert worklist["total"] > 0
    view = instance_detail(runtime.db, worklist["items"][0]["instance_id"], TODAY)
    assert view["status"] == "active"
    assert view["measuring_points"][0]["code"] == "referral_received"
    assert any(row["status"] == "overdue" for row in view["indicators"])


def test_same_seed_gives_the_same_data(runtime):
    first = _seed(runtime, pathways=20, seed=7)
    _wipe_and_redeploy(runtime)
    second = _seed(runtime, pathways=20, seed=7)
    fields = ("by_pathway", "by_unit", "by_setting", "by_status", "indicators", "measuring_points",
              "patient_deferred", "open_tasks", "overdue_tasks", "first_referral", "last_referral")
    assert [getattr(first, f) for f in fields] == [getattr(second, f) for f in fields]
    _wipe_and_redeploy(runtime)
    other = _seed(runtime, pathways=20, seed=8)
    assert [getattr(first, f) for f in fields] != [getattr(other, f) for f in fields]


def test_refuses_a_database_with_pathways(runtime, clock):
    start_tsb(runtime, patient="PT-0001", received=clock.now().date())
    with pytest.raises(DatabaseNotEmpty, match="already has pathway instances"):
        _seed(runtime, pathways=5)
    with runtime.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(PathwayInstance)) == 1


def test_engine_errors_stop_one_pathway_not_the_seed(runtime):
    class Flaky(PathwayRuntime):
        calls = 0

        def complete_task(self, task_id, **kwargs):
            Flaky.calls += 1
            if Flaky.calls % 9 == 0:
                raise InvalidInput(ErrorCode.ENGINE_ERROR, "simulated: the pathway could not continue")
            return super().complete_task(task_id, **kwargs)

    summary = seed(lambda clock: Flaky(runtime.db, clock), pathways=20, today=TODAY)
    assert sum(summary.errors.values()) > 0 and summary.instances > 0


def test_which_pathways_are_walked():
    definitions = {path.stem: load_definition(path.read_bytes(), path.name) for path in PATHWAYS_DIR.glob("*.bpmn")}
    assert is_standard_specialist_pathway(definitions["tsb_d01"]) and not_walkable(definitions["tsb_d01"]) is None
    assert not is_standard_specialist_pathway(definitions["municipal_coordination"])
    tsb = definitions["tsb_d01"]
    odd = dataclasses.replace(tsb.tasks["first_attendance"],
                              form=(FormField("signature", "Signatur", "file", required=True),))
    broken = dataclasses.replace(tsb, tasks={**tsb.tasks, "first_attendance": odd})
    assert "cannot fill the required field 'signature'" in not_walkable(broken)
