"""The what-if scenario file: every bad field named by its path, variants laid over the baseline, and a calibrated
scenario written as TOML reads back the same."""

from __future__ import annotations

import random

import pytest

from engine.errors import ErrorCode, FieldCode, InvalidInput
from engine.simulation.calibrate import scenario_toml
from engine.simulation.runner import check_against, definitions, directory_sources
from engine.simulation.scenario import Distribution, load_scenario
from tests.support import PATHWAYS_DIR

GOOD = """
name = "DPS Nord"
start = 2026-01-05
weeks = 10

[[streams]]
pathway = "ocd"
unit = "DPS Nord"
referrals_per_week = 4

[steps.first_attendance]
delay = { distribution = "lognormal", mean = 5, sd = 2 }

[[capacity]]
unit = "DPS Nord"
step = "first_attendance"
per_week = 5

[variants.capacity_minus_20]
capacity_factor = 0.8

[variants.slower]
steps = { first_attendance = { no_show_share = 0.1 } }
"""


def _problems(text: str) -> dict[str, tuple[FieldCode, str]]:
    with pytest.raises(InvalidInput) as caught:
        load_scenario(text)
    assert caught.value.code == ErrorCode.SCENARIO_INVALID
    return {p.field: (p.code, p.message) for p in caught.value.fields}


def test_a_good_scenario_and_its_variants():
    scenario = load_scenario(GOOD)
    assert scenario.capacity_of("DPS Nord", "first_attendance") == 5
    assert scenario.capacity_of("DPS Nord", "evaluate_treatment") is None
    smaller = scenario.variant("capacity_minus_20")
    assert smaller.capacity_of("DPS Nord", "first_attendance") == pytest.approx(4)
    slower = scenario.variant("slower")
    # a table in a variant is merged: the step keeps its delay and gets the no-show share
    assert slower.step("first_attendance").no_show_share == 0.1
    assert slower.step("first_attendance").delay.mean == 5
    assert slower.name == "DPS Nord – slower"


def test_each_bad_field_is_named_by_its_path():
    text = GOOD.replace("referrals_per_week = 4", "referrals_per_week = -1\ncolour = 'red'") \
               .replace("weeks = 10", "") \
               .replace('mean = 5, sd = 2', 'mean = 5')
    problems = _problems(text)
    assert problems["weeks"][0] == FieldCode.REQUIRED
    assert problems["streams[0].referrals_per_week"][0] == FieldCode.VALUE_INVALID
    assert "greater than or equal to 0" in problems["streams[0].referrals_per_week"][1]
    assert problems["streams[0].colour"][0] == FieldCode.UNKNOWN
    assert "needs sd" in problems["steps.first_attendance.delay"][1]


def test_not_toml_and_bad_variants_are_refused_when_read():
    with pytest.raises(InvalidInput, match="not valid TOML"):
        load_scenario("name = ")
    problems = _problems(GOOD + "\n[variants.wrong]\ncapacity_factor = 0\n")
    assert list(problems) == ["variants.wrong.capacity_factor"]
    with pytest.raises(InvalidInput, match="has no variant 'missing'"):
        load_scenario(GOOD).variant("missing")


def test_too_large_a_run_is_refused_with_the_bound():
    problems = _problems(GOOD.replace("weeks = 10", "weeks = 260").replace("referrals_per_week = 4",
                                                                          "referrals_per_week = 500"))
    assert "at most 50,000" in problems["(scenario)"][1]


def test_names_the_pathways_and_steps_do_not_have():
    defs = definitions(directory_sources(PATHWAYS_DIR))
    scenario = load_scenario(GOOD.replace('step = "first_attendance"', 'step = "first_attendence"')
                             .replace('pathway = "ocd"', 'pathway = "ocd"\nseverity = { serious = 1 }'))
    with pytest.raises(InvalidInput) as caught:
        check_against(scenario, defs)
    fields = {p.field for p in caught.value.fields}
    assert fields == {"capacity[0].step", "streams[0].severity.serious"}


def test_a_scenario_written_as_toml_reads_back_the_same():
    scenario = load_scenario(GOOD + '\n[outcomes."assess_referral.outcome"]\nright_to_care = 9\nno_right_to_care = 1\n')
    again = load_scenario(scenario_toml(scenario, ["a comment"]))
    assert again == scenario


@pytest.mark.parametrize("spec, low, high", [
    ({"distribution": "fixed", "value": 3}, 3, 3),
    ({"distribution": "uniform", "low": 2, "high": 4}, 2, 4),
    ({"distribution": "triangular", "low": 1, "mode": 2, "high": 5}, 1, 5),
    ({"distribution": "empirical", "values": [0, 1, 10]}, 0, 10),
])
def test_distributions_draw_within_their_bounds(spec, low, high):
    rng = random.Random(3)
    draws = [Distribution(**spec).draw(rng) for _ in range(200)]
    assert low <= min(draws) and max(draws) <= high


def test_a_lognormal_keeps_the_mean_and_spread_of_the_days():
    rng = random.Random(5)
    draws = [Distribution(distribution="lognormal", mean=10, sd=4).draw(rng) for _ in range(20_000)]
    mean = sum(draws) / len(draws)
    sd = (sum((d - mean) ** 2 for d in draws) / len(draws)) ** 0.5
    assert mean == pytest.approx(10, rel=0.03) and sd == pytest.approx(4, rel=0.08)
