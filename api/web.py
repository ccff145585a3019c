"""The web pages: server-rendered HTML (Jinja2 templates in api/templates), plain forms and links, no JavaScript.

Pages (all text in Norwegian bokmål):

- `/logg-inn`, `/logg-ut`: log in with a token (in dev mode also by choosing one of the dev users); the token is
  kept in the `pathways_token` cookie (HttpOnly, SameSite=Lax), the same cookie the API accepts.
- `/arbeidsliste`: a coordinator's open tasks (their own units; admin: all, with a unit filter), earliest due
  first, overdue and soon-due rows marked; claim and release.
- `/oppgaver/{id}`: one task and its registration form, generated from the task's definition in the BPMN file.
- `/forlop/{id}`: a patient's pathway as a timeline: measuring points, deadlines with their status, open tasks.
- `/forlopstyper`: the deployed pathways and their deadlines (every role).
- `/rapporter`: the compliance dashboard (api/reports.py).

Roles are those of the API (engine/access/): pages with patient data are for coordinators (own units) and
administrators; another unit's task or pathway is "not found" (404), managers and modellers get 403. Every page
that shows patient data reads it through the same audited helpers as the API (api.app.read_tasks/read_task/
read_instance), so each one leaves audit rows.

CSRF: every form that changes data carries a token that is an HMAC of the user's auth token (key) over a fixed
label, and every POST checks it with a constant-time comparison. A page from another site cannot read the
HttpOnly cookie and so cannot compute the token; the SameSite=Lax cookie is a second line, not the only one.
The login form itself uses a double-submit token (a random cookie repeated in the form), against login CSRF.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Callable
from urllib.parse import quote, unquote, urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from engine.access.policy import require_patient_access, visible_task
from engine.access.principals import ADMIN, COORDINATOR, MANAGER, ROLE_LABELS, Principal
from engine.deadlines import indicators as ind
from engine.deadlines.calendar import working_days_between
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from engine.reading import queries
from engine.runtime import PathwayRuntime

from .app import read_instance, read_task, read_tasks
from .security import COOKIE, token_of

HERE = Path(__file__).resolve().parent
FLASH_COOKIE = "pathways_flash"
LOGIN_COOKIE = "pathways_login"
CSRF_FIELD = "csrf"
PAGE_SIZE = 50
#: Rows due within this many working days are marked "Forfaller snart".
SOON_WORKING_DAYS = 3
_CSRF_LABEL = b"pathways-web-csrf-v1"

templates = Jinja2Templates(directory=HERE / "templates")

STATUS_LABELS = {ind.PENDING: "venter", ind.OVERDUE: "forfalt", ind.MET: "innfridd", ind.BREACHED: "brutt",
                 ind.DEFERRED: "pasientutsatt", ind.CANCELLED: "avbrutt"}
INSTANCE_STATUS_LABELS = {"active": "aktivt", "closed": "avsluttet", "completed": "fullført",
                          "cancelled": "avbrutt"}
SETTING_LABELS = {"outpatient": "poliklinikk", "inpatient": "døgn"}
DAY_UNIT_LABELS = {"calendar_days": "dager", "working_days": "virkedager", "calendar_months": "måneder"}
#: Short names of the common measuring points; others are named after the BPMN element that registers them.
POINT_LABELS = {
    "referral_received": "Henvisning mottatt", "referral_assessed": "Henvisning vurdert",
    "first_attendance": "Første fremmøte", "clinical_decision": "Klinisk beslutning",
    "somatic_health_assessed": "Somatisk helse kartlagt", "treatment_plan": "Behandlingsplan",
    "treatment_started": "Behandling startet", "detoxification_completed": "Avrusning fullført",
    "evaluation": "Evaluering", "closure": "Avslutning", ind.PATIENT_DEFERRED: "Pasientutsatt (L)",
}


def _norwegian_date(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%d.%m.%Y")


def _percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{value * 100:.{digits}f}".replace(".", ",")
    return f"{text} %"


templates.env.filters["dato"] = _norwegian_date
templates.env.filters["prosent"] = _percent
templates.env.globals.update(STATUS_LABELS=STATUS_LABELS, SETTING_LABELS=SETTING_LABELS,
                             DAY_UNIT_LABELS=DAY_UNIT_LABELS, ROLE_LABELS=ROLE_LABELS)


# ---- authentication, errors and rendering ------------------------------------------------------------------


class LoginRequired(Exception):
    """No valid token: the page redirects to the login page."""


def current_user(request: Request) -> Principal:
    token = token_of(request)
    user = request.app.state.users.authenticate(token)
    if user is None:
        raise LoginRequired()
    request.state.user = user
    request.state.token = token
    return user


User = Annotated[Principal, Depends(current_user)]


def csrf_token(token: str) -> str:
    return hmac.new(token.encode(), _CSRF_LABEL, hashlib.sha256).hexdigest()


async def checked_form(request: Request, user: User) -> dict[str, str]:
    """The POSTed form of a logged-in user, after the CSRF check (403 when the token is missing or wrong)."""
    form = await request.form()
    data = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    sent = data.pop(CSRF_FIELD, "")
    if not hmac.compare_digest(sent.encode(), csrf_token(request.state.token).encode()):
        raise Forbidden("Skjemaet mangler gyldig sikkerhetsnøkkel (CSRF). Last siden på nytt og prøv igjen.")
    return data


Form = Annotated[dict[str, str], Depends(checked_form)]


def _runtime(request: Request) -> PathwayRuntime:
    return request.app.state.runtime


Runtime = Annotated[PathwayRuntime, Depends(_runtime)]


def safe_next(target: str | None, default: str = "/start") -> str:
    """A local path to go back to; anything else (other hosts, schemes, `//host`) gives the default."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target


