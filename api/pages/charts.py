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


#: Each unit's line has its own dash pattern (and its name at its end), so no line is told apart by colour alone.
DASHES = ("", "9 5", "2 4", "12 4 2 4", "5 3 1 3")
LINE_COLOURS = ("#1f4e79", "#7a4b00", "#2e6b30", "#5b2a86", "#3a3a3a")
UNITS_PAD_R = 120  # the right margin holds the units' names and the target's label
LABEL_GAP = 15  # px between two labels' baselines: 12 px text does not overlap


def spread(ys: list[float], gap: float = LABEL_GAP) -> list[float]:
    """The labels' y positions, in the given order, moved down just enough that no two are closer than `gap`."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = list(ys)
    for before, index in zip(order, order[1:]):
        placed[index] = max(placed[index], placed[before] + gap)
    return placed


def units_trend_chart(periods: list[str], rows: dict[str, dict[str, ComplianceRow]],
                      target: float | None) -> dict[str, Any]:
    """Geometry of one chart with a line per unit (share per period), each line dashed its own way and named at
    its right end; the names and the target's label are spread so none collides with another."""
    right = TREND_W - UNITS_PAD_R
    step = (right - PAD_L) / max(1, len(periods) - 1)
    xs = {p: PAD_L + (i * step if len(periods) > 1 else (right - PAD_L) / 2) for i, p in enumerate(periods)}
    lines = []
    for i, (unit, by_period) in enumerate(sorted(rows.items())):
        points = [(round(xs[p], 1), round(_axis_y(r.share), 1)) for p, r in sorted(by_period.items())
                  if p in xs and r.share is not None]
        if points:
            lines.append({"unit": unit, "points": " ".join(f"{x},{y}" for x, y in points), "end_y": points[-1][1],
                          "dash": DASHES[i % len(DASHES)], "colour": LINE_COLOURS[i % len(LINE_COLOURS)]})
    labels = [line["end_y"] for line in lines] + ([_axis_y(target)] if target is not None else [])
    placed = spread(labels)
    for line, y in zip(lines, placed):
        line["label_y"] = round(y + 4, 1)
    every = max(1, math.ceil(len(periods) / 12))
    return {"width": TREND_W, "height": TREND_H, "left": PAD_L, "right": right, "bottom": _axis_y(0),
            "grid": [{"y": _axis_y(v / 100), "label": f"{v} %"} for v in range(0, 101, 20)], "lines": lines,
            "ticks": [{"x": x, "label": p} for i, (p, x) in enumerate(xs.items()) if i % every == 0],
            "target": None if target is None else {"y": _axis_y(target), "label": percent(target),
                                                  "label_y": round(placed[-1] + 4, 1)}}
