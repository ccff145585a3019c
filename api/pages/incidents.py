"""Incidents (`/driftsfeil`): pathways the scheduler could not move on, for administrators and the unit's
coordinators; retry one after the file is fixed, or resolve it with a note."""

from __future__ import annotations

from typing import Annotated, Any, Callable

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse

from engine.actions import commands
from engine.actions.reads import read_incidents
from engine.errors import PathwayError
from engine.reading.incidents import IncidentFilter
from engine.statuses import IncidentStatus

from ..deps import PageUser, Runtime
from .labels import INCIDENT_KIND_LABELS, INCIDENT_STATUS_LABELS, error_text
from .rendering import PageRoute, redirect, render
from .session import Form

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE = "/driftsfeil"
IncidentId = Annotated[int, Path(ge=1, le=2_147_483_647)]
_SHOWN = {"apne": IncidentStatus.OPEN, "loste": IncidentStatus.RESOLVED, "alle": None}


@router.get(PAGE)
def incidents(request: Request, runtime: Runtime, user: PageUser, vis: str = "apne", forlop: str = ""):
    shown = vis if vis in _SHOWN else "apne"
    page = read_incidents(runtime, user, IncidentFilter(status=_SHOWN[shown], pathway=forlop[:100] or None),
                          limit=200, offset=0)
    return render(request, "incidents.html", rows=page["items"], total=page["total"], shown=shown, forlop=forlop,
                  kind_labels=INCIDENT_KIND_LABELS, status_labels=INCIDENT_STATUS_LABELS)


def _act(back: str, action: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], str]) -> RedirectResponse:
    try:
        incident = action()
    except PathwayError as exc:
        return redirect(back, flash=error_text(exc), kind="feil")
    return redirect(back, flash=done(incident), kind="ok" if incident["status"] == IncidentStatus.RESOLVED else "feil")


@router.post(PAGE + "/{incident_id}/prov-igjen")
def retry(request: Request, incident_id: IncidentId, runtime: Runtime, user: PageUser, form: Form):
    return _act(PAGE, lambda: commands.retry_incident(runtime, user, incident_id,
                                                      on_current_version=form.get("gjeldende") == "ja"),
                lambda i: ("Forløpet gikk videre, og driftsfeilen er løst." if i["status"] == IncidentStatus.RESOLVED
                           else f"Det feilet igjen (forsøk {i['attempts']}): {i['error']}"))


@router.post(PAGE + "/{incident_id}/los")
def resolve(request: Request, incident_id: IncidentId, runtime: Runtime, user: PageUser, form: Form):
    return _act(PAGE, lambda: commands.resolve_incident(runtime, user, incident_id, form.get("notat", "")[:2000]),
                lambda _: "Driftsfeilen er markert som løst.")
