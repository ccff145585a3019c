"""The coordinator's worklist (`/arbeidsliste`): open tasks of the user's units, earliest due first, overdue and
soon-due rows marked; claim and release."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from engine.access.principals import ADMIN
from engine.actions import commands
from engine.actions.reads import read_tasks
from engine.deadlines.calendar import working_days_between
from engine.deadlines.rules import is_overdue
from engine.errors import Conflict
from engine.reading.incidents import open_incident_count
from engine.reading.pathways import list_pathways
from engine.reading.tasks import TaskFilter

from ..deps import PageUser, Runtime
from .labels import error_text
from .rendering import PageRoute, redirect, render
from .session import Form, safe_next

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 50
#: Rows due within this many working days are marked "Forfaller snart".
SOON_WORKING_DAYS = 3


def urgency(due_on: date | None, today: date) -> tuple[str, str] | None:
    """(css class, label) for an overdue task or one due within SOON_WORKING_DAYS working days; else None."""
    if due_on is None:
        return None
    if is_overdue(due_on, today):
        return "forfalt", "Forfalt"
    if working_days_between(today, due_on) <= SOON_WORKING_DAYS:
        return "snart", "Forfaller snart"
    return None


def urgency_columns(due_on: date | None, today: date) -> dict[str, str]:
    mark = urgency(due_on, today)
    return {"urgency_class": mark[0] if mark else "", "urgency_label": mark[1] if mark else ""}


def _page_number(raw: str) -> int:
    try:
        return max(1, min(int(raw), 10_000))
    except ValueError:
        return 1


def _paging(filters: dict[str, str], page_number: int, total: int) -> dict[str, Any]:
    active = {k: v for k, v in filters.items() if v}

    def link(number: int) -> str:
        return f"/arbeidsliste?{urlencode({**active, 'side': number})}"

    pages = max(1, -(-total // PAGE_SIZE))
    return {"here": link(page_number) if active or page_number > 1 else "/arbeidsliste", "page_number": page_number,
            "pages": pages, "prev_link": link(page_number - 1) if page_number > 1 else None,
            "next_link": link(page_number + 1) if page_number < pages else None}


@router.get("/arbeidsliste")
def worklist(request: Request, runtime: Runtime, user: PageUser, enhet: str = "", forlop: str = "", rolle: str = "",
             ansvarlig: str = "", pasient: str = "", side: str = "1"):
    page_number = _page_number(side)
    assignee = user.id if ansvarlig == "mine" else (ansvarlig.strip() or None)
    flt = TaskFilter(unit=enhet.strip() or None, pathway=forlop or None, lane=rolle or None,
                     assignee=assignee, patient_key=pasient.strip() or None)
    page = read_tasks(runtime, user, flt, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
    today = runtime.today()
    pathways = list_pathways(runtime.db, runtime.definitions)
    names = {p["key"]: p["name"] for p in pathways}
    rows = [{**task, "pathway_name": names.get(task["pathway"], task["pathway"]), "mine": task["assignee"] == user.id,
             **urgency_columns(task["due_on"], today)} for task in page["items"]]
    filters = {"enhet": enhet, "forlop": forlop, "rolle": rolle, "ansvarlig": ansvarlig, "pasient": pasient}
    return render(request, "worklist.html", rows=rows, total=page["total"], filters=filters, today=today,
                  pathways=pathways, lanes=sorted({lane for p in pathways for lane in p["lanes"]}),
                  units=user.units, is_admin=user.role == ADMIN, **_paging(filters, page_number, page["total"]),
                  incident_count=open_incident_count(runtime.db, user.visible_units()))


def _change_claim(form: dict[str, str], change: Callable[[], dict[str, Any]], done: str) -> RedirectResponse:
    """Claim or release, then back to the page the button was on, with what happened."""
    back = safe_next(form.get("tilbake"), "/arbeidsliste")
    try:
        task = change()
    except Conflict as exc:
        return redirect(back, flash=error_text(exc), kind="feil")
    return redirect(back, flash=done.format(label=task["label"]))


@router.post("/oppgaver/{task_id}/ta")
def claim(request: Request, task_id: str, runtime: Runtime, user: PageUser, form: Form):
    return _change_claim(form, lambda: commands.claim_task(runtime, user, task_id), "Du har tatt oppgaven «{label}».")


@router.post("/oppgaver/{task_id}/frigi")
def release(request: Request, task_id: str, runtime: Runtime, user: PageUser, form: Form):
    return _change_claim(form, lambda: commands.unclaim_task(runtime, user, task_id), "Oppgaven «{label}» er frigitt.")
