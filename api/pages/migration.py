"""Moving running patients to another version of their pathway (`/forlopstyper/{key}/migrering`), for modellers
and administrators: choose the patients, see the dry-run per patient, then move them. Plain forms: the dry-run
is a GET (it writes nothing), the migration a POST with the same choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Callable

from fastapi import APIRouter, Path, Request

from engine.actions import migrations
from engine.errors import ErrorCode, PathwayError
from engine.runtime.migration import Selection

from ..deps import PageUser, Runtime
from .inputs import whole_number
from .labels import ERROR_TEXTS, STATUS_LABELS, error_text, fill
from .rendering import PageRoute, render
from .session import Form

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE = "/forlopstyper/{key}/migrering"
PathwayKey = Annotated[str, Path(max_length=100)]


@dataclass(frozen=True)
class Choice:
    """The page's choice, as its form fields say it: to version, from version, unit, element."""

    til: int | None = None
    fra: int | None = None
    enhet: str = ""
    steg: str = ""

    @classmethod
    def read(cls, fields: dict[str, str]) -> "Choice":
        return cls(whole_number(fields.get("til", "")), whole_number(fields.get("fra", "")), fields.get("enhet", "")[:100],
                   fields.get("steg", "")[:100])

    def selection(self, key: str) -> Selection:
        return Selection(key, self.fra, self.enhet.strip() or None, self.steg.strip() or None)




def reason(code: str | None) -> str:
    """Why an instance did not move, in bokmål, by its code."""
    try:
        return fill(ERROR_TEXTS[ErrorCode(code)], {"where": ""})
    except (ValueError, KeyError):
        return code or ""


def _show(request: Request, runtime: Any, user: Any, key: str, choice: Choice, run: Callable[[], dict] | None,
          *, applied: bool = False):
    versions = migrations.migration_choices(runtime, user, key)
    report, error = None, None
    if run is not None:
        try:
            report = run()
        except PathwayError as exc:
            error = error_text(exc)
    return render(request, "migration.html", key=key, versions=versions, choice=choice, report=report, error=error,
                  applied=applied, reason=reason, status_labels=STATUS_LABELS)


@router.get(PAGE)
def migration_page(request: Request, key: PathwayKey, runtime: Runtime, user: PageUser):
    fields = dict(request.query_params)
    choice = Choice.read(fields)
    run = (lambda: migrations.migrate_instances(runtime, user, choice.selection(key), to_version_id=choice.til,
                                                dry_run=True)) if "provekjor" in fields else None
    return _show(request, runtime, user, key, choice, run)


@router.post(PAGE)
def migrate(request: Request, key: PathwayKey, runtime: Runtime, user: PageUser, form: Form):
    choice = Choice.read(form)
    return _show(request, runtime, user, key, choice, lambda: migrations.migrate_instances(
        runtime, user, choice.selection(key), to_version_id=choice.til, dry_run=False), applied=True)
