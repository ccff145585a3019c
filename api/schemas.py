"""Request and response shapes (pydantic). Field descriptions show up in the OpenAPI docs at /docs."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from engine.statuses import DeadlineStatus, DeferralReason

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day_only(value: Any) -> Any:
    """A date in a request is an ISO string (2026-01-05): not a number, which pydantic would read as a Unix time."""
    if isinstance(value, str) and _ISO_DAY.match(value) or isinstance(value, date):
        return value
    raise ValueError("a date is written YYYY-MM-DD, e.g. 2026-01-05")


IsoDate = Annotated[date, BeforeValidator(_iso_day_only)]

PatientKey = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$",
                   description="The patient's key (national identity number or pseudonym)")


class StartPathway(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient_key: str = PatientKey
    pathway: str = Field(min_length=1, max_length=100, description="Pathway key, e.g. tsb_d01")
    unit: str = Field(min_length=1, max_length=100, description="The unit that runs the pathway, e.g. a DPS")
    setting: Literal["outpatient", "inpatient"] = Field(description="poliklinikk (outpatient) or døgn (inpatient)")
    referral_received_on: IsoDate = Field(description="Date specialist care received the referral")
    severity: str | None = Field(default=None, max_length=40, description="Severity variant, where the pathway has one")
    rule_set: Literal["2019", "2024"] | None = Field(default=None, description="Rule-set version; the pathway's default if omitted")


class CompleteTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_on: IsoDate = Field(description="The date the event happened: not in the future, not before the previous measuring point")
    data: dict[str, Any] = Field(default_factory=dict, description="The task's form fields")


class ClaimTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str = Field(min_length=1, max_length=100)


class PatientDeferred(BaseModel):
    """The patient delayed the pathway by more than 7 working days: the period, by its last day or its length."""

    model_config = ConfigDict(extra="forbid")

    deferred_from: IsoDate = Field(description="First day of the delay (e.g. the cancelled appointment); not in the "
                                            "future, not before the previous measuring point")
    deferred_until: IsoDate | None = Field(default=None, description="Last day of the delay; or give working_days")
    working_days: int | None = Field(default=None, ge=1, le=260, description="Length of the delay in working days")
    reason: DeferralReason = Field(description="cancelled_appointment, did_not_attend, asked_to_postpone or other")
    note: str | None = Field(default=None, max_length=2000)


class CorrectEventDate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_on: IsoDate = Field(description="The date it really happened: not in the future, not before the "
                                          "registration made before it, not after the one made after it")
    reason: str = Field(min_length=1, max_length=2000, description="Why the date was wrong (kept and audited)")


class UndoEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000, description="Why the registration is undone")


class MessageIn(BaseModel):
    """A message from outside the pathways to one that waits for it, e.g. a crisis ("blålys") reported."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    data: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    occurred_on: IsoDate | None = None


class TaskOut(BaseModel):
    id: str
    instance_id: str
    pathway: str
    unit: str
    patient_key: str
    element_id: str
    label: str
    lane: str | None
    measuring_point: str | None
    assignee: str | None
    due_on: date | None
    overdue: bool
    status: str
    created_at: datetime


class FormOption(BaseModel):
    id: str
    label: str


class FormFieldOut(BaseModel):
    id: str
    label: str
    type: str
    required: bool
    options: list[FormOption]


class TaskDetail(TaskOut):
    form: list[FormFieldOut]


class TaskPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[TaskOut]


class CorrectionOut(BaseModel):
    kind: Literal["date", "undo"] = Field(description="date: the date was moved; undo: the registration was undone")
    old_occurred_on: date
    new_occurred_on: date | None
    old_outcome: str | None
    reason: str
    corrected_at: datetime
    corrected_by: str


class MeasuringPointOut(BaseModel):
    id: int = Field(description="The registration's id, to correct or undo it by")
    code: str
    outcome: str | None
    occurred_on: date = Field(description="The date it happened (after any correction)")
    element_id: str | None
    note: str | None
    registered_at: datetime
    registered_by: str | None
    deferred_until: date | None = Field(default=None, description="Patient-deferred: the period's last day")
    reason: str | None = Field(default=None, description="Patient-deferred: why (a DeferralReason code)")
    undone: bool = Field(default=False, description="Undone: kept for the record, no longer measured")
    corrections: list[CorrectionOut] = []


class IndicatorOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    indicator: str
    label: str
    sequence: int
    from_: str = Field(alias="from")
    to: str
    limit: int
    unit: str
    start_on: date
    due_on: date
    end_on: date | None
    status: DeadlineStatus
    deferral_registered: bool
    target_share: float | None
    unconfirmed: bool


class VersionRef(BaseModel):
    id: int
    content_hash: str


class InstanceIncidentOut(BaseModel):
    id: int
    kind: str
    element_id: str | None
    element_label: str | None
    error: str
    first_seen_at: datetime
    attempts: int


