"""What operations see of each request: its request id (taken from `X-Request-ID` when it is a plain token,
otherwise made here, and sent back), the Prometheus request metrics by route template and status, and one
structured log line; and the `/metrics` exposition, which adds the database backlog (`engine.metrics.Backlog`)
and, when the server runs several worker processes, the other workers' counters (prometheus-client's multiprocess
mode).

Routes are labelled by their template (`/tasks/{task_id}`), never by the path, so no patient key or id reaches a
metric or a log line, and the number of label values stays bounded.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from engine.logs import request_id
from engine.metrics import Backlog

log = logging.getLogger("pathways.request")

REQUESTS = Counter("pathways_http_requests_total", "HTTP requests, by method, route template and status",
                   ["method", "route", "status"])
LATENCY = Histogram("pathways_http_request_duration_seconds", "Time to the last byte, by method and route template",
                    ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

#: A request id we accept from a proxy: short and plain, so it cannot forge a log line or carry data.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: The label of a request no route matched (a 404 or a refused body), so unknown paths add no label values.
UNMATCHED = "unmatched"


def route_of(scope: dict[str, Any]) -> str:
    """The matched route's template, `/static` for the static files, else `unmatched`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return path
    return "/static" if scope.get("path", "").startswith("/static/") else UNMATCHED


def incoming_request_id(scope: dict[str, Any]) -> str:
    for name, value in scope.get("headers") or []:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _REQUEST_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


class RequestObservability:
    """ASGI middleware, outermost: sets the request id for the request's log records, answers with it in
    `X-Request-ID`, and counts, times and logs the request once it is answered."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = incoming_request_id(scope)
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route, method = route_of(scope), scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(seconds)
            log.info("%s %s %s %.1f ms", method, route, status, seconds * 1000,
                     extra={"method": method, "route": route, "status": status,
                            "duration_ms": round(seconds * 1000, 1)})
            request_id.reset(token)


def exposition(backlog: Backlog) -> tuple[bytes, str]:
    """The metrics page: this process's metrics (or every worker's, in multiprocess mode) and the backlog."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(backlog)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY) + generate_latest(_single(backlog)), CONTENT_TYPE_LATEST


def _single(backlog: Backlog) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(backlog)
    return registry
