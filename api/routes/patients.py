"""Finding a patient: a bounded partial search on the patient key, and one patient's pathways in the caller's
units, both audited as reads of patient data (the same engine functions as the pages `/pasienter`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from engine.actions.reads import read_patient_pathways, search_patients

from .. import schemas
from ..deps import Auth, Runtime
from ..errors import RESPONSES

router = APIRouter(tags=["patients"], responses=RESPONSES)


@router.get("/patients", response_model=schemas.PatientSearchOut,
            summary="Patients of the caller's units whose key contains the search text",
            description="Case-insensitive; at least 3 characters (else 422 patient_search_too_short); at most 20 "
                        "patients. Every patient shown is audited.")
def find_patients(runtime: Runtime, user: Auth,
                  search: Annotated[str, Query(max_length=64, description="Part of the patient key")]):
    return search_patients(runtime, user, search)


@router.get("/patients/{patient_key}/pathways", response_model=list[schemas.PatientPathwayOut],
            summary="The patient's pathways in the caller's units, active first, with their deadlines")
def patient_pathways(runtime: Runtime, user: Auth, patient_key: Annotated[str, Path(max_length=64, description="The patient's "
                                                                                               "whole key")]):
    return read_patient_pathways(runtime, user, patient_key)
