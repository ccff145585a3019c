"""Deployed pathways: the list, one pathway, its versions and what changed between two, and checking and deploying
a BPMN file (modellers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool

from engine.actions import modelling
from engine.errors import ErrorCode, InvalidInput
from engine.reading import pathways as reading

from .. import schemas
from ..deps import Auth, Runtime
from ..errors import RESPONSES

router = APIRouter(tags=["pathways"], responses=RESPONSES)
PathwayKey = Annotated[str, Path(max_length=100, description="The pathway key, e.g. tsb_d01")]


@router.get("/pathways", response_model=list[schemas.PathwayOut],
            summary="List deployed pathways with their indicators")
def list_pathways(runtime: Runtime, _: Auth):
    return reading.list_pathways(runtime.db, runtime.definitions)


@router.get("/pathways/{key}", response_model=schemas.PathwayOut,
            summary="One deployed pathway: its current version with lanes, measuring points and indicators")
def get_pathway(key: PathwayKey, runtime: Runtime, _: Auth):
    return reading.get_pathway(runtime.db, runtime.definitions, key)


FileName = Annotated[str, Query(max_length=200, description="The file's name, kept with the version")]


async def _file(request: Request) -> bytes:
    source = await request.body()
    if not source:
        raise InvalidInput(ErrorCode.PATHWAY_FILE_EMPTY, "the request body must be the BPMN XML file")
    return source


@router.get("/pathways/{key}/versions", response_model=schemas.VersionsOut,
            summary="A pathway's versions, newest first: when and by whom deployed, patients running on each")
def list_versions(key: PathwayKey, runtime: Runtime, _: Auth):
    return modelling.pathway_versions(runtime, key)


@router.get("/pathways/{key}/diff", response_model=schemas.DiffOut,
            summary="What changed between two versions: elements, flows, forms and deadline indicators")
def diff(key: PathwayKey, runtime: Runtime, _: Auth,
         from_version: Annotated[int, Query(ge=1, le=2_147_483_647, description="The older version id")],
         to_version: Annotated[int, Query(ge=1, le=2_147_483_647, description="The newer version id")]):
    return modelling.compare_versions(runtime, key, from_version, to_version)


@router.post("/pathways/lint", response_model=schemas.LintReportOut,
             summary="Check a BPMN pathway file without deploying it: lint report and what it would change")
async def lint_pathway(request: Request, runtime: Runtime, user: Auth, filename: FileName = "uploaded.bpmn"):
    source = await _file(request)
    return await run_in_threadpool(modelling.check_file, runtime, user, source, filename)


@router.post("/pathways", response_model=schemas.DeployOut, status_code=status.HTTP_201_CREATED,
             summary="Deploy a BPMN pathway file (lint first; identical content is not deployed twice)")
async def deploy_pathway(request: Request, runtime: Runtime, user: Auth, filename: FileName = "uploaded.bpmn"):
    source = await _file(request)
    # parsing and linting is synchronous work: in a worker thread, so the event loop (and /health) keeps answering
    result = await run_in_threadpool(modelling.deploy_file, runtime, user, source, filename)
    return schemas.DeployOut(pathway=result.pathway_key, version_id=result.version_id,
                             content_hash=result.content_hash, created=result.created,
                             warnings=list(result.warnings))
