"""The registration extract for the national patient registry (NPR), as JSON and as a CSV download:
per patient and pathway each event of the period with its date and registry code. Administrators only; every
read is audited (`engine.actions.reports.registration_extract`)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from engine.actions.reports import registration_extract
from engine.reading.registry import MAX_EXTRACT_DAYS, RegistrationRow, to_csv

from .. import schemas
from ..deps import Auth, Runtime

RESPONSES = {401: {"description": "not logged in"}, 403: {"description": "not an administrator"},
             422: {"description": "a date missing or invalid, reversed, or a period over one year"}}

router = APIRouter(tags=["reports"], responses=RESPONSES)

From = Annotated[date, Query(alias="from", description="first day of the period (YYYY-MM-DD)")]
To = Annotated[date, Query(alias="to", description=f"last day, included; at most {MAX_EXTRACT_DAYS} days in all")]


def row_json(row: RegistrationRow) -> dict:
    data = dataclasses.asdict(row)
    data["pathway"] = data.pop("pathway_key")
    return data


@router.get("/reports/registrations", response_model=schemas.RegistrationExtractOut, response_model_by_alias=True,
            summary="The registration extract for the national registry: each event of a period with its code")
def registrations_json(runtime: Runtime, user: Auth, start: From, end: To):
    rows = registration_extract(runtime, user, start=start, end=end)
    return {"from": start, "to": end, "rows": [row_json(r) for r in rows]}


@router.get("/reports/registrations.csv", responses={200: {"content": {"text/csv": {}}}}, response_class=Response,
            summary="The same extract as CSV (a download)")
def registrations_csv(runtime: Runtime, user: Auth, start: From, end: To):
    rows = registration_extract(runtime, user, start=start, end=end)
    filename = f"registreringer-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(to_csv(rows).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
