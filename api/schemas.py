"""Request and response shapes (pydantic). Field descriptions show up in the OpenAPI docs at /docs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.statuses import DeadlineStatus

PatientKey = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$",
                   description="The patient's key (national identity number or pseudonym)")


class StartPathway(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient_key: str = PatientKey
    pathway: str = Field(min_length=1, max_length=100, description="Pathway key, e.g. tsb_d01")
    unit: str = Field(min_length=1, max_length=100, description="The unit that runs the pathway, e.g. a DPS")
    setting: Literal["outpatient", "inpatient"] = Field(description="poliklinikk (outpatient) or døgn (inpatient)")
    referral_received_on: date = Field(description="Date specialist care received the referral")
    severity: str | None = Field(default=None, max_length=40, description="Severity variant, where the pathway has one")
    rule_set: Literal["2019", "2024"] | None = Field(default=None, description="Rule-set version; the pathway's default if omitted")


class CompleteTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_on: date = Field(description="The date the event happened: not in the future, not before the previous measuring point")
    data: dict[str, Any] = Field(default_factory=dict, description="The task's form fields")


class ClaimTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str = Field(min_length=1, max_length=100)


class PatientDeferred(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_on: date
    note: str | None = Field(default=None, max_length=2000)


class MessageIn(BaseModel):
    """A message from outside the pathways to one that waits for it, e.g. a crisis ("blålys") reported."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    data: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    occurred_on: date | None = None


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


class MeasuringPointOut(BaseModel):
    code: str
    outcome: str | None
    occurred_on: date
    element_id: str | None
    note: str | None
    registered_at: datetime
    registered_by: str | None


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


class ComplianceOut(BaseModel):
    today: date
    period: str
    start: date | None = Field(alias="from")
    end: date | None = Field(alias="to")
    by_unit: bool
    suppress_below: int
    rows: list[ComplianceRowOut]

    model_config = {"populate_by_name": True}
