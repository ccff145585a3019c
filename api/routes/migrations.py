"""Migration of running instances to another version of their pathway (modellers, administrators): a dry-run,
the migration itself (each instance in its own transaction), a revert, and the records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from engine.actions import migrations
from engine.runtime.migration import Selection

from .. import schemas
from ..deps import Auth, Limit, Offset, Runtime
from ..errors import RESPONSES

router = APIRouter(tags=["migrations"], responses=RESPONSES)
PathwayKey = Annotated[str, Path(max_length=100, description="The pathway key, e.g. tsb_d01")]


def _selection(key: str, body: schemas.MigrationRequest) -> Selection:
    return Selection(key, body.from_version_id, body.unit, body.element_id, tuple(body.instance_ids))


@router.post("/pathways/{key}/migrations/dry-run", response_model=schemas.MigrationReportOut,
             summary="Say per chosen instance whether it can move to the version, and what would change; "
                     "writes nothing")
def dry_run(key: PathwayKey, body: schemas.MigrationRequest, runtime: Runtime, user: Auth):
    return migrations.migrate_instances(runtime, user, _selection(key, body), to_version_id=body.to_version_id,
                                        dry_run=True)


@router.post("/pathways/{key}/migrations", response_model=schemas.MigrationReportOut,
             summary="Move the chosen running instances to the version, each in its own transaction")
def migrate(key: PathwayKey, body: schemas.MigrationRequest, runtime: Runtime, user: Auth):
    return migrations.migrate_instances(runtime, user, _selection(key, body), to_version_id=body.to_version_id,
                                        dry_run=False)


@router.get("/pathways/{key}/migrations", response_model=schemas.MigrationRecordPage,
            summary="The pathway's migration records (from and to version, who, when), newest first")
def list_migrations(key: PathwayKey, runtime: Runtime, user: Auth,
                    instance_id: Annotated[str | None, Query(max_length=36, description="Only this "
                                                                                          "pathway instance")] = None,
                    limit: Limit = 50, offset: Offset = 0):
    return migrations.read_migrations(runtime, user, key, instance_id=instance_id, limit=limit, offset=offset)


@router.post("/instances/{instance_id}/migration/revert", response_model=schemas.MigrationOutcomeOut,
             summary="Move the instance back to the version its last migration took it from")
def revert(instance_id: Annotated[str, Path(max_length=36, description="The pathway instance's id")], body: schemas.RevertRequest, runtime: Runtime,
           user: Auth):
    return migrations.revert_migration(runtime, user, instance_id, dry_run=body.dry_run)
