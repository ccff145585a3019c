"""Logging in and out: a token (in dev mode also one of the dev users), kept in the HttpOnly login cookie."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from engine.access.principals import ADMIN, COORDINATOR, MANAGER

from ..deps import COOKIE, PageUser, token_of
from .labels import ROLE_LABELS
from .rendering import PageRoute, redirect, render
from .session import LOGIN_COOKIE, Form, safe_next

router = APIRouter(route_class=PageRoute, include_in_schema=False)
_START_PAGE = {COORDINATOR: "/arbeidsliste", ADMIN: "/arbeidsliste", MANAGER: "/rapporter"}


@router.get("/start")
def start(request: Request):
    user = request.app.state.users.authenticate(token_of(request))
    if user is None:
        return RedirectResponse("/logg-inn", status_code=303)
    return RedirectResponse(_START_PAGE.get(user.role, "/forlopstyper"), status_code=303)


def _login_page(request: Request, *, neste: str, error: str | None = None, status_code: int = 200) -> Response:
    login_csrf = secrets.token_urlsafe(24)
    users = request.app.state.users
    dev_users = list(users.dev_users().items())
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
def logout_form(request: Request, user: PageUser):
    return render(request, "logout.html")


@router.post("/logg-ut")
def logout(request: Request, form: Form):
    response = redirect("/logg-inn", flash="Du er logget ut.")
    response.delete_cookie(COOKIE, path="/")
    return response
