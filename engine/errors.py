"""The engine's own error types. The API maps them to HTTP status codes; each message is for a person."""


class PathwayError(Exception):
    """Base class for errors a caller can act on."""


class NotFound(PathwayError):
    """The pathway, instance or task does not exist (or is not visible to the caller)."""


class Conflict(PathwayError):
    """The command clashes with the current state: a second active pathway, a task already completed."""


class InvalidInput(PathwayError):
    """The command's data breaks a rule: a date in the future, a missing form field, a file that fails lint."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class Unauthenticated(PathwayError):
    """No valid credentials were given."""


class Forbidden(PathwayError):
    """The caller's role may not do this at all (a manager asking for a patient's pathway)."""
