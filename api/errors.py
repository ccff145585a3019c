"""The one mapping of engine errors to HTTP: status code by error type, and a body with the message, the stable
code, and a pathway file's lint problems or a registration's refused fields."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from engine.errors import (
    Conflict,
    ErrorCode,
    Forbidden,
    InvalidInput,
    NotFound,
    PathwayError,
    Unauthenticated,
    Unavailable,
)
from engine.runtime.failures import database_failed

from . import schemas

STATUS = {Unauthenticated: 401, Forbidden: 403, NotFound: 404, Conflict: 409, InvalidInput: 422, Unavailable: 503}
#: seconds a client should wait before trying again after a database fault
RETRY_AFTER = 5
log = logging.getLogger(__name__)
#: The error responses every route may give, for the OpenAPI documentation.
RESPONSES = {status: {"model": schemas.ErrorOut} for status in sorted(STATUS.values())}


def status_of(exc: PathwayError) -> int:
    return next(status for kind, status in STATUS.items() if isinstance(exc, kind))


def error_body(exc: PathwayError) -> dict:
    problems = getattr(exc, "problems", [])
    fields = getattr(exc, "fields", [])
    return {"detail": str(exc), "code": exc.code,
            "problems": [p.as_dict() if hasattr(p, "as_dict") else p for p in problems],
            "fields": [f.as_dict() for f in fields], "params": exc.params}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PathwayError)
    async def engine_error(_: Request, exc: PathwayError) -> JSONResponse:
        response = JSONResponse(status_code=status_of(exc), content=jsonable_encoder(error_body(exc)))
        if isinstance(exc, Unauthenticated):
            response.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, Unavailable):
            response.headers["Retry-After"] = str(RETRY_AFTER)
        return response

    @app.exception_handler(SQLAlchemyError)
    async def database_fault(request: Request, exc: SQLAlchemyError) -> JSONResponse:
        log.error("database fault on %s %s", request.method, request.url.path, exc_info=exc)
        return await engine_error(request, database_failed(exc))

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        messages = []
        for err in exc.errors():
            where = ".".join(str(part) for part in err.get("loc", ()) if part != "body")
            messages.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return JSONResponse(status_code=422, content={"detail": "; ".join(messages), "code": ErrorCode.REQUEST_INVALID,
                                                      "problems": [], "fields": [], "params": {}})
