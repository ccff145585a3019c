"""The managers' compliance dashboard (`/rapporter`): per pathway and indicator a trend of the share against
the target, the units side by side, and the figures as a table, with links to the same report as CSV and JSON.

The rows come from `engine.actions.reports.compliance_report`, as in the JSON and CSV API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from engine.access.policy import require_role
from engine.access.principals import ADMIN, COORDINATOR, Principal
from engine.actions.reports import REPORT_ROLES, compliance_report
from engine.reading.compliance import SUPPRESS_BELOW, ComplianceRow, goal
from engine.reading.pathways import list_pathways
from engine.reading.periods import PERIODS, first_day, last_day, period_bounds, period_of, periods_between
from engine.reading.registry import MAX_EXTRACT_DAYS
from engine.runtime import PathwayRuntime

from ..deps import Name, PageUser, Runtime
from .charts import trend_chart, units_chart, units_trend_chart
from .labels import MONTH_NAMES, PERIOD_LABELS
from .overview import breach_counts, matrix
from .rendering import PageRoute, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@dataclass
class Choice:
    """What the dashboard shows, from its query parameters, with a bokmål problem for each one it could not use."""

    period: str
    start: date
    end: date
    pathway: str | None  # None: not chosen yet (first visit)
    unit: str
    indicator: str
    per_unit: bool
    problems: list[str]

    def filters(self) -> dict[str, Any]:
        chosen = None if self.pathway in ("", "alle") else self.pathway
        return dict(period=self.period, start=self.start, end=self.end, pathway=chosen, unit=self.unit or None,
                    indicator=self.indicator or None)

    def query(self) -> dict[str, str]:
        query = {"period": self.period, "from": self.start.isoformat(), "to": self.end.isoformat(),
                 "pathway": self.filters()["pathway"] or "", "unit": self.unit, "indicator": self.indicator,
                 "by_unit": "true" if self.per_unit else "false"}
        return {k: v for k, v in query.items() if v}


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
    return period_bounds(date(today.year - 2, today.month, 1), period)[0]


def choose(today: date, period: str, from_: str, to: str, pathway: str | None, unit: str, indicator: str,
           by_unit: str) -> Choice:
    problems: list[str] = []
    if period not in PERIODS:
        problems.append("Ukjent periode; viser tertialer.")
        period = "tertial"
    start = _parse_date(from_, "fra-", problems) or _default_start(today, period)
    end = _parse_date(to, "til-", problems) or today
    if start > end:
        problems.append("Fra-datoen er etter til-datoen; viser to år tilbake.")
        start, end = _default_start(today, period), today
    per_unit = by_unit.lower() not in ("false", "0", "nei", "off")
    return Choice(period, start, end, pathway, unit, indicator, per_unit, problems)


def _largest_pathway(rows: list[ComplianceRow]) -> str:
    """The pathway with the most pathways counted: what a first visit shows."""
    sizes: dict[str, int] = {}
    for r in rows:
        sizes[r.pathway_key] = sizes.get(r.pathway_key, 0) + (r.pathways or 0)
    return max(sizes, key=lambda k: (sizes[k], k)) if sizes else ""


def sections(rows: list[ComplianceRow], totals: list[ComplianceRow], periods: list[str], names: dict[str, str],
             per_unit: bool) -> list[dict[str, Any]]:
    """One section per pathway and indicator: its rows, the trend of the all-units total, the units' bars."""
    groups: dict[tuple[str, str], list[ComplianceRow]] = {}
    for row in rows:
        groups.setdefault((row.pathway_key, row.indicator_key), []).append(row)
    total_groups: dict[tuple[str, str], dict[str, ComplianceRow]] = {}
    for row in totals:
        total_groups.setdefault((row.pathway_key, row.indicator_key), {})[row.period] = row
    result = []
    for (pathway_key, indicator_key), group in groups.items():
        target = next((r.target for r in group if r.target is not None), None)
        # the units side by side: the latest period with figures to show (the current one may be all "<5")
        shown = [r.period for r in group if not r.suppressed]
        latest = max(shown) if shown else max(r.period for r in group)
        result.append({
            "id": f"{pathway_key}-{indicator_key}", "pathway": pathway_key,
            "pathway_name": names.get(pathway_key, pathway_key), "indicator": indicator_key,
            "label": group[0].label, "target": target, "unconfirmed": any(r.unconfirmed for r in group),
            "rows": sorted(group, key=lambda r: (r.period, r.unit or "")), "latest": latest,
            "trend": trend_chart(periods, total_groups.get((pathway_key, indicator_key), {}), target),
            "units": units_chart([r for r in group if r.period == latest], target) if per_unit else None,
            "unit_trend": units_trend_chart(periods, _by_unit(group), target) if per_unit else None,
        })
    return result


def _by_unit(rows: list[ComplianceRow]) -> dict[str, dict[str, ComplianceRow]]:
    result: dict[str, dict[str, ComplianceRow]] = {}
    for row in rows:
        result.setdefault(row.unit or "", {})[row.period] = row
    return result


def _indicator_choices(catalogue: list[dict[str, Any]], pathway: str | None) -> list[tuple[str, str]]:
    return sorted({(i["key"], i["label"]) for p in catalogue if pathway in (None, p["key"]) for i in p["indicators"]},
                  key=lambda c: c[1])


def _links(choice: Choice) -> dict[str, str]:
    query = choice.query()
    return {"csv_link": "/reports/compliance.csv?" + urlencode(query),
            "csv_semicolon_link": "/reports/compliance.csv?" + urlencode({**query, "layout": "excel"}),
            "xlsx_link": "/reports/compliance.xlsx?" + urlencode(query),
            "json_link": "/reports/compliance?" + urlencode(query)}


