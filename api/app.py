"""The FastAPI application: routes, error mapping and start-up (migrate, deploy pathways, demo data, scheduler)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse

from engine.access.audit import audit_row, audit_trail, record_reads
from engine.access.policy import check_unit, visible_instance, visible_task
from engine.access.principals import ADMIN, MODELLER, Principal, Users
from engine.catalogue.deployment import deploy, deploy_directory
from engine.clock import Clock, SystemClock
from engine.db.database import Database
from engine.db.migrate import upgrade
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from engine.reading import queries
from engine.runtime import PathwayRuntime
from engine.settings import Settings

from . import schemas
from .security import Auth, role

log = logging.getLogger("pathways.api")

ERRORS = {401: {"model": schemas.ErrorOut}, 403: {"model": schemas.ErrorOut}, 404: {"model": schemas.ErrorOut},
          409: {"model": schemas.ErrorOut}, 422: {"model": schemas.ErrorOut}}


def create_app(settings: Settings | None = None, clock: Clock | None = None, *,
               run_scheduler: bool | None = None) -> FastAPI:
    settings = settings or Settings()
    clock = clock or SystemClock()
    if settings.database_url.startswith("sqlite:///"):
        from pathlib import Path
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    runtime = PathwayRuntime(db, clock)
    scheduler_on = settings.scheduler_interval_seconds > 0 if run_scheduler is None else run_scheduler

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        upgrade(db)
        deploy_directory(db, clock, settings.pathways_dir)
        if settings.demo_data:
            from engine.demo.loader import load_demo_data
            load_demo_data(runtime)
        task = asyncio.create_task(_scheduler(runtime, settings.scheduler_interval_seconds)) if scheduler_on else None
        try:
            yield
        finally:
            if task:
                task.cancel()
            db.dispose()

    app = FastAPI(
        title="Pakkeforløp – pathway engine",
        description="Standardised patient pathways (pakkeforløp) for Norwegian mental health and substance-use "
                    "care: start pathways, work coordinator tasks, follow deadline indicators (forløpstider).",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.runtime = runtime
    app.state.users = Users(db, dev_mode=settings.auth_mode == "dev")
    app.state.clock = clock
    _install_error_handlers(app)
    _routes(app)
    from . import reports, web  # imported here: they use this module's audited read helpers
    app.include_router(reports.router)
    app.include_router(reports.pages)
    web.install(app)
    return app


async def _scheduler(runtime: PathwayRuntime, interval: float) -> None:
    while True:
        try:
            await asyncio.to_thread(runtime.tick)
        except Exception:  # keep the scheduler alive; the next tick retries
            log.exception("scheduler tick failed")
        await asyncio.sleep(interval)


def _error(status_code: int, detail: str, problems: list | None = None) -> JSONResponse:
    return JSONResponse(status_code=status_code, content={"detail": detail, "problems": problems or []})


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Unauthenticated)
    async def unauthenticated(_: Request, exc: Unauthenticated):
        response = _error(401, str(exc))
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden):
        return _error(403, str(exc))

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound):
        return _error(404, str(exc))

    @app.exception_handler(Conflict)
    async def conflict(_: Request, exc: Conflict):
        return _error(409, str(exc))

    @app.exception_handler(InvalidInput)
    async def invalid(_: Request, exc: InvalidInput):
        return _error(422, str(exc), [p.as_dict() if hasattr(p, "as_dict") else p for p in exc.problems])

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_: Request, exc: RequestValidationError):
        messages = []
        for err in exc.errors():
            where = ".".join(str(part) for part in err.get("loc", ()) if part != "body")
            messages.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return _error(422, "; ".join(messages))


def _runtime(request: Request) -> PathwayRuntime:
    return request.app.state.runtime


Runtime = Annotated[PathwayRuntime, Depends(_runtime)]


def read_instance(runtime: PathwayRuntime, user: Principal, instance_id: str) -> dict:
    """An instance's detail for a user who may see it, audited."""
    instance = visible_instance(runtime.db, user, instance_id)
    record_reads(runtime.db, [audit_row(runtime.clock.now(), user.id, "read_instance",
                                       patient_key=instance.patient_key, instance_id=instance_id)])
    return queries.instance_detail(runtime.db, instance_id, runtime.today())


