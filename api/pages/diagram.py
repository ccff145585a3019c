"""A pathway version's diagram (`/forlopstyper/{key}/versjoner/{version_id}/diagram`), for every role: the bpmn.io
viewer (vendored under `static/vendor/bpmn-js`, driven by `static/diagram.js`) with the live counts per element on
it, and the same counts in a table, so the page works and reads without JavaScript. Choosing an element
(`?element=<id>`) lists its waiting patients for coordinators (own units) and administrators; managers and
modellers see its counts only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from engine.actions.reads import read_diagram_page

from ..deps import PageUser, Runtime
from .labels import DAY_UNIT_LABELS
from .rendering import PageRoute, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
#: The viewer is JavaScript, so this page alone lets the app's own scripts run (`script-src 'self'`); everything
#: else in the policy stays as on every page (no inline script, no other origin).
_SCRIPTS_OFF, _OWN_SCRIPTS = "script-src 'none'", "script-src 'self'"


def diagram_path(key: str, version_id: int) -> str:
    return f"/forlopstyper/{key}/versjoner/{version_id}/diagram"


@router.get("/forlopstyper/{key}/versjoner/{version_id}/diagram")
def diagram(request: Request, runtime: Runtime, user: PageUser, key: Annotated[str, Path(max_length=100)],
            version_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
            element: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    view = read_diagram_page(runtime, user, key, version_id, element or None)
    response = render(request, "diagram.html", view=view, page_path=diagram_path(key, version_id),
                      api_path=f"/pathways/{key}/versions/{version_id}", unit_labels=DAY_UNIT_LABELS)
    policy = response.headers["Content-Security-Policy"]
    response.headers["Content-Security-Policy"] = policy.replace(_SCRIPTS_OFF, _OWN_SCRIPTS)
    return response
