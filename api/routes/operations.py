"""Running the service: liveness, readiness and metrics, the audit trail (administrators) and running the scheduler's sweeps now."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from engine.access.audit import AuditFilter
from engine.access.principals import ADMIN, Principal
from engine.actions.reads import read_audit_trail
from engine.db.migrate import check_ready

from .. import schemas
from ..deps import Limit, Offset, PatientKeyQuery, Runtime, role
from ..errors import RESPONSES
from ..observability import exposition

router = APIRouter(tags=["drift"], responses=RESPONSES)
ActionQuery = Annotated[str | None, Query(max_length=40, description="an action code, e.g. read_task, start_pathway")]
DayQuery = Annotated[date | None, Query(description="a day in Norway (Europe/Oslo), included; 2000-01-01 to "
                                                    "2199-12-31, from_date not after to_date")]


@router.get("/", include_in_schema=False)
def index():
    return RedirectResponse("/start")  # the web pages: log-in, then the page for the user's role


@router.get("/health", summary="Liveness: the process answers (it does not ask the database)")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", response_model=schemas.ReadyOut,
            summary="Readiness: the database answers and its schema is this version's (503 with a code if not)")
def ready(request: Request) -> schemas.ReadyOut:
    return schemas.ReadyOut(status="ready", schema_revision=check_ready(request.app.state.db))


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus metrics (no patient data); keep it to the monitoring network at the reverse proxy."""
    body, content_type = exposition(request.app.state.backlog)
    return Response(body, media_type=content_type)


@router.get("/audit", response_model=schemas.AuditPage,
            summary="Who read or changed a patient's data, newest first (administrators)")
def audit(runtime: Runtime, user: Annotated[Principal, role(ADMIN)],
          patient_key: PatientKeyQuery = None,
          actor: Annotated[str | None, Query(max_length=100, description="Only this user id")] = None,
          action: ActionQuery = None,
          from_date: DayQuery = None, to_date: DayQuery = None, limit: Limit = 100, offset: Offset = 0):
    flt = AuditFilter(patient_key=patient_key, actor=actor, action=action, from_date=from_date, to_date=to_date)
    return read_audit_trail(runtime, user, flt, limit=limit, offset=offset)


@router.post("/scheduler/run", response_model=schemas.TickOut, dependencies=[role(ADMIN)],
             summary="Fire due timers and mark passed deadlines overdue now (the scheduler does this regularly)")
def run_scheduler(runtime: Runtime):
    advanced, overdue = runtime.tick()
    return schemas.TickOut(instances_advanced=advanced, measurements_marked_overdue=overdue)
