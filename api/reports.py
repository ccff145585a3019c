"""Compliance reports (etterlevelse av forløpstidene): the JSON and CSV API and the managers' dashboard page.

`GET /reports/compliance` (JSON), `GET /reports/compliance.csv` (CSV download) and the page `/rapporter` call
one function, `report()`, with the same parameters, so they always show the same numbers. The figures come from
engine.reading.compliance (one GROUP BY over the indicator measurements; counting rule and suppression documented
there): aggregates only, never a patient key.

Who may read them:
- manager (leder) and admin: every unit;
- coordinator: only their own units (the figures of other units are not theirs to follow up; a `unit` filter
  naming another unit gives no rows);
- modeller: 403 (no operational figures).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from engine.access.policy import require_role
from engine.access.principals import ADMIN, COORDINATOR, MANAGER, Principal
from engine.reading import compliance as comp
from engine.reading import queries
from engine.runtime import PathwayRuntime

from . import web
from .security import Auth

REPORT_ROLES = (MANAGER, ADMIN, COORDINATOR)


def _runtime(request: Request) -> PathwayRuntime:
    return request.app.state.runtime


Runtime = Annotated[PathwayRuntime, Depends(_runtime)]


def report(runtime: PathwayRuntime, user: Principal, *, period: str, start: date | None, end: date | None,
           pathway: str | None, unit: str | None, indicator: str | None, by_unit: bool) -> list[comp.ComplianceRow]:
    """The compliance rows this user may read: coordinators only their own units."""
    require_role(user, *REPORT_ROLES)
    units = user.units if user.role == COORDINATOR else None
    return comp.compliance(runtime.db, today=runtime.today(), period=period, start=start, end=end, pathway=pathway,
                           unit=unit, indicator=indicator, units=units, by_unit=by_unit)


def row_json(row: comp.ComplianceRow) -> dict[str, Any]:
    return {"pathway": row.pathway_key, "unit": row.unit, "indicator": row.indicator_key, "label": row.label,
            "period": row.period, "numerator": row.numerator, "denominator": row.denominator, "share": row.share,
            "target": row.target, "deferred": row.deferred, "overdue": row.overdue, "pathways": row.pathways,
            "suppressed": row.suppressed, "unconfirmed": row.unconfirmed}


# ---- the API ------------------------------------------------------------------------------------------------


class ComplianceRowOut(BaseModel):
    pathway: str
    unit: str | None = Field(description="None when the units are added together (by_unit=false)")
    indicator: str
    label: str
    period: str = Field(description='"2026-03" (month) or "2026-T1" (tertial)')
    numerator: int | None = Field(description="met; None when suppressed")
    denominator: int | None = Field(description="met + breached + still overdue; None when suppressed")
    share: float | None = Field(description="numerator / denominator (0–1); None when suppressed or no denominator")
    target: float | None = Field(description="the indicator's target share (0–1)")
    deferred: int | None = Field(description="patient-deferred overruns, not in the denominator")
    overdue: int | None = Field(description="still open past the due date (in the denominator)")
    pathways: int | None = Field(description="distinct pathways in the denominator")
    suppressed: bool = Field(description="fewer than 5 pathways: the counts are hidden")
    unconfirmed: bool = Field(description="the indicator has a value not confirmed in a primary source")


class ComplianceOut(BaseModel):
    today: date
    period: str
    start: date | None = Field(alias="from")
    end: date | None = Field(alias="to")
    by_unit: bool
    suppress_below: int
    rows: list[ComplianceRowOut]

    model_config = {"populate_by_name": True}


class ReportParams:
    def __init__(self,
                 period: Annotated[Literal["month", "tertial"], Query(description="month or tertial")] = "tertial",
                 start: Annotated[date | None, Query(alias="from", description="first day (its whole period)")] = None,
                 end: Annotated[date | None, Query(alias="to", description="last day (its whole period)")] = None,
                 pathway: str | None = None, unit: str | None = None, indicator: str | None = None,
                 by_unit: bool = True):
        self.period, self.start, self.end = period, start, end
        self.pathway, self.unit, self.indicator, self.by_unit = pathway or None, unit or None, indicator or None, by_unit

    def rows(self, runtime: PathwayRuntime, user: Principal) -> list[comp.ComplianceRow]:
        return report(runtime, user, period=self.period, start=self.start, end=self.end, pathway=self.pathway,
                      unit=self.unit, indicator=self.indicator, by_unit=self.by_unit)


Params = Annotated[ReportParams, Depends()]
ERRORS = {401: {"description": "not logged in"}, 403: {"description": "role without reports"},
          422: {"description": "invalid parameters"}}

router = APIRouter(tags=["reports"])


@router.get("/reports/compliance", response_model=ComplianceOut, response_model_by_alias=True, responses=ERRORS,
            summary="Compliance with the deadline indicators per pathway, indicator, unit and period")
def compliance_json(runtime: Runtime, user: Auth, params: Params):
    rows = params.rows(runtime, user)
    return {"today": runtime.today(), "period": params.period, "from": params.start, "to": params.end,
            "by_unit": params.by_unit, "suppress_below": comp.SUPPRESS_BELOW, "rows": [row_json(r) for r in rows]}


@router.get("/reports/compliance.csv", responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
            response_class=Response, summary="The same report as CSV (a download)")
def compliance_csv(runtime: Runtime, user: Auth, params: Params,
                   delimiter: Annotated[Literal[",", ";"], Query(description="; for a decimal-comma spreadsheet")] = ","):
    rows = params.rows(runtime, user)
    filename = f"etterlevelse-{params.period}-{runtime.today().isoformat()}.csv"
    return Response(comp.to_csv(rows, delimiter=delimiter), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


# ---- the dashboard page -------------------------------------------------------------------------------------

PERIOD_LABELS = {"tertial": "Tertial", "month": "Måned"}
TREND_W, TREND_H = 640, 260
PAD_L, PAD_R, PAD_T, PAD_B = 52, 84, 18, 46  # the target line is labelled in the right margin, clear of the points


def _axis_y(share: float, height: int = TREND_H) -> float:
    return PAD_T + (1 - share) * (height - PAD_T - PAD_B)


def trend_chart(periods: list[str], rows: dict[str, comp.ComplianceRow], target: float | None) -> dict[str, Any]:
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
            "target": None if target is None else {"y": _axis_y(target), "label": web._percent(target)}}


BAR_H, BAR_GAP, UNITS_W, UNITS_LABEL_W = 26, 12, 640, 150


def units_chart(rows: list[comp.ComplianceRow], target: float | None) -> dict[str, Any]:
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
            "target": None if target is None else {"x": left + width * target, "label": web._percent(target)}}


def _parse_date(raw: str, name: str, problems: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f"Ugyldig {name}dato «{raw}». Bruk formatet åååå-mm-dd.")
        return None


def _default_start(today: date, period: str) -> date:
    """The first day of the period two years back: the demo data's span."""
    return comp.period_bounds(date(today.year - 2, today.month, 1), period)[0]


