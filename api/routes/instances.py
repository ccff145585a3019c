"""Pathway instances: start one for a patient, read it, register patient-deferred, correct or undo a registration,
deliver a message."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from engine.actions import commands
from engine.actions.reads import read_instance

from .. import schemas
from ..deps import Auth, Runtime
from ..errors import RESPONSES

router = APIRouter(tags=["instances"], responses=RESPONSES)
EventId = Annotated[int, Path(ge=1, le=2_147_483_647, description="A registration's id (measuring_points[].id)")]
InstanceId = Annotated[str, Path(max_length=36, description="The pathway instance's id (a UUID), as "
                                                            "`POST /instances` returned it")]


@router.post("/instances", response_model=schemas.InstanceOut, status_code=status.HTTP_201_CREATED,
             summary="Start a pathway for a patient")
def start_pathway(body: schemas.StartPathway, runtime: Runtime, user: Auth):
    return commands.start_pathway(runtime, user, patient_key=body.patient_key, pathway_key=body.pathway,
                                  unit=body.unit, setting=body.setting,
                                  referral_received_on=body.referral_received_on, severity=body.severity,
                                  rule_set=body.rule_set, start_route=body.start_route,
                                  municipal_unit=body.municipal_unit, municipal_coordinator=body.municipal_coordinator)


@router.get("/instances/{instance_id}", response_model=schemas.InstanceOut,
            summary="A pathway instance with its measuring points, indicator statuses and open tasks")
def get_instance(instance_id: InstanceId, runtime: Runtime, user: Auth):
    return read_instance(runtime, user, instance_id)


@router.post("/instances/{instance_id}/patient-deferred", response_model=schemas.InstanceOut,
             summary="Register patient-deferred (L): the patient delayed a deferrable deadline by > 7 working days")
def patient_deferred(instance_id: InstanceId, body: schemas.PatientDeferred, runtime: Runtime, user: Auth):
    return commands.register_patient_deferred(runtime, user, instance_id, deferred_from=body.deferred_from,
                                              deferred_until=body.deferred_until, working_days=body.working_days,
                                              reason=body.reason, note=body.note)


@router.post("/instances/{instance_id}/events/{event_id}/correction", response_model=schemas.InstanceOut,
             summary="Correct the date of a registration; the deadlines that start or end at it follow")
def correct_event_date(instance_id: InstanceId, event_id: EventId, body: schemas.CorrectEventDate, runtime: Runtime,
                       user: Auth):
    return commands.correct_event_date(runtime, user, instance_id, event_id, occurred_on=body.occurred_on,
                                       reason=body.reason)


@router.post("/instances/{instance_id}/events/{event_id}/undo", response_model=schemas.InstanceOut,
             summary="Undo a registration: its task opens again (later ones on its path must be undone first)")
def undo_event(instance_id: InstanceId, event_id: EventId, body: schemas.UndoEvent, runtime: Runtime, user: Auth):
    return commands.undo_event(runtime, user, instance_id, event_id, reason=body.reason)


@router.post("/instances/{instance_id}/closure", response_model=schemas.InstanceOut,
             summary="Close the pathway now with one of its closure outcomes; running deadlines are not counted")
def close_pathway(instance_id: InstanceId, body: schemas.Closure, runtime: Runtime, user: Auth):
    return commands.close_pathway(runtime, user, instance_id, closed_on=body.closed_on, outcome=body.outcome,
                                  note=body.note)


@router.post("/instances/{instance_id}/transfer", response_model=schemas.InstanceOut,
             summary="Transfer to another hospital trust: closes the pathway; the receiving trust starts a new one")
def transfer_pathway(instance_id: InstanceId, body: schemas.Transfer, runtime: Runtime, user: Auth):
    return commands.transfer_pathway(runtime, user, instance_id, transferred_on=body.transferred_on,
                                     receiving_trust=body.receiving_trust, receiving_unit=body.receiving_unit,
                                     note=body.note)


@router.post("/instances/{instance_id}/messages", response_model=schemas.InstanceOut,
             summary="Deliver a message (e.g. a crisis reported) to a pathway waiting for it")
def send_message(instance_id: InstanceId, body: schemas.MessageIn, runtime: Runtime, user: Auth):
    return commands.send_message(runtime, user, instance_id, body.name, data=body.data, occurred_on=body.occurred_on)
