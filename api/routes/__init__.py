"""The JSON API, one router per resource: pathways, instances, tasks, patients, incidents, reports, and operations
(health, audit, scheduler). Each route validates its input, calls one engine function and shapes the answer."""

from fastapi import APIRouter

from . import incidents, instances, operations, pathways, patients, reports, tasks

router = APIRouter()
for _module in (pathways, instances, tasks, patients, incidents, reports, operations):
    router.include_router(_module.router)
