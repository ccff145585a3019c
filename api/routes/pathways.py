"""Deployed pathways: the list with their indicators, one pathway, and deploying a BPMN file (modellers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool

from engine.access.principals import ADMIN, MODELLER
from engine.catalogue.deployment import deploy
from engine.errors import ErrorCode, InvalidInput
from engine.reading import pathways as reading

from .. import schemas
from ..deps import Auth, Runtime, role
from ..errors import RESPONSES

router = APIRouter(tags=["pathways"], responses=RESPONSES)


@router.get("/pathways", response_model=list[schemas.PathwayOut],
            summary="List deployed pathways with their indicators")
def list_pathways(runtime: Runtime, _: Auth):
    return reading.list_pathways(runtime.db, runtime.definitions)


@router.get("/pathways/{key}", response_model=schemas.PathwayOut)
def get_pathway(key: str, runtime: Runtime, _: Auth):
    return reading.get_pathway(runtime.db, runtime.definitions, key)


@router.post("/pathways", response_model=schemas.DeployOut, status_code=status.HTTP_201_CREATED,
             dependencies=[role(MODELLER, ADMIN)],
             summary="Deploy a BPMN pathway file (lint first; identical content is not deployed twice)")
async def deploy_pathway(request: Request, runtime: Runtime,
                         filename: Annotated[str, Query(max_length=200)] = "uploaded.bpmn"):
    source = await request.body()
    if not source:
        raise InvalidInput(ErrorCode.PATHWAY_FILE_EMPTY, "the request body must be the BPMN XML file")
    # parsing and linting is synchronous work: in a worker thread, so the event loop (and /health) keeps answering
    result = await run_in_threadpool(deploy, runtime.db, runtime.clock, source, filename)
    return schemas.DeployOut(pathway=result.pathway_key, version_id=result.version_id,
                             content_hash=result.content_hash, created=result.created,
                             warnings=list(result.warnings))
