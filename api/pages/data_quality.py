"""The data-quality page (`/rapporter/datakvalitet`): per unit how many active pathways miss a registration the
registry expects, per check, and — for coordinators (own units) and administrators — which pathways, each a link
to its timeline. Managers see the counts only. The numbers come from
`engine.actions.reports.data_quality_report`, as in `GET /reports/data-quality`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from engine.actions.reports import data_quality_report
from engine.reading.data_quality import Finding

from ..deps import PageUser, Runtime
from .labels import DATA_QUALITY_LABELS
from .rendering import PageRoute, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _grouped(findings: list[Finding] | None) -> list[dict[str, Any]] | None:
    """The findings per check, in the report's order of checks, each check with its rows."""
    if findings is None:
        return None
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.check, []).append(finding)
    return [{"check": check, "rows": rows} for check, rows in groups.items()]


@router.get("/rapporter/datakvalitet", response_class=Response)
def data_quality_page(request: Request, runtime: Runtime, user: PageUser):
    report = data_quality_report(runtime, user)
    return render(request, "data_quality.html", report=report, groups=_grouped(report["findings"]),
                  labels=DATA_QUALITY_LABELS, today=report["today"])
