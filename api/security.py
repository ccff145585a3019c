"""Authentication for the API and the web pages: a bearer token (header `Authorization: Bearer …`, or the
`pathways_token` cookie the web login sets) names a user with a role; see engine/access.py for the roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from engine.access import Principal, Users, require_role
from engine.errors import Unauthenticated

COOKIE = "pathways_token"


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(COOKIE)


def principal(request: Request) -> Principal:
    users: Users = request.app.state.users
    found = users.authenticate(token_of(request))
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
