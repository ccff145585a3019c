"""Logging for the service: one JSON object per line (python-json-logger) or plain text, every record carrying the
id of the request it was written in, so one request's lines can be found across the engine and the web layer.

The request id is a context variable: the web layer sets it per request (`api.observability`), and it follows
the request into the worker thread a route runs in. Log lines name routes, commands, codes and ids, never a
patient key or form content.
"""

from __future__ import annotations

import logging
import logging.config
from contextvars import ContextVar
from typing import Any, Literal

LogFormat = Literal["json", "text"]

#: The id of the request being served ("-" outside a request: start-up, the scheduler's ticks).
request_id: ContextVar[str] = ContextVar("pathways_request_id", default="-")

_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
_TEXT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (on the handler, so records of every logger get it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.__dict__.pop("color_message", None)  # uvicorn's copy of the message with terminal colours
        return True


def logging_config(fmt: LogFormat = "json", level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` for the server process and uvicorn's loggers. uvicorn's own access log is
    off: the web layer writes one line per request itself, with the route's template instead of the path (a
    path or query may hold a patient key) and the request id."""
    formatter: dict[str, Any] = (
        {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": _FIELDS, "rename_fields": {"levelname": "level",
                                                                                       "asctime": "time"}}
        if fmt == "json" else {"format": _TEXT})
    handler = {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id"],
               "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            "alembic.runtime.plugins": {"level": "WARNING"},  # seven lines at every start say nothing
            # SpiffWorkflow logs every task state change at INFO: lines per step on the hot path, read by no one
            "spiff": {"level": "WARNING"},
        },
    }


def configure(fmt: LogFormat = "json", level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(fmt, level))
