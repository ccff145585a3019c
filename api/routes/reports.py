"""Compliance reports (etterlevelse av forløpstidene) as JSON and as CSV and .xlsx downloads, and the
data-quality report (`engine.actions.reports.data_quality_report`).

Both, and the dashboard page, call `engine.actions.reports.compliance_report` with the same parameters, so they
always show the same numbers: aggregates only, never a patient key (who may read which units: that module).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from engine.access.principals import Principal
from engine.actions.reports import compliance_export, compliance_report, compliance_report_page, data_quality_report
from engine.reading.collector import cycle_collection_paused
from engine.reading.compliance import SUPPRESS_BELOW, CompliancePage, ComplianceRow
from engine.reading.compliance_csv import to_csv, to_excel_csv
from engine.reading.compliance_xlsx import to_xlsx
from engine.runtime import PathwayRuntime

from .. import schemas
from ..deps import Auth, Runtime

RESPONSES = {401: {"description": "not logged in"}, 403: {"description": "role without reports"},
             422: {"description": "invalid parameters"}}

router = APIRouter(tags=["reports"], responses=RESPONSES)


@dataclass
class ReportParams:
    """The report's query parameters, shared by the JSON and the CSV route."""

    period: Annotated[Literal["month", "tertial"], Query(description="month or tertial")] = "tertial"
    start: Annotated[date | None, Query(alias="from", description="first day (its whole period)")] = None
    end: Annotated[date | None, Query(alias="to", description="last day (its whole period)")] = None
    pathway: Annotated[str | None, Query(max_length=100, description="Only this pathway key")] = None
    unit: Annotated[str | None, Query(max_length=100, description="Only this unit")] = None
    indicator: Annotated[str | None, Query(max_length=100, description="Only this indicator key")] = None
    by_unit: Annotated[bool, Query(description="A row per unit (true), or the units together (false)")] = True

    def rows(self, runtime: PathwayRuntime, user: Principal) -> list[ComplianceRow]:
        return compliance_report(runtime, user, period=self.period, start=self.start, end=self.end,
                                 pathway=self.pathway or None, unit=self.unit or None,
                                 indicator=self.indicator or None, by_unit=self.by_unit)

    def page(self, runtime: PathwayRuntime, user: Principal, limit: int, cursor: str | None) -> CompliancePage:
        return compliance_report_page(runtime, user, period=self.period, start=self.start, end=self.end,
                                      pathway=self.pathway or None, unit=self.unit or None,
                                      indicator=self.indicator or None, by_unit=self.by_unit, limit=limit,
                                      after=cursor or None)

    def export(self, runtime: PathwayRuntime, user: Principal) -> tuple[list[ComplianceRow], dict[str, str]]:
        return compliance_export(runtime, user, period=self.period, start=self.start, end=self.end,
                                 pathway=self.pathway or None, unit=self.unit or None,
                                 indicator=self.indicator or None, by_unit=self.by_unit)

    def filename(self, runtime: PathwayRuntime, extension: str) -> str:
        return f"etterlevelse-{self.period}-{runtime.today().isoformat()}.{extension}"


Params = Annotated[ReportParams, Depends()]


#: The answer's name of each ComplianceRow field, in the fields' order.
ROW_KEYS = tuple({"pathway_key": "pathway", "indicator_key": "indicator"}.get(name, name)
                 for name in ComplianceRow._fields)


def row_json(row: ComplianceRow) -> dict[str, Any]:
    return dict(zip(ROW_KEYS, row))


#: Rows in one answer of the JSON report unless `limit` says otherwise, and the most it may say: a trust's
#: every-unit month report of two years is 65,000 rows (20 MB); the CSV and Excel downloads are whole.
PAGE_ROWS = 10_000
MAX_PAGE_ROWS = 20_000


@router.get("/reports/compliance", response_model=schemas.ComplianceOut, response_model_by_alias=True,
            summary="Compliance with the deadline indicators per pathway, indicator, unit and period",
            description=f"At most `limit` rows (default {PAGE_ROWS:,}) in the report's order. Page with `cursor` "
                        "(the previous answer's `next_cursor`, null on the last page). Suppression is decided over "
                        "all units, so the pages together are the rows of one piece, as in the CSV and Excel "
                        "downloads.")
def compliance_json(runtime: Runtime, user: Auth, params: Params,
                    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_ROWS, description="Rows in the answer")] = PAGE_ROWS,
                    cursor: Annotated[str | None, Query(max_length=2000, description="The `next_cursor` of the "
                                                                                 "page before")] = None) -> Response:
    page = params.page(runtime, user, limit, cursor)
    # Plain JSON types, answered as they are: checking 65,000 rows (a year by month) against the response model
    # cost more than the report, and orjson encodes them in a sixth of the time the standard library takes.
    # `tests/test_reports_api.py` checks the answer against `schemas.ComplianceOut`.
    with cycle_collection_paused():
        body = orjson.dumps({
            "today": runtime.today().isoformat(), "period": params.period, "from": _iso(params.start),
            "to": _iso(params.end), "by_unit": params.by_unit, "suppress_below": SUPPRESS_BELOW,
            "limit": limit, "next_cursor": page.next_cursor,
            "rows": [row_json(r) for r in page.rows]})
    return Response(body, media_type="application/json")


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@router.get("/reports/compliance.csv", responses={200: {"content": {"text/csv": {}}}}, response_class=Response,
            summary="The same report as CSV (a download)")
def compliance_csv(runtime: Runtime, user: Auth, params: Params,
                   delimiter: Annotated[Literal[",", ";"],
                                        Query(description="; for a decimal-comma spreadsheet")] = ",",
                   layout: Annotated[Literal["plain", "excel"],
                                     Query(description="plain: stable columns for machines; excel: for Norwegian "
                                                       "Excel (BOM, semicolons, names, percent, decimal comma)")
                                     ] = "plain"):
    if layout == "excel":
        text = to_excel_csv(*params.export(runtime, user))
    else:
        text = to_csv(params.rows(runtime, user), delimiter=delimiter)
    return _download(text.encode("utf-8"), "text/csv; charset=utf-8", params.filename(runtime, "csv"))


@router.get("/reports/data-quality", response_model=schemas.DataQualityOut,
            summary="Pathways missing a registration the registry expects, per unit and check (as of today)")
def data_quality_json(runtime: Runtime, user: Auth):
    report = data_quality_report(runtime, user)
    findings = report["findings"]
    return {**report, "units": [{"unit": u.unit, "counts": u.counts, "total": u.total} for u in report["units"]],
            "findings": None if findings is None else [
                {"check": f.check, "unit": f.unit, "instance_id": f.instance_id, "patient_key": f.patient_key,
                 "pathway": f.pathway_key, "since": f.since} for f in findings]}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/reports/compliance.xlsx", responses={200: {"content": {XLSX: {}}}}, response_class=Response,
            summary="The same report as an Excel workbook (a download)")
def compliance_xlsx(runtime: Runtime, user: Auth, params: Params):
    rows, names = params.export(runtime, user)
    return _download(to_xlsx(rows, names, title=f"Etterlevelse {params.period}"), XLSX,
                     params.filename(runtime, "xlsx"))


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