def _registry_links(user: Principal, today: date) -> dict[str, Any] | None:
    """For administrators: the registry extract of last month (what the registry receives next), and a form for
    another period."""
    if user.role != ADMIN:
        return None
    end = today.replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    query = urlencode({"from": start.isoformat(), "to": end.isoformat()})
    return {"start": start, "end": end, "label": f"{MONTH_NAMES[start.month - 1]} {start.year}",
            "csv_link": f"/reports/registrations.csv?{query}", "json_link": f"/reports/registrations?{query}",
            "max_days": MAX_EXTRACT_DAYS}


def _report(runtime: PathwayRuntime, user: Principal, choice: Choice) -> tuple[list[ComplianceRow], ...]:
    """(every unit's rows of the whole range, the chosen rows, their all-units totals).

    The chosen per-unit rows are the whole report's rows of the chosen pathway, indicator and unit: every row's
    suppression is decided within its pathway, indicator and period over all the user's units, before any filter
    (engine.reading.compliance), so they are taken from it instead of asked for again."""
    everything = compliance_report(runtime, user, period=choice.period, start=choice.start, end=choice.end,
                                   pathway=None, unit=None, indicator=None, by_unit=True)
    if choice.pathway is None:
        choice.pathway = _largest_pathway(everything)
    filters = choice.filters()
    if choice.per_unit:
        rows = [r for r in everything if all(filters[name] in (None, getattr(r, column)) for name, column
                                             in (("pathway", "pathway_key"), ("unit", "unit"),
                                                 ("indicator", "indicator_key")))]
    else:
        rows = compliance_report(runtime, user, by_unit=False, **filters)
    totals = rows if not choice.per_unit else compliance_report(runtime, user, by_unit=False, **filters)
    return everything, rows, totals


def _overview(runtime: PathwayRuntime, user: Principal, names: dict[str, str], units: list[str], choice: Choice,
              everything: list[ComplianceRow]) -> dict[str, Any]:
    """The matrix of indicators × units for the current tertial (by the runtime's clock). When the page's own
    report is by tertial and covers it, its rows of that tertial are the matrix's (suppression is decided within
    each pathway, indicator and period over all the user's units), so they are not asked for again."""
    today = runtime.today()
    current = period_of(today, "tertial")
    asked = dict(period="tertial", start=today, end=today, pathway=None, unit=None, indicator=None)
    if choice.period == "tertial" and first_day(choice.start, "tertial") <= today <= last_day(choice.end, "tertial"):
        rows = [r for r in everything if r.period == current]
    else:
        rows = compliance_report(runtime, user, by_unit=True, **asked)
    totals = compliance_report(runtime, user, by_unit=False, **asked)
    return {"tertial": current, "units": units, "lines": matrix(rows, totals, names, units)}


@router.get("/rapporter/forlopstid", response_class=Response)
def drill_down(request: Request, runtime: Runtime, user: PageUser, pathway: Name = "", indicator: Name = "",
               unit: Name = ""):
    """One matrix cell followed: that indicator's trend for that unit (or all units) and its counts per period."""
    require_role(user, *REPORT_ROLES)
    today = runtime.today()
    start = _default_start(today, "tertial")
    rows = compliance_report(runtime, user, period="tertial", start=start, end=today, pathway=pathway or None,
                             unit=unit or None, indicator=indicator or None, by_unit=False)
    periods = periods_between(start, today, "tertial")
    names = {p["key"]: p["name"] for p in list_pathways(runtime.db, runtime.definitions)}
    target = next((r.target for r in rows), None)
    return render(request, "reports_drill.html", rows=breach_counts(rows), unit=unit, today=today, start=start,
                  pathway_name=names.get(pathway, pathway), label=rows[0].label if rows else indicator,
                  goal=goal(target), own_target=target is not None, suppress_below=SUPPRESS_BELOW,
                  trend=trend_chart(periods, {r.period: r for r in rows}, goal(target)),
                  chart_id=f"{pathway}-{indicator}", back="/rapporter", period="tertial",
                  period_labels=PERIOD_LABELS)


@router.get("/rapporter", response_class=Response)
def dashboard(request: Request, runtime: Runtime, user: PageUser, period: str = "tertial",
              from_: Annotated[str, Query(alias="from")] = "", to: str = "", pathway: str | None = None,
              unit: str = "", indicator: str = "", by_unit: str = "true"):
    require_role(user, *REPORT_ROLES)
    today = runtime.today()
    choice = choose(today, period, from_, to, pathway, unit, indicator, by_unit)
    everything, rows, totals = _report(runtime, user, choice)
    catalogue = list_pathways(runtime.db, runtime.definitions)
    periods = periods_between(choice.start, choice.end, choice.period)
    units = list(user.units) if user.role == COORDINATOR else sorted({r.unit for r in everything if r.unit})
    names = {p["key"]: p["name"] for p in catalogue}
    return render(request, "reports.html", problems=choice.problems, periods=periods, period=choice.period,
                  overview=_overview(runtime, user, names, units, choice, everything),
                  sections=sections(rows, totals, periods, {p["key"]: p["name"] for p in catalogue}, choice.per_unit),
                  period_labels=PERIOD_LABELS, start=choice.start, end=choice.end, pathway=choice.pathway or "alle",
                  unit=unit, indicator=indicator, per_unit=choice.per_unit, catalogue=catalogue,
                  units=units,
                  indicator_choices=_indicator_choices(catalogue, choice.filters()["pathway"]), today=today,
                  suppress_below=SUPPRESS_BELOW, registry=_registry_links(user, today), **_links(choice))