def login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/logg-inn?" + urlencode({"neste": here})


def nav_for(user: Principal | None) -> list[tuple[str, str]]:
    if user is None:
        return []
    links = []
    if user.role in (COORDINATOR, ADMIN):
        links.append(("/arbeidsliste", "Arbeidsliste"))
    if user.role in (COORDINATOR, MANAGER, ADMIN):
        links.append(("/rapporter", "Rapporter"))
    links.append(("/forlopstyper", "Forløpstyper"))
    return links


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    user: Principal | None = getattr(request.state, "user", None)
    token: str | None = getattr(request.state, "token", None)
    flash = request.cookies.get(FLASH_COOKIE)
    context = {
        "user": user, "role_label": ROLE_LABELS.get(user.role, user.role) if user else "",
        "csrf": csrf_token(token) if token else "", "nav": nav_for(user), "path": request.url.path,
        "flash": _read_flash(flash) if flash else None, **context,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    _page_headers(response)
    return response


def _page_headers(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'")


def redirect(target: str, *, flash: str | None = None, kind: str = "ok") -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    if flash:
        response.set_cookie(FLASH_COOKIE, quote(f"{kind}:{flash}"), httponly=True, samesite="lax", path="/",
                            max_age=120)
    return response


def _read_flash(raw: str) -> dict[str, str]:
    text = unquote(raw)
    kind, _, message = text.partition(":")
    if kind not in ("ok", "feil"):
        kind, message = "ok", text
    return {"kind": kind, "message": message[:500]}


def error_page(request: Request, status_code: int, message: str | None = None) -> Response:
    titles = {400: "Ugyldig forespørsel", 403: "Ingen tilgang", 404: "Finnes ikke", 409: "Konflikt"}
    defaults = {
        400: "Adressen inneholder ugyldige verdier.",
        403: "Du har ikke tilgang til denne siden.",
        404: "Siden eller opplysningene finnes ikke, eller du har ikke tilgang til dem.",
    }
    return render(request, "error.html", status_code, title=titles.get(status_code, "Feil"),
                  message=message or defaults.get(status_code, "Noe gikk galt."), status=status_code)


_FORBIDDEN_TEXT = {
    "sees no patient data": "Din rolle har ikke tilgang til pasientopplysninger.",
    "may not do this": "Din rolle har ikke tilgang til denne siden.",
}


def _forbidden_message(exc: Forbidden) -> str:
    text = str(exc)
    for pattern, norwegian in _FORBIDDEN_TEXT.items():
        if pattern in text:
            return norwegian
    return text if text and not text.isascii() else "Du har ikke tilgang til denne siden."


class PageRoute(APIRoute):
    """A route that answers with HTML pages: log-in redirect, 403, 404 and 400 pages instead of JSON."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except (LoginRequired, Unauthenticated):
                return RedirectResponse(login_url(request), status_code=303)
            except Forbidden as exc:
                return error_page(request, 403, _forbidden_message(exc))
            except NotFound:
                return error_page(request, 404)
            except RequestValidationError:
                return error_page(request, 400)

        return page_handler


router = APIRouter(route_class=PageRoute, include_in_schema=False)


def install(app: FastAPI) -> None:
    """Add the pages and their static files to the application."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


# ---- log in / log out --------------------------------------------------------------------------------------


@router.get("/start")
def start(request: Request):
    user = request.app.state.users.authenticate(token_of(request))
    if user is None:
        return RedirectResponse("/logg-inn", status_code=303)
    if user.role in (COORDINATOR, ADMIN):
        return RedirectResponse("/arbeidsliste", status_code=303)
    if user.role == MANAGER:
        return RedirectResponse("/rapporter", status_code=303)
    return RedirectResponse("/forlopstyper", status_code=303)


def _login_page(request: Request, *, neste: str, error: str | None = None, status_code: int = 200) -> Response:
    login_csrf = secrets.token_urlsafe(24)
    users = request.app.state.users
    dev_users = [(token, principal) for token, principal in users.dev_users().items()]
    response = render(request, "login.html", status_code, neste=safe_next(neste), error=error,
                      login_csrf=login_csrf, dev_users=dev_users, dev_mode=users.dev_mode)
    response.set_cookie(LOGIN_COOKIE, login_csrf, httponly=True, samesite="lax", path="/logg-inn")
    return response


@router.get("/logg-inn")
def login_form(request: Request, neste: str = "/start"):
    return _login_page(request, neste=neste)


@router.post("/logg-inn")
async def login(request: Request):
    form = await request.form()
    token = str(form.get("token") or form.get("dev_token") or "").strip()
    neste = safe_next(str(form.get("neste") or ""))
    sent = str(form.get("login_csrf") or "")
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        return _login_page(request, neste=neste, status_code=400,
                           error="Innloggingsskjemaet var utløpt. Prøv igjen.")
    user = request.app.state.users.authenticate(token) if token else None
    if user is None:
        return _login_page(request, neste=neste, status_code=401,
                           error="Ukjent eller ugyldig nøkkel. Kontroller nøkkelen og prøv igjen.")
    response = redirect(neste, flash=f"Du er logget inn som {user.name} ({ROLE_LABELS.get(user.role, user.role)}).")
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https")
    response.delete_cookie(LOGIN_COOKIE, path="/logg-inn")
    return response


@router.get("/logg-ut")
def logout_form(request: Request, user: User):
    return render(request, "logout.html")


@router.post("/logg-ut")
def logout(request: Request, form: Form):
    response = redirect("/logg-inn", flash="Du er logget ut.")
    response.delete_cookie(COOKIE, path="/")
    return response


# ---- the worklist ------------------------------------------------------------------------------------------


def urgency(due_on: date | None, today: date) -> tuple[str, str] | None:
    """(css class, label) for an overdue task or one due within SOON_WORKING_DAYS working days; else None."""
    if due_on is None:
        return None
    if due_on < today:
        return "forfalt", "Forfalt"
    if working_days_between(today, due_on) <= SOON_WORKING_DAYS:
        return "snart", "Forfaller snart"
    return None


def _page_number(raw: str) -> int:
    try:
        return max(1, min(int(raw), 10_000))
    except ValueError:
        return 1


def _catalogue(runtime: PathwayRuntime) -> list[dict[str, Any]]:
    return queries.list_pathways(runtime.db)


@router.get("/arbeidsliste")
def worklist(request: Request, runtime: Runtime, user: User, enhet: str = "", forlop: str = "", rolle: str = "",
             ansvarlig: str = "", pasient: str = "", side: str = "1"):
    require_patient_access(user)
    page_number = _page_number(side)
    assignee = user.id if ansvarlig == "mine" else (ansvarlig.strip() or None)
    flt = queries.TaskFilter(unit=enhet.strip() or None, pathway=forlop or None, lane=rolle or None,
                             assignee=assignee, patient_key=pasient.strip() or None)
    page = read_tasks(runtime, user, flt, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
    today = runtime.today()
    pathways = _catalogue(runtime)
    names = {p["key"]: p["name"] for p in pathways}
    lanes = sorted({lane for p in pathways for lane in p["lanes"]})
    rows = []
    for task in page["items"]:
        mark = urgency(task["due_on"], today)
        rows.append({**task, "pathway_name": names.get(task["pathway"], task["pathway"]),
                     "urgency_class": mark[0] if mark else "", "urgency_label": mark[1] if mark else "",
                     "mine": task["assignee"] == user.id})
    filters = {"enhet": enhet, "forlop": forlop, "rolle": rolle, "ansvarlig": ansvarlig, "pasient": pasient}
    active = {k: v for k, v in filters.items() if v}
    here = "/arbeidsliste" + (f"?{urlencode({**active, 'side': page_number})}" if active or page_number > 1 else "")
    pages = max(1, -(-page["total"] // PAGE_SIZE))
    return render(request, "worklist.html", rows=rows, total=page["total"], filters=filters, today=today,
                  pathways=pathways, lanes=lanes, units=user.units, is_admin=user.role == ADMIN, here=here,
                  page_number=page_number, pages=pages,
                  prev_link=f"/arbeidsliste?{urlencode({**active, 'side': page_number - 1})}" if page_number > 1 else None,
                  next_link=f"/arbeidsliste?{urlencode({**active, 'side': page_number + 1})}" if page_number < pages else None)


_CONFLICT_TEXT = (
    ("already claimed by", "Oppgaven er allerede tatt av en annen."),
    ("already completed", "Oppgaven er allerede registrert."),
    ("already cancelled", "Oppgaven er avbrutt."),
    ("changed by someone else", "Oppgaven ble endret av noen andre samtidig. Last siden på nytt og prøv igjen."),
    ("busy with another change", "Forløpet oppdateres av noen andre akkurat nå. Prøv igjen om litt."),
)


def _conflict_message(exc: Conflict) -> str:
    text = str(exc)
    for pattern, norwegian in _CONFLICT_TEXT:
        if pattern in text:
            return norwegian
    return "Oppgaven kunne ikke endres fordi den er endret i mellomtiden. Last siden på nytt."


@router.post("/oppgaver/{task_id}/ta")
def claim(request: Request, task_id: str, runtime: Runtime, user: User, form: Form):
    back = safe_next(form.get("tilbake"), "/arbeidsliste")
    task = visible_task(runtime.db, user, task_id)
    try:
        runtime.claim_task(task_id, user.id, actor=user.id)
    except Conflict as exc:
        return redirect(back, flash=_conflict_message(exc), kind="feil")
    return redirect(back, flash=f"Du har tatt oppgaven «{task.label}».")


@router.post("/oppgaver/{task_id}/frigi")
def release(request: Request, task_id: str, runtime: Runtime, user: User, form: Form):
    back = safe_next(form.get("tilbake"), "/arbeidsliste")
    task = visible_task(runtime.db, user, task_id)
    try:
        runtime.unclaim_task(task_id, actor=user.id)
    except Conflict as exc:
        return redirect(back, flash=_conflict_message(exc), kind="feil")
    return redirect(back, flash=f"Oppgaven «{task.label}» er frigitt.")


# ---- registering a task ------------------------------------------------------------------------------------

_MAX_TEXT = 4000
DATE_FIELD = "dato"


def field_name(field_id: str) -> str:
    return f"felt_{field_id}"


@dataclass
class FormCheck:
    data: dict[str, Any]
    occurred_on: date | None
    errors: dict[str, str]


def check_form(fields: list[dict[str, Any]], form: dict[str, str], today: date,
               previous: date | None) -> FormCheck:
    """Validate a registration in Norwegian, field by field, before the engine sees it (which checks again)."""
    errors: dict[str, str] = {}
    occurred_on: date | None = None
    raw_date = (form.get(DATE_FIELD) or "").strip()
    if not raw_date:
        errors[DATE_FIELD] = "Oppgi datoen da det skjedde."
    else:
        try:
            occurred_on = date.fromisoformat(raw_date)
        except ValueError:
            errors[DATE_FIELD] = "Ugyldig dato. Bruk formatet åååå-mm-dd."
        else:
            if occurred_on > today:
                errors[DATE_FIELD] = f"Datoen kan ikke være fram i tid (i dag er {_norwegian_date(today)})."
            elif previous is not None and occurred_on < previous:
                errors[DATE_FIELD] = ("Datoen kan ikke være før forrige registrerte målepunkt "
                                      f"({_norwegian_date(previous)}).")
    data: dict[str, Any] = {}
    for spec in fields:
        name = field_name(spec["id"])
        raw = form.get(name)
        if spec["type"] == "boolean":
            data[spec["id"]] = raw is not None and raw != ""
            continue
        text = (raw or "").strip()
        if not text:
            if spec["required"]:
                errors[name] = "Velg et alternativ." if spec["type"] == "enum" else "Feltet må fylles ut."
            continue
        if spec["type"] == "long":
            try:
                data[spec["id"]] = int(text)
            except ValueError:
                errors[name] = "Skriv et helt tall."
        elif spec["type"] == "date":
            try:
                data[spec["id"]] = date.fromisoformat(text).isoformat()
            except ValueError:
                errors[name] = "Ugyldig dato. Bruk formatet åååå-mm-dd."
        elif spec["type"] == "enum":
            if text not in {option["id"] for option in spec["options"]}:
                errors[name] = "Velg et av alternativene i listen."
            else:
                data[spec["id"]] = text
        else:
            if len(text) > _MAX_TEXT:
                errors[name] = f"Teksten er for lang (høyst {_MAX_TEXT} tegn)."
            else:
                data[spec["id"]] = text
    return FormCheck(data, occurred_on, errors)


def _engine_problem(exc: InvalidInput) -> str:
    text = str(exc)
    if "in the future" in text:
        return "Datoen kan ikke være fram i tid."
    if "before the previous measuring point" in text:
        return "Datoen kan ikke være før forrige registrerte målepunkt."
    if "is required" in text:
        return "Et obligatorisk felt mangler."
    return "Registreringen ble avvist av forløpsmotoren. Kontroller feltene og prøv igjen."


def _previous_point(runtime: PathwayRuntime, instance_id: str) -> date | None:
    # Only the date, for the form's lower limit; the task read that shows this page is already audited.
    detail = queries.instance_detail(runtime.db, instance_id, runtime.today())
    dates = [p["occurred_on"] for p in detail["measuring_points"] if p["occurred_on"] is not None]
    return max(dates) if dates else None


def _task_page(request: Request, runtime: PathwayRuntime, user: Principal, task_id: str, *,
               values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               general_error: str | None = None, status_code: int = 200) -> Response:
    task = read_task(runtime, user, task_id)
    today = runtime.today()
    previous = _previous_point(runtime, task["instance_id"])
    mark = urgency(task["due_on"], today) if task["status"] == "open" else None
    pathway = next((p for p in _catalogue(runtime) if p["key"] == task["pathway"]), None)
    values = values if values is not None else {DATE_FIELD: today.isoformat()}
    fields = [{**f, "name": field_name(f["id"])} for f in task["form"]]
    labels = {DATE_FIELD: "Dato for hendelsen", **{f["name"]: f["label"] for f in fields}}
    return render(request, "task.html", status_code, task=task, fields=fields, values=values, errors=errors or {},
                  labels=labels,
                  general_error=general_error, today=today, previous=previous, urgency=mark,
                  pathway_name=pathway["name"] if pathway else task["pathway"], date_field=DATE_FIELD)


@router.get("/oppgaver/{task_id}")
def task_page(request: Request, task_id: str, runtime: Runtime, user: User):
    return _task_page(request, runtime, user, task_id)


@router.post("/oppgaver/{task_id}")
def register(request: Request, task_id: str, runtime: Runtime, user: User, form: Form):
    task = visible_task(runtime.db, user, task_id)
    spec = queries.get_task(runtime.db, task_id, runtime.today())
    if task.status != "open":
        return _task_page(request, runtime, user, task_id, values=form, status_code=409,
                          general_error="Oppgaven er ikke lenger åpen; den er allerede registrert eller avbrutt.")
    result = check_form(spec["form"], form, runtime.today(), _previous_point(runtime, task.instance_id))
    if result.errors:
        return _task_page(request, runtime, user, task_id, values=form, errors=result.errors, status_code=422,
                          general_error="Registreringen er ikke lagret. Rett feltene som er merket.")
    try:
        runtime.complete_task(task_id, data=result.data, occurred_on=result.occurred_on, actor=user.id)
    except InvalidInput as exc:
        return _task_page(request, runtime, user, task_id, values=form, status_code=422,
                          general_error=f"Registreringen er ikke lagret. {_engine_problem(exc)}")
    except Conflict as exc:
        return _task_page(request, runtime, user, task_id, values=form, status_code=409,
                          general_error=f"Registreringen er ikke lagret. {_conflict_message(exc)}")
    # The message travels in a cookie: it names the task, never the patient.
    return redirect("/arbeidsliste", flash=f"Registrert: «{task.label}» ({_norwegian_date(result.occurred_on)}).")


# ---- the pathway timeline ----------------------------------------------------------------------------------


def _labels(runtime: PathwayRuntime, version_id: int):
    """Norwegian names for a version's elements, measuring points and outcomes, from its BPMN file."""
    with runtime.db.engine.connect() as conn:
        definition = runtime.definition_of(conn, version_id)

    def element(element_id: str | None) -> str | None:
        if not element_id:
            return None
        task = definition.tasks.get(element_id)
        if task is not None:
            return task.label
        spec = definition.spec.task_specs.get(element_id) if definition.spec is not None else None
        return getattr(spec, "bpmn_name", None) or None

    def point(code: str) -> str:
        if code in POINT_LABELS:
            return POINT_LABELS[code]
        for element_id, point_code in definition.measuring_points.items():
            if point_code == code and element(element_id):
                return element(element_id)
        return code

    def outcome(element_id: str | None, value: str | None) -> str | None:
        if not value:
            return None
        task = definition.tasks.get(element_id or "")
        for spec in (task.form if task else ()):
            for option_id, label in spec.options:
                if spec.id == "outcome" and option_id == value:
                    return label
        return value

    return element, point, outcome


def timeline_entries(detail: dict[str, Any], element, point, outcome) -> list[dict[str, Any]]:
    """Measuring points and deadlines of one instance in date order (a deadline sits at its due date)."""
    entries: list[dict[str, Any]] = []
    for number, event in enumerate(detail["measuring_points"]):
        entries.append({"date": event["occurred_on"], "order": (0, number), "kind": "hendelse",
                        "title": element(event["element_id"]) or point(event["code"]), "code": event["code"],
                        "point": point(event["code"]), "outcome": outcome(event["element_id"], event["outcome"]),
                        "note": event["note"]})
    for number, row in enumerate(detail["indicators"]):
        if row["due_on"] is None:
            continue
        entries.append({"date": row["due_on"], "order": (1, number), "kind": "frist", "title": row["label"],
                        "status": row["status"], "status_label": STATUS_LABELS.get(row["status"], row["status"]),
                        "end_on": row["end_on"], "unconfirmed": row["unconfirmed"]})
    entries.sort(key=lambda e: (e["date"], e["order"]))
    return entries


@router.get("/forlop/{instance_id}")
def timeline(request: Request, instance_id: str, runtime: Runtime, user: User):
    detail = read_instance(runtime, user, instance_id)
    element, point, outcome = _labels(runtime, detail["pathway_version"]["id"])
    today = runtime.today()
    indicators = [{**row, "from_label": point(row["from"]), "to_label": point(row["to"]),
                   "status_label": STATUS_LABELS.get(row["status"], row["status"])}
                  for row in detail["indicators"]]
    tasks = [{**task, **dict(zip(("urgency_class", "urgency_label"), urgency(task["due_on"], today) or ("", "")))}
             for task in detail["open_tasks"]]
    return render(request, "timeline.html", detail=detail, entries=timeline_entries(detail, element, point, outcome),
                  indicators=indicators, tasks=tasks, today=today,
                  instance_status=INSTANCE_STATUS_LABELS.get(detail["status"], detail["status"]))


# ---- the pathway catalogue ---------------------------------------------------------------------------------


@router.get("/forlopstyper")
def catalogue(request: Request, runtime: Runtime, user: User):
    pathways = _catalogue(runtime)
    point_label = lambda code: POINT_LABELS.get(code, code.replace("_", " "))  # noqa: E731
    return render(request, "catalogue.html", pathways=pathways, point_label=point_label)
