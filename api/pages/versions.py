"""A pathway's versions (`/forlopstyper/{key}/versjoner`): when and by whom each was deployed, the patients running
on it, a download of its file and what changed between two versions; and, for modellers and administrators,
deploying a file from the page (`/forlopstyper/last-opp`): check it first (lint report and what it would change),
then take it into use. The same engine functions as the API (`engine.actions.modelling`)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Path, Request

from engine.actions import modelling
from engine.errors import ErrorCode, InvalidInput

from ..deps import PageUser, Runtime
from .inputs import whole_number
from .labels import CHANGE_KIND_LABELS, CHANGE_LABELS, error_text
from .rendering import PageRoute, redirect, render
from .session import Form, UploadForm

router = APIRouter(route_class=PageRoute, include_in_schema=False)
UPLOAD = "/forlopstyper/last-opp"
PathwayKey = Annotated[str, Path(max_length=100)]


@router.get("/forlopstyper/{key}/versjoner")
def versions(request: Request, key: PathwayKey, runtime: Runtime, user: PageUser, fra: str = "", til: str = ""):
    listed = modelling.pathway_versions(runtime, key)
    ids = [v["version_id"] for v in listed["versions"]]
    to_id = whole_number(til) or ids[0]
    from_id = whole_number(fra) or next((i for i in ids if i < to_id), None)
    diff = modelling.compare_versions(runtime, key, from_id, to_id) if from_id else None
    return render(request, "versions.html", pathway=listed, diff=diff, from_id=from_id, to_id=to_id,
                  kinds=CHANGE_KIND_LABELS, changes=CHANGE_LABELS, can_deploy=user.role in modelling.DEPLOYERS)


@router.get(UPLOAD)
def upload_form(request: Request, runtime: Runtime, user: PageUser):
    modelling.require_deployer(user)
    return render(request, "deploy.html", report=None)


@router.post(UPLOAD)
def check(request: Request, runtime: Runtime, user: PageUser, upload: UploadForm):
    fields, files = upload
    filename, source = files.get("fil", ("", b""))
    if not source:
        return render(request, "deploy.html", status_code=422, report=None,
                      error=error_text(InvalidInput(ErrorCode.PATHWAY_FILE_EMPTY, "no file")))
    report = modelling.check_file(runtime, user, source, filename or "opplastet.bpmn")
    text = _text(source)
    return render(request, "deploy.html", status_code=200 if report["valid"] else 422, report=report, source=text,
                  checksum=hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else "",
                  kinds=CHANGE_KIND_LABELS, changes=CHANGE_LABELS)


@router.post("/forlopstyper/ta-i-bruk")
def take_into_use(request: Request, runtime: Runtime, user: PageUser, form: Form):
    source = (form.get("kilde") or "").replace("\r\n", "\n").encode("utf-8")
    if hashlib.sha256(source).hexdigest() != form.get("sjekksum"):
        return redirect(UPLOAD, flash="Filen ble endret etter kontrollen. Last den opp og kontroller den på nytt.",
                        kind="feil")
    try:
        deployed = modelling.deploy_file(runtime, user, source, (form.get("filnavn") or "opplastet.bpmn")[:200])
    except InvalidInput as exc:
        return redirect(UPLOAD, flash=error_text(exc), kind="feil")
    done = (f"Versjon {deployed.version_id} er tatt i bruk. Nye forløp starter på den; pågående forløp blir på "
            f"sin versjon." if deployed.created else f"Filen er allerede versjon {deployed.version_id}, som nå er "
                                                     f"gjeldende.")
    return redirect(f"/forlopstyper/{deployed.pathway_key}/versjoner", flash=done)


def _text(source: bytes) -> str | None:
    """The checked file as text for the confirmation form (a browser sends a text field's line ends as CRLF, so
    they are LF on both sides of the check), or None when it is not UTF-8 (it is then not valid either)."""
    try:
        return source.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return None

