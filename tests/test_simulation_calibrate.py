"""Calibrating a scenario from the demo set's registered measuring points, simulating the deployed pathways, and
the back-test against the compliance report — on SQLite and PostgreSQL, and never writing a row."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.cli import main as cli_main
from engine.db.models import Base
from engine.demo import seed as demo
from engine.errors import InvalidInput
from engine.runtime import PathwayRuntime
from engine.simulation.backtest import backtest
from engine.simulation.calibrate import calibrate
from engine.simulation.runner import deployed_sources, simulate

TODAY = date(2026, 11, 23)
FIRST_YEAR = (TODAY - timedelta(days=729), TODAY - timedelta(days=365))
ADULT = ["DPS Nord", "DPS Sør"]
PATHWAYS = ["mental_health_adults_d11", "tsb_d01"]


@pytest.fixture
def history(runtime, monkeypatch):
    """Two years of demo history in the adult units, on two pathways only, so a small set has groups of 5+."""
    monkeypatch.setattr(demo, "PATHWAY_WEIGHTS", {key: (50 if key in PATHWAYS else 0) for key in demo.PATHWAY_WEIGHTS})
    monkeypatch.setattr(demo, "OTHER_WEIGHT", 0)
    demo.seed(lambda clock: PathwayRuntime(runtime.db, clock), pathways=60, years=2, today=TODAY, seed=5)
    return runtime.db


def _row_counts(db) -> dict[str, int]:
    with db.reading() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_calibrate_simulate_backtest_and_the_cli_read_only(history, tmp_path, monkeypatch, capsys):
    before = _row_counts(history)
    scenario, notes = calibrate(history, units=ADULT, pathways=PATHWAYS, start=FIRST_YEAR[0], end=FIRST_YEAR[1],
                                weeks=20)
    assert {(s.pathway, s.unit) for s in scenario.streams} <= {(p, u) for p in PATHWAYS for u in ADULT}
    assert scenario.start == FIRST_YEAR[1] + timedelta(days=1)
    total = sum(s.referrals_per_week for s in scenario.streams) * 52
    assert 15 < total < 45  # about half of the 60 referrals fall in the first year
    assert scenario.steps["assess_referral"].delay.distribution == "empirical"
    assert sum(scenario.outcomes["assess_referral.outcome"].values()) >= 5
    assert any(c.step == "first_attendance" for c in scenario.capacity)
    assert any("no_show_share" in n for n in notes)
    assert any(s.municipal_named_share > 0 for s in scenario.streams)  # the demo names one in 40 % of referrals

    runs = simulate(scenario, deployed_sources(history), replications=1, seed=2, workers=1)
    assert {r.variant for r in runs} == {"baseline", "capacity_minus_20", "referrals_plus_15"}
    assert all(r.pathways > 0 and r.completions > 0 for r in runs)

    result = backtest(history, units=ADULT, pathways=PATHWAYS, start=FIRST_YEAR[0], end=FIRST_YEAR[1],
                      replications=2, workers=1, by_unit=False)
    print("\n".join(result.lines()))  # the back-test's error, shown by `pytest -s`
    assert result.compared
    assert all(-100 <= r.error <= 100 for r in result.compared)
    assert result.mean_absolute_error is not None and math.isfinite(result.mean_absolute_error)
    assert result.mean_absolute_error < 50  # not a bound on quality: a broken model lands near 0 % or 100 %

    monkeypatch.setenv("PATHWAYS_DATABASE_URL", history.url)
    scenario_file = tmp_path / "scenario.toml"
    args = ["--unit", ADULT[0], "--unit", ADULT[1], "--pathway", PATHWAYS[0], "--pathway", PATHWAYS[1],
            "--from", FIRST_YEAR[0].isoformat(), "--to", FIRST_YEAR[1].isoformat()]
    assert cli_main(["calibrate", *args, "--weeks", "12", "-o", str(scenario_file)]) == 0
    assert "scenario written" in capsys.readouterr().out
    assert scenario_file.read_text(encoding="utf-8").startswith("# Calibrated from the registered measuring points")
    assert cli_main(["calibrate", *args, "--backtest", "--all-units", "--replications", "1", "--workers", "1"]) == 0
    assert "mean absolute error" in capsys.readouterr().out
    assert cli_main(["simulate", str(scenario_file), "--variant", "capacity_minus_20", "--replications", "1",
                     "--workers", "1", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("variant,pathway,indicator")
    assert "capacity_minus_20" in captured.out and "referrals_plus_15" not in captured.out
    assert "2 replication(s)" in captured.err
    scenario_file.write_text("name = 'x'\nstart = 2026-01-05\nweeks = 0\n", encoding="utf-8")
    assert cli_main(["simulate", str(scenario_file)]) == 1
    err = capsys.readouterr().err
    assert "weeks: Input should be greater than or equal to 1" in err and "streams: Field required" in err
    assert _row_counts(history) == before


def test_calibrate_without_history_says_so(runtime):
    with pytest.raises(InvalidInput, match="nothing to calibrate from"):
        calibrate(runtime.db, units=["DPS Nord"], pathways=["ocd"], start=date(2025, 1, 1), end=date(2025, 6, 30))
