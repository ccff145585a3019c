"""Checks every request passes before any route: a bounded body, and no NUL character in the path, the query or
the body. PostgreSQL cannot store NUL in a text column (it would be a 500), and no Norwegian text has one; a
body larger than any pathway file or form is refused before it is read into memory twice."""

from __future__ import annotations

import json
from typing import Any

from engine.errors import ErrorCode

#: The largest request body: a pathway file of the shipped kind is 30–60 KB, a form far less.
MAX_BODY_BYTES = 2 * 1024 * 1024
_NUL_MARKS = (b"\x00", b"\\u0000", b"%00")


class RequestLimits:
    """ASGI middleware: refuses (422 / 413, with the error body every route uses) before the app sees the request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        target = (scope.get("raw_path") or scope["path"].encode()) + b"?" + scope.get("query_string", b"")
        if _has_nul(target):
            await _refuse(send, 422, ErrorCode.REQUEST_INVALID, "the request contains a NUL character")
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await _refuse(send, 413, ErrorCode.REQUEST_TOO_LARGE, f"the body is larger than {MAX_BODY_BYTES} bytes")
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY_BYTES:
                await _refuse(send, 413, ErrorCode.REQUEST_TOO_LARGE,
                              f"the body is larger than {MAX_BODY_BYTES} bytes")
                return
        if _has_nul(body):
            await _refuse(send, 422, ErrorCode.REQUEST_INVALID, "the request contains a NUL character")
            return
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if sent:
                return await receive()  # after the body: the client's disconnect
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _has_nul(data: bytes) -> bool:
    lowered = data.lower()
    return any(mark in lowered for mark in _NUL_MARKS)


async def _refuse(send: Any, status: int, code: ErrorCode, detail: str) -> None:
    payload = json.dumps({"detail": detail, "code": code, "problems": [], "fields": [], "params": {}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
