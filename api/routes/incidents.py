"""Incidents: due items that failed inside the engine; list them, retry one after a fix, or resolve it with a note."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from engine.actions import commands
from engine.actions.reads import read_incident, read_incidents
from engine.reading.incidents import IncidentFilter
from engine.statuses import IncidentStatus

from .. import schemas
from ..deps import Auth, Limit, Offset, Runtime
from ..errors import RESPONSES

router = APIRouter(tags=["incidents"], responses=RESPONSES)
IncidentId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The incident's id")]


@router.get("/incidents", response_model=schemas.IncidentPage,
            summary="Incidents of the caller's units (administrators: all), newest first")
def list_incidents(runtime: Runtime, user: Auth,
                   status: Annotated[Literal["open", "resolved", "all"],
                                     Query(description="open (default), resolved or all")] = "open",
                   pathway: Annotated[str | None, Query(max_length=100, description="Only this pathway key")] = None,
                   instance_id: Annotated[str | None, Query(max_length=36,
                                                            description="Only this pathway instance")] = None,
                   limit: Limit = 50, offset: Offset = 0):
    flt = IncidentFilter(status=None if status == "all" else IncidentStatus(status), pathway=pathway,
                         instance_id=instance_id)
    return read_incidents(runtime, user, flt, limit=limit, offset=offset)


@router.get("/incidents/{incident_id}", response_model=schemas.IncidentOut,
            summary="One incident: the failed item, its error, attempts and next retry")
def get_incident(incident_id: IncidentId, runtime: Runtime, user: Auth):
    return read_incident(runtime, user, incident_id)


@router.post("/incidents/{incident_id}/retry", response_model=schemas.IncidentOut,
             summary="Run the failed item again now; the incident is resolved when it succeeds")
def retry_incident(incident_id: IncidentId, body: schemas.RetryIncident, runtime: Runtime, user: Auth):
    return commands.retry_incident(runtime, user, incident_id, on_current_version=body.on_current_version)


@router.post("/incidents/{incident_id}/resolve", response_model=schemas.IncidentOut,
             summary="Close an incident without a retry, with a note saying why")
def resolve_incident(incident_id: IncidentId, body: schemas.ResolveIncident, runtime: Runtime, user: Auth):
    return commands.resolve_incident(runtime, user, incident_id, body.note)
