"""The dashboard's overview (indicators × units for the current tertial) and a cell's drill-down: the shapes the
templates draw, from `engine.actions.reports.compliance_report` rows. Counts only, never a patient key."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from engine.reading.compliance import SUPPRESS_BELOW, ComplianceRow, goal, reaches_goal

from .labels import percent

SUPPRESSED_CELL = {"primary": f"skjult – færre enn {SUPPRESS_BELOW} forløp",
                   "complementary": "skjult – hindrer tilbakeregning"}


def drill_link(pathway: str, indicator: str, unit: str | None) -> str:
    return "/rapporter/forlopstid?" + urlencode({"pathway": pathway, "indicator": indicator, "unit": unit or ""})


def cell(row: ComplianceRow | None, pathway: str, indicator: str, unit: str | None) -> dict[str, Any]:
    """One matrix cell: what it says in words (never colour alone), its state for the colour and icon, n."""
    link = drill_link(pathway, indicator, unit)
    if row is None:
        return {"state": "tom", "text": "ingen målinger", "n": None, "link": link}
    if row.suppressed:
        return {"state": "skjult", "text": SUPPRESSED_CELL[row.suppression or "primary"], "n": None, "link": link}
    if row.share is None:
        return {"state": "tom", "text": "ingen i nevneren", "n": row.denominator, "link": link}
    reached = reaches_goal(row)
    return {"state": "over" if reached else "under", "n": row.denominator, "link": link,
            "text": f"{percent(row.share)} – {'nådd målet' if reached else 'under målet'}"}


def matrix(rows: list[ComplianceRow], totals: list[ComplianceRow], names: dict[str, str],
           units: list[str]) -> list[dict[str, Any]]:
    """One line per pathway and indicator of the current tertial: a cell per unit, then the all-units total."""
    by_cell = {(r.pathway_key, r.indicator_key, r.unit): r for r in rows}
    total = {(r.pathway_key, r.indicator_key): r for r in totals}
    lines = []
    for (pathway, indicator), row in sorted(total.items()):
        lines.append({"pathway": pathway, "pathway_name": names.get(pathway, pathway), "indicator": indicator,
                      "label": row.label, "goal": goal(row.target), "own_target": row.target is not None,
                      "cells": [cell(by_cell.get((pathway, indicator, u)), pathway, indicator, u) for u in units],
                      "total": cell(row, pathway, indicator, None)})
    return lines


def breach_counts(rows: list[ComplianceRow]) -> list[dict[str, Any]]:
    """Per period: how many met, breached, were still overdue and patient-deferred (counts; none when hidden)."""
    result = []
    for row in sorted(rows, key=lambda r: r.period):
        shown = not row.suppressed and row.denominator is not None
        breached = row.denominator - row.numerator - row.overdue if shown else None
        result.append({"period": row.period, "row": row, "breached": breached,
                       "hidden": SUPPRESSED_CELL[row.suppression or "primary"] if row.suppressed else None})
    return result
