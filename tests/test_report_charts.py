"""The dashboard's units-over-time chart: a line per unit told apart by dash pattern and a direct label, not by
colour alone, text of at least 12 px, and labels that never collide with each other or with the target's."""

from __future__ import annotations

import re

from api.pages.charts import LABEL_GAP, spread, units_trend_chart
from api.pages.rendering import templates
from engine.reading.compliance import ComplianceRow


def row(unit: str, period: str, share: float | None) -> ComplianceRow:
    shown = share is not None
    return ComplianceRow("tsb_d01", unit, "assessment", "Utredning", period, 8 if shown else None,
                         10 if shown else None, share, 0.8, 0, 0, 10 if shown else None, not shown, False,
                         None if shown else "primary")


def test_spread_keeps_order_and_moves_only_as_far_as_needed():
    assert spread([50.0, 52.0, 200.0, 51.0]) == [50.0, 50.0 + 2 * LABEL_GAP, 200.0, 50.0 + LABEL_GAP]
    assert spread([10.0, 100.0]) == [10.0, 100.0]


def test_a_line_per_unit_with_its_own_dash_and_a_label_clear_of_the_target():
    periods = ["2025-T2", "2025-T3", "2026-T1"]
    # three units ending on or right beside the 80 % target line
    rows = {"DPS Nord": {"2025-T2": row("DPS Nord", "2025-T2", 0.6), "2026-T1": row("DPS Nord", "2026-T1", 0.8)},
            "DPS Sør": {"2025-T3": row("DPS Sør", "2025-T3", 0.81), "2026-T1": row("DPS Sør", "2026-T1", 0.79)},
            "BUP Vest": {"2026-T1": row("BUP Vest", "2026-T1", 0.8)},
            "Tom": {"2026-T1": row("Tom", "2026-T1", None)}}  # suppressed: no line, no label
    chart = units_trend_chart(periods, rows, 0.8)
    assert [line["unit"] for line in chart["lines"]] == ["BUP Vest", "DPS Nord", "DPS Sør"]
    assert len({line["dash"] for line in chart["lines"]}) == 3
    ys = sorted([line["label_y"] for line in chart["lines"]] + [chart["target"]["label_y"]])
    assert all(b - a >= LABEL_GAP for a, b in zip(ys, ys[1:]))
    svg = templates.env.from_string('{% from "report_charts.html" import units_trend_svg with context %}'
                                    "{{ units_trend_svg(s) }}").render(s={"id": "x", "unit_trend": chart})
    assert "<title" in svg and "<desc" in svg and "DPS Nord, DPS Sør" in svg
    assert {int(size) for size in re.findall(r'font-size="(\d+)"', svg)} == {12}
    assert svg.count('class="enhetslinje"') == 3 and svg.count("stroke-dasharray=") >= 3  # two dashed + target
    assert 'data-unit="Tom"' not in svg
    dashboard = open("api/templates/reports.html").read() + open("api/templates/report_charts.html").read()
    assert not re.search(r'font-size="(?:[0-9]|1[01])"', dashboard)  # no text under 12 px on the dashboard
