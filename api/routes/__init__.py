"""The JSON API, one router per resource: pathways (and `diagram`, a version's BPMN with its live overlay), instances,
tasks, patients, incidents, reports (and `registry`, the registration extract), operations (health, audit,
scheduler), and the API's own page (docs).
Each route validates its input, calls one engine function and shapes the answer."""

from fastapi import APIRouter

from . import diagram, docs, incidents, instances, operations, pathways, patients, registry, reports, tasks

router = APIRouter()
for _module in (pathways, diagram, instances, tasks, patients, incidents, reports, registry, operations, docs):
    router.include_router(_module.router)
