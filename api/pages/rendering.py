"""Rendering the pages: the Jinja2 templates with the bokmål filters, the security headers, flash messages that
travel in a cookie, error pages, and `PageRoute`, which answers engine errors with HTML instead of JSON."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, unquote, urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import SQLAlchemyError

from engine.access.principals import ADMIN, COORDINATOR, MANAGER, Principal
from engine.errors import Forbidden, NotFound, Unauthenticated
from engine.runtime.failures import database_failed

from ..deps import LoginRequired
from ..errors import RETRY_AFTER
from . import labels
from .session import CsrfRefused, csrf_token, login_url

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FLASH_COOKIE = "pathways_flash"

templates = Jinja2Templates(directory=TEMPLATES)
templates.env.filters["dato"] = labels.norwegian_date
templates.env.filters["prosent"] = labels.percent
templates.env.filters["tidspunkt"] = labels.norwegian_time
templates.env.filters["klokkeslett"] = labels.norwegian_clock_time
templates.env.globals.update(STATUS_LABELS=labels.STATUS_LABELS, SETTING_LABELS=labels.SETTING_LABELS,
                             DAY_UNIT_LABELS=labels.DAY_UNIT_LABELS, ROLE_LABELS=labels.ROLE_LABELS,
                             TASK_STATUS_LABELS=labels.TASK_STATUS_LABELS,
                             INSTANCE_STATUS_LABELS=labels.INSTANCE_STATUS_LABELS)


def nav_for(user: Principal | None) -> list[tuple[str, str]]:
    if user is None:
        return []
    links = []
    if user.role in (COORDINATOR, ADMIN):
        links.append(("/arbeidsliste", "Arbeidsliste"))
        links.append(("/forlop/ny", "Start forløp"))
        links.append(("/pasienter", "Finn pasient"))
        links.append(("/driftsfeil", "Driftsfeil"))
    if user.role in (COORDINATOR, MANAGER, ADMIN):
        links.append(("/rapporter", "Rapporter"))
    if user.role in (MANAGER, ADMIN):
        links.append(("/simulering", "Hva om?"))
    links.append(("/forlopstyper", "Forløpstyper"))
    if user.role == ADMIN:
        links.append(("/revisjonslogg", "Revisjonslogg"))
    return links


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    user: Principal | None = getattr(request.state, "user", None)
    token: str | None = getattr(request.state, "token", None)
    flash = request.cookies.get(FLASH_COOKIE)
    context = {
        "user": user, "role_label": labels.ROLE_LABELS.get(user.role, user.role) if user else "",
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


def page_links(path: str, filters: dict[str, str], page_number: int, total: int, page_size: int,
               last_page: int | None = None) -> dict[str, Any]:
    """What `_paging.html` shows for `total` rows, `page_size` a page (at most `last_page` pages), and this page's
    own address (`here`); every link keeps the filters that are set."""
    active = {name: value for name, value in filters.items() if value}
    pages = max(1, -(-total // page_size))
    pages = min(pages, last_page) if last_page else pages

    def link(number: int) -> str:
        return f"{path}?{urlencode({**active, 'side': number})}"

    return {"here": link(page_number) if active or page_number > 1 else path, "page_number": page_number,
            "pages": pages, "prev_link": link(page_number - 1) if page_number > 1 else None,
            "next_link": link(page_number + 1) if page_number < pages else None}


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


_ERROR_TITLES = {400: "Ugyldig forespørsel", 403: "Ingen tilgang", 404: "Finnes ikke", 409: "Konflikt",
                 503: "Midlertidig utilgjengelig"}
_ERROR_DEFAULTS = {
    400: "Adressen inneholder ugyldige verdier.",
    403: "Du har ikke tilgang til denne siden.",
    404: "Siden eller opplysningene finnes ikke, eller du har ikke tilgang til dem.",
}


def error_page(request: Request, status_code: int, message: str | None = None) -> Response:
    return render(request, "error.html", status_code, title=_ERROR_TITLES.get(status_code, "Feil"),
                  message=message or _ERROR_DEFAULTS.get(status_code, "Noe gikk galt."), status=status_code)


class PageRoute(APIRoute):
    """A route that answers with HTML pages: log-in redirect, 403, 404, 400 and 503 pages instead of JSON."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except (LoginRequired, Unauthenticated):
                return RedirectResponse(login_url(request), status_code=303)
            except CsrfRefused:
                return error_page(request, 403, labels.CSRF_REFUSED)
            except Forbidden as exc:
                return error_page(request, 403, labels.error_text(exc))
            except NotFound:
                return error_page(request, 404)
            except RequestValidationError:
                return error_page(request, 400)
            except SQLAlchemyError as exc:
                log.error("database fault on %s %s", request.method, request.url.path, exc_info=exc)
                response = error_page(request, 503, labels.error_text(database_failed(exc)))
                response.headers["Retry-After"] = str(RETRY_AFTER)
                return response

        return page_handler