def read_task(runtime: PathwayRuntime, user: Principal, task_id: str) -> dict:
    task = visible_task(runtime.db, user, task_id)
    record_reads(runtime.db, [audit_row(runtime.clock.now(), user.id, "read_task", patient_key=task.patient_key,
                                       instance_id=task.instance_id, task_id=task_id)])
    return queries.get_task(runtime.db, task_id, runtime.today())


def read_tasks(runtime: PathwayRuntime, user: Principal, flt: queries.TaskFilter, *, limit: int,
               offset: int) -> dict:
    """A page of the task list, limited to the user's units; one audit row per patient shown."""
    if not user.sees_patients:
        raise Forbidden(f"the role {user.role} sees no patient data")
    flt = dataclasses.replace(flt, units=user.visible_units())
    page = queries.list_tasks(runtime.db, runtime.today(), flt, limit=limit, offset=offset)
    now = runtime.clock.now()
    shown = {(t["patient_key"], t["instance_id"]) for t in page["items"]}
    record_reads(runtime.db, [audit_row(now, user.id, "list_tasks", patient_key=patient, instance_id=instance)
                              for patient, instance in sorted(shown)])
    return page


def _routes(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def index():
        return RedirectResponse("/start")  # the web pages (api/web.py): log-in, then the page for the user's role

    @app.get("/health", tags=["drift"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/pathways", response_model=list[schemas.PathwayOut], responses=ERRORS, tags=["pathways"],
             summary="List deployed pathways with their indicators")
    def list_pathways(runtime: Runtime, _: Auth):
        return queries.list_pathways(runtime.db)

    @app.get("/pathways/{key}", response_model=schemas.PathwayOut, responses=ERRORS, tags=["pathways"])
    def get_pathway(key: str, runtime: Runtime, _: Auth):
        return queries.get_pathway(runtime.db, key)

    @app.post("/pathways", response_model=schemas.DeployOut, responses=ERRORS, tags=["pathways"],
              status_code=status.HTTP_201_CREATED, dependencies=[role(MODELLER, ADMIN)],
              summary="Deploy a BPMN pathway file (lint first; identical content is not deployed twice)")
    async def deploy_pathway(request: Request, runtime: Runtime,
                             filename: Annotated[str, Query(max_length=200)] = "uploaded.bpmn"):
        source = await request.body()
        if not source:
            raise InvalidInput("the request body must be the BPMN XML file")
        result = deploy(runtime.db, runtime.clock, source, filename)
        return schemas.DeployOut(pathway=result.pathway_key, version_id=result.version_id,
                                 content_hash=result.content_hash, created=result.created,
                                 warnings=list(result.warnings))

    @app.post("/instances", response_model=schemas.InstanceOut, responses=ERRORS, tags=["instances"],
              status_code=status.HTTP_201_CREATED, summary="Start a pathway for a patient")
    def start_pathway(body: schemas.StartPathway, runtime: Runtime, user: Auth):
        check_unit(user, body.unit)
        instance_id = runtime.start_pathway(
            patient_key=body.patient_key, pathway_key=body.pathway, unit=body.unit, setting=body.setting,
            referral_received_on=body.referral_received_on, severity=body.severity, rule_set=body.rule_set,
            actor=user.id)
        return queries.instance_detail(runtime.db, instance_id, runtime.today())

    @app.get("/instances/{instance_id}", response_model=schemas.InstanceOut, responses=ERRORS, tags=["instances"],
             summary="A pathway instance with its measuring points, indicator statuses and open tasks")
    def get_instance(instance_id: str, runtime: Runtime, user: Auth):
        return read_instance(runtime, user, instance_id)

    @app.post("/instances/{instance_id}/patient-deferred", response_model=schemas.InstanceOut, responses=ERRORS,
              tags=["instances"], summary="Register patient-deferred (L): the patient delayed by > 7 working days")
    def patient_deferred(instance_id: str, body: schemas.PatientDeferred, runtime: Runtime, user: Auth):
        visible_instance(runtime.db, user, instance_id)
        runtime.register_patient_deferred(instance_id, occurred_on=body.occurred_on, note=body.note, actor=user.id)
        return queries.instance_detail(runtime.db, instance_id, runtime.today())

    @app.post("/instances/{instance_id}/messages", response_model=schemas.InstanceOut, responses=ERRORS,
              tags=["instances"], summary="Deliver a message (e.g. a crisis reported) to a pathway waiting for it")
    def send_message(instance_id: str, body: schemas.MessageIn, runtime: Runtime, user: Auth):
        visible_instance(runtime.db, user, instance_id)
        runtime.send_message(instance_id, body.name, data=body.data, occurred_on=body.occurred_on, actor=user.id)
        return queries.instance_detail(runtime.db, instance_id, runtime.today())

    @app.get("/tasks", response_model=schemas.TaskPage, responses=ERRORS, tags=["tasks"],
             summary="Open coordinator tasks in the caller's units, earliest due first")
    def list_tasks(runtime: Runtime, user: Auth,
                   unit: str | None = None,
                   pathway: str | None = None,
                   lane: Annotated[str | None, Query(description="Role / BPMN lane name")] = None,
                   assignee: str | None = None,
                   patient_key: str | None = None,
                   due_before: date | None = None,
                   overdue: bool | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 50,
                   offset: Annotated[int, Query(ge=0)] = 0):
        flt = queries.TaskFilter(unit=unit, pathway=pathway, lane=lane, assignee=assignee, due_before=due_before,
                                 overdue=overdue, patient_key=patient_key)
        return read_tasks(runtime, user, flt, limit=limit, offset=offset)

    @app.get("/tasks/{task_id}", response_model=schemas.TaskDetail, responses=ERRORS, tags=["tasks"],
             summary="One task with its form")
    def get_task(task_id: str, runtime: Runtime, user: Auth):
        return read_task(runtime, user, task_id)

    @app.post("/tasks/{task_id}/claim", response_model=schemas.TaskDetail, responses=ERRORS, tags=["tasks"])
    def claim_task(task_id: str, body: schemas.ClaimTask, runtime: Runtime, user: Auth):
        visible_task(runtime.db, user, task_id)
        runtime.claim_task(task_id, body.assignee, actor=user.id)
        return queries.get_task(runtime.db, task_id, runtime.today())

    @app.post("/tasks/{task_id}/unclaim", response_model=schemas.TaskDetail, responses=ERRORS, tags=["tasks"])
    def unclaim_task(task_id: str, runtime: Runtime, user: Auth):
        visible_task(runtime.db, user, task_id)
        runtime.unclaim_task(task_id, actor=user.id)
        return queries.get_task(runtime.db, task_id, runtime.today())

    @app.post("/tasks/{task_id}/complete", response_model=schemas.InstanceOut, responses=ERRORS, tags=["tasks"],
              summary="Register what happened and when; the pathway moves on")
    def complete_task(task_id: str, body: schemas.CompleteTask, runtime: Runtime, user: Auth):
        visible_task(runtime.db, user, task_id)
        instance_id = runtime.complete_task(task_id, data=body.data, occurred_on=body.occurred_on, actor=user.id)
        return queries.instance_detail(runtime.db, instance_id, runtime.today())

    @app.get("/audit", response_model=schemas.AuditPage, responses=ERRORS, tags=["drift"],
             summary="Who read or changed a patient's data, newest first (administrators)")
    def audit(runtime: Runtime, user: Annotated[Principal, role(ADMIN)],
              patient_key: str | None = None, actor: str | None = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0)] = 0):
        if patient_key:  # reading a patient's audit trail is itself a read of that patient's data
            record_reads(runtime.db, [audit_row(runtime.clock.now(), user.id, "read_audit", patient_key=patient_key)])
        return audit_trail(runtime.db, patient_key=patient_key, actor=actor, limit=limit, offset=offset)

    @app.post("/scheduler/run", response_model=schemas.TickOut, responses=ERRORS, tags=["drift"],
              dependencies=[role(ADMIN)],
              summary="Fire due timers and mark passed deadlines overdue now (the scheduler does this regularly)")
    def run_scheduler(runtime: Runtime):
        advanced, overdue = runtime.tick()
        return schemas.TickOut(instances_advanced=advanced, measurements_marked_overdue=overdue)
