"""One task and its registration form (`/oppgaver/{id}`), generated from the task's form in the BPMN file.

The registration is checked by the engine's one validator (`engine.catalogue.forms.check_registration`), which
gives every refused field at once with a code; this page only reads the HTML form into the engine's terms and
translates the codes into bokmål next to each field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from engine.access.principals import Principal
from engine.actions import commands
from engine.actions.reads import read_task, registration_form
from engine.catalogue.definition import FormField
from engine.catalogue.forms import OCCURRED_ON, check_registration
from engine.errors import Conflict, ErrorCode, InvalidInput, NotFound
from engine.reading.pathways import get_pathway
from engine.runtime import PathwayRuntime
from engine.statuses import TaskStatus

from ..deps import PageUser, Runtime
from .labels import error_text, field_text, norwegian_date
from .rendering import PageRoute, redirect, render
from .session import Form
from .worklist import urgency

router = APIRouter(route_class=PageRoute, include_in_schema=False)
DATE_FIELD = "dato"
#: The checkbox that takes over a task someone else has claimed, as the registration is made.
TAKE_OVER_FIELD = "ta_over"


def field_name(field_id: str) -> str:
    return f"felt_{field_id}"


@dataclass
class FormCheck:
    data: dict[str, Any]
    occurred_on: date | None
    errors: dict[str, str]


def check_form(fields: list[dict[str, Any]], form: dict[str, str], today: date, previous: date | None) -> FormCheck:
    """A registration from the page's form, checked by the engine: its data, its date and the errors in bokmål
    by form field name. A checkbox not sent is false; text is trimmed; an empty field is not given."""
    specs = [FormField.from_view(f) for f in fields]
    data: dict[str, Any] = {}
    for spec in specs:
        raw = form.get(field_name(spec.id))
        if spec.type == "boolean":
            data[spec.id] = raw is not None and raw != ""
        elif (raw or "").strip():
            data[spec.id] = raw.strip()
    values, occurred_on, problems = check_registration(specs, data, (form.get(DATE_FIELD) or "").strip() or None,
                                                       today=today, previous=previous)
    types = {spec.id: spec.type for spec in specs}
    errors: dict[str, str] = {}
    for problem in problems:
        name = DATE_FIELD if problem.field == OCCURRED_ON else field_name(problem.field)
        errors.setdefault(name, field_text(problem, types.get(problem.field)))
    return FormCheck({k: v for k, v in values.items() if v is not None}, occurred_on, errors)


def _task_page(request: Request, runtime: PathwayRuntime, user: Principal, task_id: str, *,
               values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               general_error: str | None = None, status_code: int = 200) -> Response:
    task = read_task(runtime, user, task_id)
    today = runtime.today()
    fields = [{**f, "name": field_name(f["id"])} for f in task["form"]]
    # A late registration must not be dated today by default: the date of an overdue task is typed in.
    default_day = "" if task["overdue"] else today.isoformat()
    return render(request, "task.html", status_code, task=task, fields=fields, errors=errors or {},
                  values=values if values is not None else {DATE_FIELD: default_day},
                  labels={DATE_FIELD: "Dato for hendelsen", TAKE_OVER_FIELD: "Ta over oppgaven",
                          **{f["name"]: f["label"] for f in fields}},
                  claimed_by_other=bool(task["assignee"]) and task["assignee"] != user.id,
                  take_over_field=TAKE_OVER_FIELD, here=f"/oppgaver/{task_id}",
                  general_error=general_error, today=today, previous=task["last_occurred_on"],
                  urgency=urgency(task["due_on"], today) if task["status"] == TaskStatus.OPEN else None,
                  pathway_name=_pathway_name(runtime, task["pathway"]), date_field=DATE_FIELD)


def _pathway_name(runtime: PathwayRuntime, key: str) -> str:
    try:
        return get_pathway(runtime.db, runtime.definitions, key)["name"]
    except NotFound:
        return key


def _claim_error(exc: Exception) -> dict[str, str]:
    """A registration refused because someone else holds the task points at the take-over box."""
    if isinstance(exc, Conflict) and exc.code == ErrorCode.TASK_CLAIMED_BY_OTHER:
        return {TAKE_OVER_FIELD: "Kryss av for å ta over oppgaven, eller la den som har tatt den registrere."}
    return {}


@router.get("/oppgaver/{task_id}")
def task_page(request: Request, task_id: str, runtime: Runtime, user: PageUser):
    return _task_page(request, runtime, user, task_id)


@router.post("/oppgaver/{task_id}")
def register(request: Request, task_id: str, runtime: Runtime, user: PageUser, form: Form):
    task = registration_form(runtime, user, task_id)
    if task["status"] != TaskStatus.OPEN:
        return _task_page(request, runtime, user, task_id, values=form, status_code=409,
                          general_error="Oppgaven er ikke lenger åpen; den er allerede registrert eller avbrutt.")
    result = check_form(task["form"], form, runtime.today(), task["last_occurred_on"])
    if result.errors:
        return _task_page(request, runtime, user, task_id, values=form, errors=result.errors, status_code=422,
                          general_error="Registreringen er ikke lagret. Rett feltene som er merket.")
    try:
        commands.complete_task(runtime, user, task_id, data=result.data, occurred_on=result.occurred_on,
                               take_over=bool(form.get(TAKE_OVER_FIELD)))
    except (InvalidInput, Conflict) as exc:  # e.g. a concurrent registration, or an error in the pathway file
        return _task_page(request, runtime, user, task_id, values=form, status_code=422 if isinstance(
            exc, InvalidInput) else 409, general_error=f"Registreringen er ikke lagret. {error_text(exc)}",
            errors=_claim_error(exc))
    # The message travels in a cookie: it names the task, never the patient.
    return redirect("/arbeidsliste", flash=f"Registrert: «{task['label']}» ({norwegian_date(result.occurred_on)}).")
