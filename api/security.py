"""Authentication for the API and the web pages: a bearer token (header `Authorization: Bearer …`, or the
`pathways_token` cookie the web login sets) names a user with a role; see engine/access/principals.py for the roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from engine.access.policy import require_role
from engine.access.principals import Principal, Users
from engine.errors import Unauthenticated

COOKIE = "pathways_token"


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_of(request: Request) -> str | None:
    """The bearer token, or the web login's cookie."""
    return _bearer(request) or request.cookies.get(COOKIE)


def principal(request: Request) -> Principal:
    """The API's caller. The cookie counts only for reads (the dashboard's CSV link): a change through the JSON
    API needs the Authorization header, which another site cannot make a browser send."""
    users: Users = request.app.state.users
    token = token_of(request) if request.method in ("GET", "HEAD") else _bearer(request)
    found = users.authenticate(token)
    if found is None:
        raise Unauthenticated("log in: send a valid bearer token (Authorization: Bearer …)")
    return found


Auth = Annotated[Principal, Depends(principal)]


def role(*roles: str):
    """A dependency that lets only these roles through (403 for the others)."""

    def check(user: Auth) -> Principal:
        require_role(user, *roles)
        return user

    return Depends(check)
