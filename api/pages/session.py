"""The web pages' session: the login cookie, CSRF tokens on every form that changes data, and safe return paths.

CSRF: every form that changes data carries a token that is an HMAC of the user's auth token (key) over a fixed
label, and every POST checks it with a constant-time comparison. A page from another site cannot read the
HttpOnly cookie and so cannot compute the token; the SameSite=Lax cookie is a second line, not the only one.
The login form itself uses a double-submit token (a random cookie repeated in the form), against login CSRF.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request

from ..deps import PageUser

LOGIN_COOKIE = "pathways_login"
CSRF_FIELD = "csrf"
_CSRF_LABEL = b"pathways-web-csrf-v1"


class CsrfRefused(Exception):
    """A POSTed form without a valid CSRF token: refused with 403."""


def csrf_token(token: str) -> str:
    return hmac.new(token.encode(), _CSRF_LABEL, hashlib.sha256).hexdigest()


async def _checked_form(request: Request, user: PageUser) -> dict[str, str]:
    """The POSTed form of a logged-in user, after the CSRF check (403 when the token is missing or wrong)."""
    data, _ = await _checked_upload(request, user)
    return data


async def _checked_upload(request: Request, user: PageUser) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """A POSTed form with files (multipart): its text fields and each file's (name, bytes), after the CSRF check.
    The request's size is bounded before it is read (`api.limits`)."""
    form = await request.form()
    data = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    files = {key: (value.filename or "", await value.read()) for key, value in form.multi_items()
             if not isinstance(value, str)}
    sent = data.pop(CSRF_FIELD, "")
    if not hmac.compare_digest(sent.encode(), csrf_token(request.state.token).encode()):
        raise CsrfRefused()
    return data, files


Form = Annotated[dict[str, str], Depends(_checked_form)]
UploadForm = Annotated[tuple[dict[str, str], dict[str, tuple[str, bytes]]], Depends(_checked_upload)]


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
