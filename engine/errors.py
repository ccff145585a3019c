"""The engine's own error types, each with a stable machine-readable code.

The API maps the types to HTTP status codes once (`api/errors.py`) and returns the code beside the message; the
web pages translate the code to bokmål (`api/pages/labels.py`), never the message, which is English for a person
reading the API. A new code needs a translation: a test checks that every code has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    # not found
    PATHWAY_NOT_FOUND = "pathway_not_found"
    PATHWAY_VERSION_NOT_FOUND = "pathway_version_not_found"
    INSTANCE_NOT_FOUND = "instance_not_found"
    TASK_NOT_FOUND = "task_not_found"
    INCIDENT_NOT_FOUND = "incident_not_found"
    EVENT_NOT_FOUND = "event_not_found"
    ELEMENT_NOT_FOUND = "element_not_found"
    SIMULATION_NOT_FOUND = "simulation_not_found"
    # conflicts with the current state
    PATHWAY_ALREADY_ACTIVE = "pathway_already_active"
    INSTANCE_NOT_ACTIVE = "instance_not_active"
    TASK_ALREADY_COMPLETED = "task_already_completed"
    TASK_ALREADY_CANCELLED = "task_already_cancelled"
    TASK_NOT_READY = "task_not_ready"
    TASK_CLAIMED_BY_OTHER = "task_claimed_by_other"
    CHANGED_CONCURRENTLY = "changed_concurrently"
    INSTANCE_BUSY = "instance_busy"
    MESSAGE_NOT_AWAITED = "message_not_awaited"
    DATABASE_NOT_EMPTY = "database_not_empty"
    INCIDENT_RESOLVED = "incident_resolved"
    SAVED_STATE_UNREADABLE = "saved_state_unreadable"
    NO_DEFERRABLE_DEADLINE = "no_deferrable_deadline"
    EVENT_ALREADY_UNDONE = "event_already_undone"
    EVENT_NOT_CORRECTABLE = "event_not_correctable"
    LATER_REGISTRATIONS_DEPEND = "later_registrations_depend"
    CLOSURE_NOT_DEFINED = "closure_not_defined"
    CLOSURE_TASK_OPEN = "closure_task_open"
    #: a what-if simulation is already running in this server process
    SIMULATION_RUNNING = "simulation_running"
    # migration of running instances to another version (engine.runtime.migration)
    MIGRATION_SAME_VERSION = "migration_same_version"
    MIGRATION_OTHER_PATHWAY = "migration_other_pathway"
    CURRENT_TASK_REMOVED = "current_task_removed"
    REACHED_ELEMENT_REMOVED = "reached_element_removed"
    NO_MIGRATION_TO_REVERT = "no_migration_to_revert"
    MIGRATION_SELECTION_TOO_LARGE = "migration_selection_too_large"
    # invalid input
    REQUEST_INVALID = "request_invalid"
    REQUEST_TOO_LARGE = "request_too_large"
    FORM_INVALID = "form_invalid"
    OCCURRED_ON_IN_FUTURE = "occurred_on_in_future"
    OCCURRED_ON_BEFORE_PREVIOUS_POINT = "occurred_on_before_previous_point"
    OCCURRED_ON_AFTER_NEXT_POINT = "occurred_on_after_next_point"
    CORRECTION_UNCHANGED = "correction_unchanged"
    REASON_REQUIRED = "reason_required"
    NOTE_REQUIRED = "note_required"
    DEFERRAL_TOO_SHORT = "deferral_too_short"
    DEFERRAL_PERIOD_INVALID = "deferral_period_invalid"
    DEFERRAL_REASON_INVALID = "deferral_reason_invalid"
    CLOSURE_OUTCOME_INVALID = "closure_outcome_invalid"
    TRANSFER_NOT_DEFINED = "transfer_not_defined"
    RECEIVING_TRUST_INVALID = "receiving_trust_invalid"
    VERSION_INCOMPATIBLE = "version_incompatible"
    REFERRAL_RECEIVED_IN_FUTURE = "referral_received_in_future"
    REFERRAL_RECEIVED_BEFORE_IN_USE = "referral_received_before_in_use"
    SETTING_INVALID = "setting_invalid"
    START_ROUTE_INVALID = "start_route_invalid"
    MUNICIPAL_CONTACT_INVALID = "municipal_contact_invalid"
    #: a message that starts a pathway (`startedByMessage`) did not say where: unit, setting or referral date
    MESSAGE_START_INVALID = "message_start_invalid"
    SEVERITY_INVALID = "severity_invalid"
    UNIT_REQUIRED = "unit_required"
    ASSIGNEE_REQUIRED = "assignee_required"
    PATIENT_KEY_INVALID = "patient_key_invalid"
    PATIENT_SEARCH_TOO_SHORT = "patient_search_too_short"
    MESSAGE_DATA_INVALID = "message_data_invalid"
    ENGINE_ERROR = "engine_error"
    PATHWAY_FILE_INVALID = "pathway_file_invalid"
    PATHWAY_FILE_EMPTY = "pathway_file_empty"
    ROLE_INVALID = "role_invalid"
    USER_UNITS_REQUIRED = "user_units_required"
    USER_ID_INVALID = "user_id_invalid"
    USER_EXISTS = "user_exists"
    PERIOD_INVALID = "period_invalid"
    DATE_INVALID = "date_invalid"
    CURSOR_INVALID = "cursor_invalid"
    #: a page size that is not a whole number of at least 1
    LIMIT_INVALID = "limit_invalid"
    RANGE_REVERSED = "range_reversed"
    #: a report period longer than the report allows (the registry extract: one year)
    RANGE_TOO_LONG = "range_too_long"
    UNITS_INVALID = "units_invalid"
    #: a what-if scenario file that is not TOML or has bad fields (each in `fields`, named by its path)
    SCENARIO_INVALID = "scenario_invalid"
    #: a simulation asked for more replications, pathways or years than a run allows
    SIMULATION_TOO_LARGE = "simulation_too_large"
    # the database failed or could not be reached
    DATABASE_FAILED = "database_failed"
    #: the database answers but its schema is behind this version's migrations (readiness)
    SCHEMA_OUTDATED = "schema_outdated"
    # who may do what
    NOT_AUTHENTICATED = "not_authenticated"
    ROLE_FORBIDDEN = "role_forbidden"
    NO_PATIENT_ACCESS = "no_patient_access"
    UNIT_FORBIDDEN = "unit_forbidden"


class FieldCode(StrEnum):
    """Why one field of a registration was refused (`FieldProblem.code`)."""

    REQUIRED = "field_required"
    UNKNOWN = "field_unknown"
    NOT_TRUE_OR_FALSE = "not_true_or_false"
    NOT_A_WHOLE_NUMBER = "not_a_whole_number"
    NUMBER_OUT_OF_RANGE = "number_out_of_range"
    NOT_A_DATE = "not_a_date"
    NOT_AN_OPTION = "not_an_option"
    NOT_TEXT = "not_text"
    TEXT_TOO_LONG = "text_too_long"
    IN_FUTURE = "occurred_on_in_future"
    BEFORE_PREVIOUS_POINT = "occurred_on_before_previous_point"
    #: a scenario field of the wrong type or outside its bounds (the message says which rule)
    VALUE_INVALID = "value_invalid"


@dataclass(frozen=True)
class FieldProblem:
    """One refused field: its id, why (a stable code), the values the reason names, and the English message."""

    field: str
    code: FieldCode
    message: str
    params: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": self.message, "params": self.params or {}}


class PathwayError(Exception):
    """Base class for errors a caller can act on: a stable `code`, and a message for a person."""

    def __init__(self, code: ErrorCode, message: str, *, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        #: the values the message names (dates, a user), for a translation that shows them
        self.params = params or {}


class NotFound(PathwayError):
    """The pathway, instance or task does not exist (or is not visible to the caller)."""


class Conflict(PathwayError):
    """The command clashes with the current state: a second active pathway, a task already completed."""


class InvalidInput(PathwayError):
    """The command's data breaks a rule: a date in the future, a missing form field, a file that fails lint."""

    def __init__(self, code: ErrorCode, message: str, *, params: dict[str, Any] | None = None,
                 problems: list | None = None, fields: list[FieldProblem] | None = None) -> None:
        super().__init__(code, message, params=params)
        #: lint problems of a pathway file (`engine.catalogue.lint.Problem`)
        self.problems = problems or []
        #: the refused fields of a registration
        self.fields = fields or []


class Unauthenticated(PathwayError):
    """No valid credentials were given."""


class Forbidden(PathwayError):
    """The caller's role may not do this at all (a manager asking for a patient's pathway)."""


class Unavailable(PathwayError):
    """The database failed or could not be reached: nothing of the command was written, and trying again later
    may work. Never the pathway file's fault, so never `engine_error`."""