#: The page answers with HTML errors and the log-in redirect, like the other pages.
pages = APIRouter(route_class=web.PageRoute, include_in_schema=False)


@pages.get("/rapporter", response_class=Response)
def dashboard(request: Request, runtime: web.Runtime, user: web.User, period: str = "tertial",
              from_: Annotated[str, Query(alias="from")] = "", to: str = "", pathway: str | None = None,
              unit: str = "", indicator: str = "", by_unit: str = "true"):
    require_role(user, *REPORT_ROLES)
    today = runtime.today()
    problems: list[str] = []
    if period not in comp.PERIODS:
        problems.append("Ukjent periode; viser tertialer.")
        period = "tertial"
    start = _parse_date(from_, "fra-", problems) or _default_start(today, period)
    end = _parse_date(to, "til-", problems) or today
    if start > end:
        problems.append("Fra-datoen er etter til-datoen; viser to år tilbake.")
        start, end = _default_start(today, period), today
    per_unit = by_unit.lower() not in ("false", "0", "nei", "off")
    catalogue = queries.list_pathways(runtime.db)
    names = {p["key"]: p["name"] for p in catalogue}

    everything = report(runtime, user, period=period, start=start, end=end, pathway=None, unit=None,
                        indicator=None, by_unit=True)
    known_units = sorted({r.unit for r in everything if r.unit})
    if pathway is None:  # first visit: the pathway with the most pathways counted
        sizes: dict[str, int] = {}
        for r in everything:
            sizes[r.pathway_key] = sizes.get(r.pathway_key, 0) + (r.pathways or 0)
        pathway = max(sizes, key=lambda k: (sizes[k], k)) if sizes else ""
    chosen_pathway = None if pathway in ("", "alle") else pathway
    params = dict(period=period, start=start, end=end, pathway=chosen_pathway, unit=unit or None,
                  indicator=indicator or None)
    rows = report(runtime, user, by_unit=per_unit, **params)
    totals = rows if not per_unit else report(runtime, user, by_unit=False, **params)

    query = {"period": period, "from": start.isoformat(), "to": end.isoformat(), "pathway": chosen_pathway or "",
             "unit": unit, "indicator": indicator, "by_unit": "true" if per_unit else "false"}
    query = {k: v for k, v in query.items() if v}
    periods = comp.periods_between(start, end, period)
    sections = []
    groups: dict[tuple[str, str], list[comp.ComplianceRow]] = {}
    for row in rows:
        groups.setdefault((row.pathway_key, row.indicator_key), []).append(row)
    total_groups: dict[tuple[str, str], dict[str, comp.ComplianceRow]] = {}
    for row in totals:
        total_groups.setdefault((row.pathway_key, row.indicator_key), {})[row.period] = row
    for (pathway_key, indicator_key), group in groups.items():
        target = next((r.target for r in group if r.target is not None), None)
        # the units side by side: the latest period with figures to show (the current one may be all "<5")
        shown = [r.period for r in group if not r.suppressed]
        latest = max(shown) if shown else max(r.period for r in group)
        sections.append({
            "id": f"{pathway_key}-{indicator_key}", "pathway": pathway_key,
            "pathway_name": names.get(pathway_key, pathway_key), "indicator": indicator_key,
            "label": group[0].label, "target": target, "unconfirmed": any(r.unconfirmed for r in group),
            "rows": sorted(group, key=lambda r: (r.period, r.unit or "")), "latest": latest,
            "trend": trend_chart(periods, total_groups.get((pathway_key, indicator_key), {}), target),
            "units": units_chart([r for r in group if r.period == latest], target) if per_unit else None,
        })
    indicator_choices = sorted({(i["key"], i["label"]) for p in catalogue
                                if chosen_pathway in (None, p["key"]) for i in p["indicators"]},
                               key=lambda c: c[1])
    return web.render(request, "reports.html", sections=sections, problems=problems, periods=periods,
                      period=period, period_labels=PERIOD_LABELS, start=start, end=end, pathway=pathway or "alle",
                      unit=unit, indicator=indicator, per_unit=per_unit, catalogue=catalogue,
                      units=known_units if user.role != COORDINATOR else list(user.units),
                      indicator_choices=indicator_choices, today=today, suppress_below=comp.SUPPRESS_BELOW,
                      csv_link="/reports/compliance.csv?" + urlencode(query),
                      csv_semicolon_link="/reports/compliance.csv?" + urlencode({**query, "delimiter": ";"}),
                      json_link="/reports/compliance?" + urlencode(query))

