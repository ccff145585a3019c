"""The request dependencies, one definition each: the runtime, the API caller (bearer token), a role check, and
the web pages' logged-in user (the login cookie)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from engine.access.policy import require_role
from engine.access.principals import Principal, Users
from engine.errors import ErrorCode, Unauthenticated
from engine.runtime import PathwayRuntime

#: The cookie the web login sets; it holds the same token as the `Authorization: Bearer …` header.
COOKIE = "pathways_token"


async def _runtime(request: Request) -> PathwayRuntime:
    # async: it only reads app state, and FastAPI runs a plain function dependency on a worker thread (a thread
    # hop per request)
    return request.app.state.runtime


Runtime = Annotated[PathwayRuntime, Depends(_runtime)]


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_of(request: Request) -> str | None:
    """The bearer token, or the web login's cookie."""
    return _bearer(request) or request.cookies.get(COOKIE)


#: Declares the bearer scheme in the OpenAPI document, so the API page's "Authorize" sends the token.
_BEARER_SCHEME = HTTPBearer(auto_error=False, scheme_name="token",
                            description="A user's token. In dev mode, one of the README's fixed tokens, e.g. "
                                        "`dev-koordinator-nord` or `dev-admin`.")
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER_SCHEME)]


def _principal(request: Request, _: BearerCredentials) -> Principal:
    """The API's caller. The cookie counts only for reads (the dashboard's CSV link): a change through the JSON
    API needs the Authorization header, which another site cannot make a browser send."""
    users: Users = request.app.state.users
    token = token_of(request) if request.method in ("GET", "HEAD") else _bearer(request)
    found = users.authenticate(token)
    if found is None:
        raise Unauthenticated(ErrorCode.NOT_AUTHENTICATED,
                              "log in: send a valid bearer token (Authorization: Bearer …)")
    return found


Auth = Annotated[Principal, Depends(_principal)]


def role(*roles: str):
    """A dependency that lets only these roles through (403 for the others)."""

    def check(user: Auth) -> Principal:
        require_role(user, *roles)
        return user

    return Depends(check)


class LoginRequired(Exception):
    """A page was asked for without a valid login: it answers with a redirect to the login page."""


def _page_user(request: Request) -> Principal:
    token = token_of(request)
    user = request.app.state.users.authenticate(token)
    if user is None:
        raise LoginRequired()
    request.state.user = user
    request.state.token = token
    return user


PageUser = Annotated[Principal, Depends(_page_user)]


# Bounds of query parameters, documented in the OpenAPI schema and checked before any engine code runs.
Limit = Annotated[int, Query(ge=1, le=500, description="How many to return (1–500)")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="How many to skip, for paging (at most 1,000,000)")]
Name = Annotated[str | None, Query(max_length=100)]
PatientKeyQuery = Annotated[str | None, Query(max_length=64, description="Only this patient (the whole key)")]
