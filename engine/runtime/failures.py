"""What went wrong inside the engine, said so a person can act on it: the element, its label and the error.

A SpiffWorkflow error (a script that fails, an unknown variable in a condition), a state that cannot be saved or
any other exception raised while a command runs an instance becomes `InvalidInput` with the code `engine_error`
and the element in its params; nothing of the command is written. The sweeps record the same description as an
incident (`engine.runtime.incidents`).

A database fault is not the pathway file's: it goes through unchanged and becomes `Unavailable` with the code
`database_failed` at the edge (`database_failed`), and the sweeps do not park an item for a database that is
down (`is_outage`).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from engine.errors import ErrorCode, InvalidInput, PathwayError, Unavailable

#: An error message longer than this is cut: it is shown on pages and stored in the incident row.
MAX_ERROR_TEXT = 2000
#: Faults that mean the database is down or out of reach (not a refused statement): wait, do not park.
_OUTAGES = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


@dataclass(frozen=True)
class Failure:
    element_id: str | None
    element_label: str | None
    detail: str


def describe(exc: BaseException) -> Failure:
    """The element an error happened at (when known) and its text."""
    if isinstance(exc, PathwayError) and exc.code == ErrorCode.ENGINE_ERROR:
        return Failure(exc.params.get("element"), exc.params.get("element_label"),
                       exc.params.get("detail") or str(exc))
    task = getattr(exc, "task", None)
    spec = getattr(exc, "task_spec", None) or getattr(task, "task_spec", None)
    element_id = getattr(spec, "name", None)
    label = getattr(spec, "bpmn_name", None) or None
    detail = str(exc) if isinstance(exc, SpiffWorkflowException) else f"{type(exc).__name__}: {exc}"
    return Failure(element_id, label, detail[:MAX_ERROR_TEXT])


def engine_error(exc: BaseException, doing: str) -> InvalidInput:
    """`doing` failed because of `exc`: an `engine_error` naming the element, for the API and the pages."""
    failure = describe(exc)
    where = f" at «{failure.element_label or failure.element_id}» ({failure.element_id})" if failure.element_id else ""
    return InvalidInput(
        ErrorCode.ENGINE_ERROR,
        f"{doing}{where}: {failure.detail}. Nothing was saved; the pathway file needs a fix (ask a modeller).",
        params={"element": failure.element_id, "element_label": failure.element_label or failure.element_id,
                "detail": failure.detail})


@contextmanager
def guarded(doing: str, *passing: type[BaseException]) -> Iterator[None]:
    """Turn an unexpected exception inside a command's transaction into `engine_error`, so the transaction is
    rolled back and the caller gets a 422 with the element instead of a 500. Engine errors, database errors
    and the exception types in `passing` go through unchanged."""
    try:
        yield
    except (PathwayError, SQLAlchemyError, *passing):  # database errors are handled where they happen, or at the edge
        raise
    except Exception as exc:
        raise engine_error(exc, doing) from exc


def is_outage(exc: BaseException) -> bool:
    """The database is down or out of reach: every other item would fail the same way, and none is to blame."""
    return isinstance(exc, _OUTAGES) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def database_failed(exc: SQLAlchemyError) -> Unavailable:
    """A database fault as the caller sees it: nothing was saved; try again. The statement is not shown (it may
    name patients); the log has it."""
    cause = type(getattr(exc, "orig", None) or exc).__name__
    return Unavailable(ErrorCode.DATABASE_FAILED,
                       f"the database failed ({cause}); nothing was saved. Try again in a moment, and tell the "
                       f"operator if it keeps happening", params={"cause": cause})
