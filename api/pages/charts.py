"""The geometry of the dashboard's inline SVG charts (no JavaScript): a trend line of the share per period and
horizontal bars per unit, both against the target as a dashed line."""

from __future__ import annotations

import math
from typing import Any

from engine.reading.compliance import ComplianceRow

from .labels import percent

TREND_W, TREND_H = 640, 260
PAD_L, PAD_R, PAD_T, PAD_B = 52, 84, 18, 46  # the target line is labelled in the right margin, clear of the points
BAR_H, BAR_GAP, UNITS_W, UNITS_LABEL_W = 26, 12, 640, 150


def _axis_y(share: float, height: int = TREND_H) -> float:
    return PAD_T + (1 - share) * (height - PAD_T - PAD_B)


def trend_chart(periods: list[str], rows: dict[str, ComplianceRow], target: float | None) -> dict[str, Any]:
    """Geometry of a line chart of the share per period (0–100 %), with the target as a dashed line."""
    inner_w = TREND_W - PAD_L - PAD_R
    step = inner_w / max(1, len(periods) - 1) if len(periods) > 1 else 0
    every = max(1, math.ceil(len(periods) / 12))
    points, segments, current = [], [], []
    ticks = []
    for i, period in enumerate(periods):
        x = PAD_L + (i * step if len(periods) > 1 else inner_w / 2)
        ticks.append({"x": x, "label": period, "show": i % every == 0 or i == len(periods) - 1})
        row = rows.get(period)
        if row is None or row.share is None:
            if current:
                segments.append(current)
                current = []
            if row is not None:
                points.append({"x": x, "y": _axis_y(0) - 8, "period": period, "suppressed": row.suppressed,
                               "row": row})
            continue
        y = _axis_y(row.share)
        current.append((round(x, 1), round(y, 1)))
        points.append({"x": x, "y": y, "period": period, "suppressed": False, "row": row})
    if current:
        segments.append(current)
    grid = [{"y": _axis_y(v / 100), "label": f"{v} %"} for v in range(0, 101, 20)]
    return {"width": TREND_W, "height": TREND_H, "left": PAD_L, "right": TREND_W - PAD_R, "bottom": _axis_y(0),
            "grid": grid, "ticks": ticks, "points": points, "show_values": len(periods) <= 12,
            "lines": [" ".join(f"{x},{y}" for x, y in seg) for seg in segments],
            "target": None if target is None else {"y": _axis_y(target), "label": percent(target)}}


def units_chart(rows: list[ComplianceRow], target: float | None) -> dict[str, Any]:
    """Geometry of horizontal bars, one per unit, for one period (0–100 %), with the target as a dashed line."""
    left, right = UNITS_LABEL_W, UNITS_W - 110
    width = right - left
    bars = []
    for i, row in enumerate(sorted(rows, key=lambda r: r.unit or "")):
        y = 10 + i * (BAR_H + BAR_GAP)
        bars.append({"y": y, "label": row.unit or "Alle enheter", "row": row,
                     "w": 0 if row.share is None else round(row.share * width, 1), "text_y": y + BAR_H / 2 + 5})
    height = 10 + len(bars) * (BAR_H + BAR_GAP) + 28
    return {"width": UNITS_W, "height": height, "left": left, "right": right, "bar_h": BAR_H, "bars": bars,
            "axis_y": height - 22, "grid": [{"x": left + width * v / 100, "label": f"{v} %"} for v in (0, 50, 100)],
            "target": None if target is None else {"x": left + width * target, "label": percent(target)}}
