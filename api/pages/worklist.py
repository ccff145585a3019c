"""The coordinator's worklist (`/arbeidsliste`): open tasks of the user's units, most urgent first (the nearest
running deadline of the task's pathway, `engine.reading.tasks`), each row with the pathway's running deadlines;
quick filters with counts (overdue, due this week, due within 3 working days, mine, unclaimed, incidents); the
units' data-quality findings (one count query) linked to their report; claim, release and take over."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from engine.access.principals import ADMIN
from engine.actions import commands
from engine.actions.reads import read_tasks
from engine.actions.reports import data_quality_count
from engine.deadlines import rules
from engine.errors import Conflict
from engine.reading.incidents import open_incident_count
from engine.reading.pathways import pathway_choices
from engine.reading.tasks import COUNT_CAP, TaskFilter
from engine.statuses import DeadlineStatus

from ..deps import PageUser, Runtime
from .labels import error_text
from .rendering import PageRoute, page_links, redirect, render
from .session import Form, safe_next

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 50
#: The last page the worklist links to and serves: the task count stops at COUNT_CAP ("1000+"), 20 pages of 50.
LAST_PAGE = COUNT_CAP // PAGE_SIZE
#: How the engine's urgency rule (`engine.deadlines.rules.urgency`) is marked: css class and label.
URGENCY_MARKS = {DeadlineStatus.OVERDUE: ("forfalt", "Forfalt"), "due_soon": ("snart", "Forfaller snart")}
#: The quick filters (`vis=`): label and what they ask of the task list; their counts come from the engine.
QUICK_FILTERS = {"forfalt": ("Forfalt", "overdue"), "uke": ("Forfaller denne uka", "this_week"),
                 "snart": ("Innen 3 arbeidsdager", "soon"), "mine": ("Mine", "mine"),
                 "ledige": ("Ikke tatt", "unclaimed")}


def urgency(due_on: date | None, today: date) -> tuple[str, str] | None:
    """(css class, label) for an overdue deadline or one due soon; else None."""
    mark = rules.urgency(due_on, today)
    return URGENCY_MARKS[mark] if mark else None


def urgency_columns(due_on: date | None, today: date) -> dict[str, str]:
    mark = urgency(due_on, today)
    return {"urgency_class": mark[0] if mark else "", "urgency_label": mark[1] if mark else ""}


def _page_number(raw: str) -> int:
    """The page asked for, within the pages the list counts (LAST_PAGE): a deeper offset would read every task
    it skips, and past the count's cap the way on is a filter (or the API's cursor)."""
    try:
        return max(1, min(int(raw), LAST_PAGE))
    except ValueError:
        return 1


def task_filter(user_id: str, filters: dict[str, str]) -> TaskFilter:
    """The page's filters in the engine's terms; an unknown quick filter is ignored."""
    quick = QUICK_FILTERS.get(filters["vis"], ("", ""))[1]
    assignee = user_id if "mine" in (filters["ansvarlig"], quick) else (filters["ansvarlig"].strip() or None)
    return TaskFilter(unit=filters["enhet"].strip() or None, pathway=filters["forlop"] or None,
                      lane=filters["rolle"] or None, assignee=assignee, patient_key=filters["pasient"].strip() or None,
                      due=quick if quick in ("overdue", "this_week", "soon") else None, unclaimed=quick == "unclaimed")


def _quick_links(filters: dict[str, str], counts: dict[str, int]) -> list[dict[str, Any]]:
    """Each quick filter as a link keeping the other filters (a second click on the active one clears it)."""
    links = []
    for key, (label, count_key) in QUICK_FILTERS.items():
        query = {k: v for k, v in {**filters, "vis": "" if filters["vis"] == key else key}.items() if v}
        links.append({"key": key, "label": label, "count": counts[count_key], "active": filters["vis"] == key,
                      "href": f"/arbeidsliste?{urlencode(query)}" if query else "/arbeidsliste"})
    return links


def _row(task: dict[str, Any], names: dict[str, str], user_id: str, today: date) -> dict[str, Any]:
    nearest = task["nearest_deadline"]
    return {**task, "pathway_name": names.get(task["pathway"], task["pathway"]), "mine": task["assignee"] == user_id,
            "deadline_label": nearest["label"] if nearest else ("Oppgavens frist" if task["due_on"] else None),
            **urgency_columns(task["urgent_on"], today)}


@router.get("/arbeidsliste")
def worklist(request: Request, runtime: Runtime, user: PageUser, enhet: str = "", forlop: str = "", rolle: str = "",
             ansvarlig: str = "", pasient: str = "", vis: str = "", side: str = "1"):
    page_number = _page_number(side)
    filters = {"enhet": enhet, "forlop": forlop, "rolle": rolle, "ansvarlig": ansvarlig, "pasient": pasient,
               "vis": vis if vis in QUICK_FILTERS else ""}
    page = read_tasks(runtime, user, task_filter(user.id, filters), limit=PAGE_SIZE,
                      offset=(page_number - 1) * PAGE_SIZE)
    today = runtime.today()
    pathways = pathway_choices(runtime.db, runtime.definitions)
    names = {p["key"]: p["name"] for p in pathways}
    return render(request, "worklist.html", rows=[_row(t, names, user.id, today) for t in page["items"]],
                  total=page["total"], filters=filters, today=today, quick_links=_quick_links(filters, page["counts"]),
                  pathways=pathways, lanes=sorted({lane for p in pathways for lane in p["lanes"]}),
                  units=user.units, is_admin=user.role == ADMIN,
                  **page_links("/arbeidsliste", filters, page_number, page["total"], PAGE_SIZE, LAST_PAGE),
                  incident_count=open_incident_count(runtime.db, user.visible_units()),
                  data_quality_count=data_quality_count(runtime, user))


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


@router.post("/oppgaver/{task_id}/ta-over")
def take_over(request: Request, task_id: str, runtime: Runtime, user: PageUser, form: Form):
    """The explicit "Ta over": the claim moves to the user from whoever held it (audited as a take-over)."""
    return _change_claim(form, lambda: commands.claim_task(runtime, user, task_id, take_over=True),
                         "Du har tatt over oppgaven «{label}».")
