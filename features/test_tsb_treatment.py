"""Detoxification → treatment, first evaluation and the interval between evaluations (TSB, D01)."""

from __future__ import annotations

from datetime import date

from pytest_bdd import scenarios, when

from features.conftest import Pathway, step

scenarios("tsb_treatment.feature")


@when(step('the last evaluation is corrected to {day:Day} because "{reason}"'))
def evaluation_corrected(pathway: Pathway, day: date, reason: str) -> None:
    evaluations = [m for m in pathway.detail()["measuring_points"] if m["code"] == "evaluation" and not m["undone"]]
    pathway.runtime.correct_event_date(pathway.instance_id, evaluations[-1]["id"], occurred_on=day, reason=reason,
                                       actor="koordinator")
