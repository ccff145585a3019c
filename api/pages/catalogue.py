"""The deployed pathways and their deadlines (`/forlopstyper`), for every role."""

from __future__ import annotations

from fastapi import APIRouter, Request

from engine.reading.pathways import list_pathways

from ..deps import PageUser, Runtime
from .labels import POINT_LABELS
from .rendering import PageRoute, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def point_label(code: str) -> str:
    return POINT_LABELS.get(code, code.replace("_", " "))


@router.get("/forlopstyper")
def catalogue(request: Request, runtime: Runtime, user: PageUser):
    return render(request, "catalogue.html", pathways=list_pathways(runtime.db, runtime.definitions),
                  point_label=point_label)
