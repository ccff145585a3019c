"""The FastAPI application: the factory and its lifespan (migrate, deploy the pathway files, demo data, the
in-process scheduler). Routes are in `api.routes`, pages in `api.pages`, the error mapping in `api.errors`."""

from __future__ import annotations

import asyncio
import gc
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Callable

from fastapi import FastAPI

from engine.access.principals import Users
from engine.catalogue.deployment import deploy_directory
from engine.clock import Clock, SystemClock
from engine.db.database import Database
from engine.db.migrate import upgrade
from engine.metrics import Backlog
from engine.runtime import PathwayRuntime
from engine.settings import Settings

from . import pages, routes
from .errors import install_error_handlers
from .limits import RequestLimits
from .observability import RequestObservability
from .routes import migrations as migration_routes

log = logging.getLogger("pathways.api")


def create_app(settings: Settings | None = None, clock: Clock | None = None, *,
               run_scheduler: bool | None = None, demo_progress: Callable[[int, int], None] | None = None,
               freeze_after_start: bool = False) -> FastAPI:
    """The application; `demo_progress` is told how far the demo data has come (`engine.demo.seed.Progress`):
    the server passes a terminal bar, tests nothing.

    `freeze_after_start` (the server's processes, not tests, which make many apps in one process): once started,
    the current pathway versions are parsed, and the objects made so far (those, the routes) are moved out of
    the garbage collector's sight, as
    they live as long as the process; a full collection then walks only what requests made. The every-unit
    compliance report makes a few hundred thousand objects, and the collections they set off walked all of it."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_pool_overflow)
    runtime = PathwayRuntime(db, clock)
    scheduler_on = settings.scheduler_interval_seconds > 0 if run_scheduler is None else run_scheduler

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        prepare(runtime, settings, demo_progress)
        if freeze_after_start:
            runtime.definitions.load_current()
            gc.collect()
            gc.freeze()
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
        docs_url=None,  # served by api.routes.docs from the app's own files, not a CDN
        redoc_url=None,
    )
    app.state.db = db
    app.state.runtime = runtime
    app.state.users = Users(db, dev_mode=settings.auth_mode == "dev")
    app.state.clock = clock
    app.state.backlog = Backlog(db, clock)
    install_error_handlers(app)
    app.add_middleware(RequestLimits)
    app.add_middleware(RequestObservability)  # added last: outermost, so it sees every answer, refusals too
    app.include_router(routes.router)
    app.include_router(migration_routes.router)
    pages.install(app)
    return app


def prepare(runtime: PathwayRuntime, settings: Settings,
            demo_progress: Callable[[int, int], None] | None = None) -> None:
    """Bring the database to this version: migrate, deploy the pathway files, load the demo data when asked.
    Several processes may start at once on one database: one prepares while the others wait, then find it done."""
    with runtime.db.exclusive("pathways:startup"):
        upgrade(runtime.db)
        deploy_directory(runtime.db, runtime.clock, settings.pathways_dir)
        if settings.demo_data:
            from engine.demo.loader import load_demo_data
            load_demo_data(runtime, progress=demo_progress)


async def _scheduler(runtime: PathwayRuntime, interval: float) -> None:
    while True:
        try:
            await asyncio.to_thread(runtime.tick)
        except Exception:  # keep the scheduler alive; the next tick retries
            log.exception("scheduler tick failed")
        await asyncio.sleep(interval)