class InstanceOut(BaseModel):
    id: str
    pathway: str
    pathway_name: str
    pathway_version: VersionRef
    patient_key: str
    unit: str
    setting: str
    severity: str | None
    rule_set: str
    referral_received_on: date
    started_on: date | None = Field(description="Pathway start date under the instance's rule set")
    status: str
    closed_on: date | None
    measuring_points: list[MeasuringPointOut]
    indicators: list[IndicatorOut]
    open_tasks: list[TaskOut]
    open_incidents: list[InstanceIncidentOut] = Field(default=[], description=(
        "Due items of this pathway that failed inside the engine and wait for a fix (see /incidents)"))


class IndicatorDefinitionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    key: str
    label: str
    from_: str = Field(alias="from")
    to: str
    limit: int
    unit: str
    setting: str
    severity: str | None
    target_share: float | None
    target_unconfirmed: bool
    repeat: bool
    deferrable: bool = Field(default=False, description="A patient deferral (code L) applies to this deadline")
    from_outcomes: list[str]
    source: str | None
    unconfirmed: bool
    note: str | None


class PathwayStartOut(BaseModel):
    measuring_point: str
    outcomes: list[str]


class PathwayOut(BaseModel):
    key: str
    name: str
    type_code: str | None
    version_id: int
    content_hash: str
    deployed_at: datetime
    versions: int
    rule_set: str
    pathway_start: dict[str, PathwayStartOut]
    lanes: list[str]
    measuring_points: list[str]
    indicators: list[IndicatorDefinitionOut]


class DeployOut(BaseModel):
    pathway: str
    version_id: int
    content_hash: str
    created: bool
    warnings: list[str]


class Problem(BaseModel):
    file: str
    line: int | None
    element_id: str | None
    message: str
    severity: str


class FieldProblemOut(BaseModel):
    field: str = Field(description="The form field's id, or occurred_on")
    code: str = Field(description="Why it was refused, e.g. field_required, not_an_option, occurred_on_in_future")
    message: str
    params: dict[str, Any] = {}


class ErrorOut(BaseModel):
    detail: str = Field(description="What went wrong, for a person")
    code: str = Field(description="A stable machine-readable code, e.g. task_already_completed (engine.errors)")
    problems: list[Problem] = Field(default=[], description="A pathway file's lint problems")
    fields: list[FieldProblemOut] = Field(default=[], description="The refused fields of a registration")
    params: dict[str, Any] = Field(default={}, description="The values the message names, e.g. the element an "
                                                          "engine_error happened at (element, element_label)")


class IncidentOut(BaseModel):
    id: int
    kind: str = Field(description="timer, message or sweep: which due item failed")
    status: str = Field(description="open or resolved")
    instance_id: str | None
    pathway_key: str | None
    pathway_version_id: int | None
    unit: str | None
    patient_key: str | None
    message_id: int | None = Field(description="The message whose delivery failed (kind message)")
    element_id: str | None = Field(description="The BPMN element the error happened at, when known")
    element_label: str | None
    error: str = Field(description="The error as the engine reported it")
    first_seen_at: datetime
    last_seen_at: datetime
    attempts: int
    next_attempt_at: datetime | None = Field(description="When the scheduler tries again; null: only a person "
                                                         "retries (after the last back-off, or once resolved)")
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None


class IncidentPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[IncidentOut]


class RetryIncident(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on_current_version: bool = Field(default=False, description=(
        "Move the instance to its pathway's current version first (a fixed file whose elements are the same); "
        "refused with version_incompatible when the instance has reached elements the version lacks"))


class ResolveIncident(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=2000, description="Why the incident is resolved without a retry")


class TickOut(BaseModel):
    instances_advanced: int
    measurements_marked_overdue: int


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    patient_key: str | None
    instance_id: str | None
    task_id: str | None
    detail: str | None


class AuditPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[AuditOut]


class ComplianceRowOut(BaseModel):
    pathway: str
    unit: str | None = Field(description="None when the units are added together (by_unit=false)")
    indicator: str
    label: str
    period: str = Field(description='"2026-03" (month) or "2026-T1" (tertial)')
    numerator: int | None = Field(description="met; None when suppressed")
    denominator: int | None = Field(description="met + breached + still overdue; None when suppressed")
    share: float | None = Field(description="numerator / denominator (0–1); None when suppressed or no denominator")
    target: float | None = Field(description="the indicator's target share (0–1)")
    deferred: int | None = Field(description="patient-deferred overruns, not in the denominator")
    overdue: int | None = Field(description="still open past the due date (in the denominator)")
    pathways: int | None = Field(description="distinct pathways in the denominator")
    suppressed: bool = Field(description="fewer than 5 pathways: the counts are hidden")
    unconfirmed: bool = Field(description="the indicator has a value not confirmed in a primary source")
    suppression: Literal["primary", "complementary"] | None = Field(
        None, description="why the row is suppressed: primary (fewer than 5 pathways) or complementary (hides a "
                          "lone primary one from subtraction off the all-units total); None when shown")


class ComplianceOut(BaseModel):
    today: date
    period: str
    start: date | None = Field(alias="from")
    end: date | None = Field(alias="to")
    by_unit: bool
    suppress_below: int
    rows: list[ComplianceRowOut]

    model_config = {"populate_by_name": True}
