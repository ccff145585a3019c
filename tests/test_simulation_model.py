"""The what-if model on the shipped pathway files: enough capacity meets nearly every deadline, too little makes
compliance fall month by month, and a seed gives the same answer in one process or two."""

from __future__ import annotations

import json

import pytest

from engine.simulation import results
from engine.simulation.runner import BASELINE, directory_sources, simulate
from engine.simulation.scenario import load_scenario
from tests.support import PATHWAYS_DIR

#: OCD: the first attendance within 42 days of the referral, and the assessment within 56 days of it.
OCD = """
name = "OCD in DPS Nord"
start = 2026-01-05
weeks = {weeks}

[[streams]]
pathway = "ocd"
unit = "DPS Nord"
referrals_per_week = {referrals}

[steps.default]
delay = {{ distribution = "uniform", low = 0, high = 4 }}

[steps.first_attendance]
delay = {{ distribution = "uniform", low = 1, high = 10 }}
no_show_share = 0.05
rebook_delay = {{ distribution = "fixed", value = 3 }}

[[capacity]]
unit = "DPS Nord"
step = "first_attendance"
per_week = {capacity}

[variants.half_capacity]
capacity_factor = 0.5
"""


@pytest.fixture(scope="module")
def sources():
    return directory_sources(PATHWAYS_DIR)


def _scenario(weeks: int = 20, referrals: float = 4, capacity: float = 1000):
    return load_scenario(OCD.format(weeks=weeks, referrals=referrals, capacity=capacity))


def _shares(rows: list[results.ResultRow], indicator: str) -> list[float]:
    return [r.share_median for r in rows if r.indicator == indicator and r.share_median is not None
            and r.variant == BASELINE]


def test_unlimited_capacity_meets_nearly_every_deadline(sources):
    runs = simulate(_scenario(), sources, variants=[], replications=2, seed=3, workers=1)
    assert all(run.pathways > 50 and not run.errors for run in runs)
    rows = results.deadline_rows(runs, "tertial")
    met = sum(r.share_median * r.denominator_median for r in rows if r.share_median is not None)
    counted = sum(r.denominator_median for r in rows if r.share_median is not None)
    assert counted > 100
    assert met / counted >= 0.97
    assert min(_shares(rows, "first_attendance")) >= 0.97
    step = next(s for s in results.step_rows(runs) if s.step == "first_attendance")
    assert step.slot_wait_days_median == pytest.approx(0, abs=1)  # a slot is there the same or the next day


def test_capacity_below_the_referrals_makes_compliance_fall_over_time(sources):
    # 6 referrals a week, 4 first attendances: the queue grows by two a week until the waits pass 42 days
    runs = simulate(_scenario(weeks=30, referrals=6, capacity=4), sources, variants=[], replications=1, seed=3,
                    workers=1)
    monthly = _shares(results.deadline_rows(runs, "month"), "first_attendance")
    assert len(monthly) >= 6
    assert monthly[0] >= 0.9
    assert sum(monthly[-2:]) / 2 < 0.3
    step = next(s for s in results.step_rows(runs) if s.step == "first_attendance")
    assert step.queue_max > 20


def test_a_variant_with_less_capacity_meets_fewer_deadlines(sources):
    runs = simulate(_scenario(weeks=20, referrals=4, capacity=5), sources, variants=["half_capacity"],
                    replications=1, seed=3, workers=1)
    rows = [r for r in results.deadline_rows(runs, "tertial") if r.indicator == "first_attendance"]
    by_variant = {v: [r.share_median for r in rows if r.variant == v] for v in (BASELINE, "half_capacity")}
    assert min(by_variant[BASELINE]) > max(by_variant["half_capacity"])
    # the same referrals in both: the variant's own field made the difference, not its luck
    assert runs[0].pathways == runs[1].pathways


def test_the_same_seed_gives_the_same_answer_in_one_process_or_two(sources):
    scenario = _scenario(weeks=8)
    seen = []
    one = simulate(scenario, sources, variants=[], replications=2, seed=11, workers=1,
                   progress=lambda done, total: seen.append((done, total)))
    two = simulate(scenario, sources, variants=[], replications=2, seed=11, workers=2)
    other = simulate(scenario, sources, variants=[], replications=2, seed=12, workers=1)
    assert seen == [(1, 2), (2, 2)]
    assert [r.deadlines for r in one] == [r.deadlines for r in two]
    assert [r.steps for r in one] == [r.steps for r in two]
    assert [r.deadlines for r in one] != [r.deadlines for r in other]
    assert one[0].deadlines != one[1].deadlines  # each replication has its own seed


def test_the_answer_as_csv_json_and_table(sources):
    runs = simulate(_scenario(weeks=6), sources, variants=["half_capacity"], replications=2, seed=1, workers=1)
    rows, steps = results.deadline_rows(runs), results.step_rows(runs)
    csv_text = results.to_csv(rows)
    assert csv_text.splitlines()[0].startswith("variant,pathway,indicator,label,unit,period,target,share_median")
    assert len(csv_text.splitlines()) == len(rows) + 1
    answer = json.loads(results.to_json(rows, steps, runs))
    assert {r["variant"] for r in answer["deadlines"]} == {BASELINE, "half_capacity"}
    assert len(answer["replications"]) == 4
    lines = results.table_lines(rows, steps)
    assert any("first_attendance" in line and "half_capacity" in line for line in lines)
