"""Finding a patient (`/pasienter`): a partial, case-insensitive search on the patient key (at least 3
characters, at most 20 patients, audited), and one patient's page (`/pasienter/{key}`) with all of the patient's
pathways in the user's units, their status and running and ended deadlines, each linking to its timeline. The same
engine functions as `GET /patients` and `GET /patients/{key}/pathways`."""

from __future__ import annotations

from fastapi import APIRouter, Request

from engine.actions.reads import read_patient_pathways, search_patients
from engine.errors import InvalidInput

from ..deps import PageUser, Runtime
from .labels import INSTANCE_STATUS_LABELS, error_text
from .rendering import PageRoute, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/pasienter")
def search(request: Request, runtime: Runtime, user: PageUser, sok: str = ""):
    text = sok.strip()[:64]
    if not text:
        return render(request, "patients.html", text="", found=None, error=None)
    try:
        found = search_patients(runtime, user, text)
    except InvalidInput as exc:
        return render(request, "patients.html", 422, text=text, found=None, error=error_text(exc))
    return render(request, "patients.html", text=text, found=found, error=None)


@router.get("/pasienter/{patient_key}")
def patient(request: Request, patient_key: str, runtime: Runtime, user: PageUser):
    pathways = read_patient_pathways(runtime, user, patient_key[:64])
    return render(request, "patient.html", patient_key=patient_key[:64], pathways=pathways,
                  instance_labels=INSTANCE_STATUS_LABELS)
