"""A pathway version's diagram as the bpmn.io viewer reads it: the BPMN file, the live overlay (per element the
patients waiting, overdue and the open incidents; the deadline indicators between their elements), and the
patients waiting at one element. The shapes are here rather than in `schemas` because only these routes use them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from engine.actions.reads import read_diagram_overlay, read_element_patients, read_version_bpmn

from ..deps import Auth, Runtime
from ..errors import RESPONSES

router = APIRouter(tags=["pathways"], responses=RESPONSES)
PathwayKey = Annotated[str, Path(max_length=100, description="The pathway's key, e.g. tsb_d01")]
VersionId = Annotated[int, Path(ge=1, le=2_147_483_647, description="A deployed version's id")]
ElementId = Annotated[str, Path(max_length=100, description="A BPMN element's id, e.g. assess_referral")]


class VersionOut(BaseModel):
    id: int
    number: int = Field(description="1 for the pathway's first deployed version, 2 for the next, …")
    pathway_key: str
    name: str
    content_hash: str
    deployed_at: datetime
    is_current: bool


class ElementCountsOut(BaseModel):
    element_id: str
    label: str
    waiting: int = Field(description="Patients waiting at the element now: an open task or a timer there")
    overdue: int = Field(description="Of those, patients whose open task there is past its due date")
    incidents: int = Field(description="Open incidents at the element")


class ElementOut(BaseModel):
    element_id: str
    label: str


class IndicatorElementsOut(BaseModel):
    key: str
    label: str
    from_point: str = Field(alias="from", description="The measuring point that starts the deadline")
    to_point: str = Field(alias="to", description="The measuring point that ends it")
    limit: int
    unit: str
    from_elements: list[ElementOut] = Field(description="The elements that register the start measuring point")
    to_elements: list[ElementOut] = Field(description="The elements that register the end measuring point")


class OverlayOut(BaseModel):
    version: VersionOut
    today: date
    elements: list[ElementCountsOut]
    indicators: list[IndicatorElementsOut]


class WaitingPatientOut(BaseModel):
    instance_id: str
    patient_key: str
    unit: str
    task: str | None = Field(description="The open task's label; none when the patient waits for a timer")
    due_on: date | None = Field(description="The task's due date, or the day the timer fires")
    overdue: bool
    waits_for: str = Field(description="task or timer")


@router.get("/pathways/{key}/versions/{version_id}/bpmn", response_class=Response,
            responses={200: {"content": {"application/xml": {}}, "description": "The BPMN file as deployed"}},
            summary="A version's BPMN file (modellers, managers, coordinators, administrators)")
def version_bpmn(key: PathwayKey, version_id: VersionId, runtime: Runtime, user: Auth):
    return Response(read_version_bpmn(runtime, user, key, version_id), media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{key}.v{version_id}.bpmn"'})


@router.get("/pathways/{key}/versions/{version_id}/overlay", response_model=OverlayOut, response_model_by_alias=True,
            summary="Per element of a version: patients waiting, overdue, open incidents (coordinators: own units)")
def version_overlay(key: PathwayKey, version_id: VersionId, runtime: Runtime, user: Auth):
    return read_diagram_overlay(runtime, user, key, version_id)


@router.get("/pathways/{key}/versions/{version_id}/elements/{element_id}/patients",
            response_model=list[WaitingPatientOut],
            summary="The patients waiting at one element (coordinators: own units; administrators); audited")
def element_patients(key: PathwayKey, version_id: VersionId, element_id: ElementId, runtime: Runtime, user: Auth):
    return read_element_patients(runtime, user, key, version_id, element_id)
