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
    start_route: Literal["referral", "emergency"] = Field(default="referral", description=(
        "referral, or emergency: after an emergency admission, the pathway starts when the emergency is over "
        "(referral_received_on = that day) and the decision to enter a pathway follows within 14 days"))
    municipal_unit: str | None = Field(default=None, min_length=1, max_length=100, description=(
        "The municipality whose pathway coordinator the referral names, e.g. Porsgrunn kommune: the pathway then "
        "gives the coordinator the task of contacting them, which starts or links the municipal coordination"))
    municipal_coordinator: str | None = Field(default=None, max_length=100, description=(
        "The municipal pathway coordinator the referral names"))


class CompleteTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_on: IsoDate = Field(description="The date the event happened: not in the future, not before the previous measuring point")
    data: dict[str, Any] = Field(default_factory=dict, description="The task's form fields")
    take_over: bool = Field(default=False, description="Register a task someone else has claimed, taking it over; "
                            "without it such a task is refused with 409 task_claimed_by_other")


class ClaimTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str = Field(min_length=1, max_length=100)
    take_over: bool = Field(default=False, description="Take the task over from someone else who has claimed it; "
                            "without it such a claim is refused with 409 task_claimed_by_other")


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


class Closure(BaseModel):
    """Close the pathway before its process reaches the closure task."""

    model_config = ConfigDict(extra="forbid")

    closed_on: IsoDate = Field(description="The day the pathway ended: not in the future, not before the previous "
                                        "measuring point")
    outcome: str = Field(min_length=1, max_length=60, description="One of the pathway's closure outcomes (its "
                                                                  "closure task's `outcome` options)")
    note: str | None = Field(default=None, max_length=2000)


class Transfer(BaseModel):
    """The patient is transferred to another hospital trust: the pathway closes with the transfer outcome and the
    receiving trust registers a new start."""

    model_config = ConfigDict(extra="forbid")

    transferred_on: IsoDate = Field(description="The day of the transfer: not in the future, not before the "
                                             "previous measuring point")
    receiving_trust: str = Field(min_length=1, max_length=200, description="The receiving hospital trust")
    receiving_unit: str | None = Field(default=None, min_length=1, max_length=100, description=(
        "The receiving unit, when it works in this system too: the new start is made there at once, linked to "
        "this pathway (linked_pathways)"))
    note: str | None = Field(default=None, max_length=2000)


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
    assignee_name: str | None = Field(default=None, description="The assignee's name as registered (else the "
                                      "user id); in task lists and a task's detail")
    due_on: date | None
    overdue: bool
    status: str
    created_at: datetime


class RunningDeadline(BaseModel):
    indicator: str
    label: str
    due_on: date
    status: Literal["pending", "overdue"]


class TaskListItem(TaskOut):
    urgent_on: date | None = Field(description="What the list is sorted by: the nearest running deadline of the "
                                   "task's pathway, else the task's own due date")
    running_deadlines: list[RunningDeadline] = Field(description="The pathway's running deadlines, nearest first")
    nearest_deadline: RunningDeadline | None


class TaskCounts(BaseModel):
    """How many tasks each quick filter gives, with the other filters of the request applied."""

    overdue: int = Field(description="urgent date passed")
    this_week: int = Field(description="urgent date today up to and including this week's Sunday")
    soon: int = Field(description="urgent date within 3 working days")
    mine: int = Field(description="claimed by the caller")
    unclaimed: int


class FormOption(BaseModel):
    id: str
    label: str


class FormFieldOut(BaseModel):
    id: str
    label: str
    type: str
    required: bool
    options: list[FormOption]
    min: int | None = Field(default=None, description="The least value of a whole-number field, when bounded")
    max: int | None = Field(default=None, description="The greatest value of a whole-number field, when bounded")


class TaskDetail(TaskOut):
    form: list[FormFieldOut]


class TaskPage(BaseModel):
    total: int = Field(description="Matching tasks, counted up to `count_cap`")
    limit: int
    offset: int
    counts: TaskCounts = Field(description="Per quick filter, each counted up to `count_cap`")
    count_cap: int = Field(description="Counts stop here: a count equal to it means this many or more")
    counts_capped: list[str] = Field(description="Which counts reached `count_cap` (`total` and the quick filters)")
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")
    items: list[TaskListItem]


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


class MessageEndOut(BaseModel):
    instance_id: str
    pathway: str | None
    unit: str | None


class PathwayMessageOut(BaseModel):
    id: int
    name: str = Field(description="The BPMN message name, e.g. coordination_contact, changed_needs")
    direction: Literal["sent", "received"]
    sent_on: date
    delivered_at: datetime | None
    status: Literal["delivered", "kept", "failed"] = Field(description=(
        "delivered; kept: no pathway of the patient waits for it yet; failed: its delivery stopped with an "
        "incident (see /incidents)"))
    error: str | None = Field(description="The incident's error, when the delivery failed")
    other: MessageEndOut | None = Field(description="The pathway at the other end, once delivered")


class LinkedPathwayOut(BaseModel):
    kind: Literal["started_by_message", "linked_by_message", "transfer"] = Field(description=(
        "started_by_message: one started the other by its message (startedByMessage); linked_by_message: that "
        "message found the other already running; transfer: the new start at the receiving unit"))
    direction: Literal["from", "to"] = Field(description="from: the linked pathway started this one; to: this one "
                                                         "started (or was transferred to) the linked one")
    instance_id: str
    pathway: str
    unit: str
    status: Literal["active", "completed"]
    started_on: date | None
    referral_received_on: date
    linked_at: datetime


class InstanceOut(BaseModel):
    id: str
    pathway: str
    pathway_name: str
    pathway_version: VersionRef
    patient_key: str
    unit: str
    setting: Literal["outpatient", "inpatient"] = Field(description="outpatient (poliklinikk) or inpatient (døgn)")
    severity: str | None = Field(description="The severity variant, where the pathway has one")
    rule_set: Literal["2019", "2024"] = Field(description="The rule-set version the deadlines are measured by")
    referral_received_on: date
    started_on: date | None = Field(description="Pathway start date under the instance's rule set")
    status: Literal["active", "completed"] = Field(description="active, or completed once the pathway is closed")
    closed_on: date | None
    measuring_points: list[MeasuringPointOut]
    indicators: list[IndicatorOut]
    open_tasks: list[TaskOut]
    open_incidents: list[InstanceIncidentOut] = Field(default=[], description=(
        "Due items of this pathway that failed inside the engine and wait for a fix (see /incidents)"))
    messages: list[PathwayMessageOut] = Field(default=[], description=(
        "Messages to and from the patient's other pathways, oldest first (at most the last 200)"))
    linked_pathways: list[LinkedPathwayOut] = Field(default=[], description=(
        "The patient's pathways linked to this one: started by its message, or the new start after a transfer"))


class IndicatorDefinitionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    key: str
    label: str
    from_: str = Field(alias="from")
    to: str
    limit: int
    limit_field: str | None = Field(default=None, description="The form field of the `from` registration that sets "
                                                               "the patient's own limit; `limit` when it is empty")
    unit: str
    setting: Literal["outpatient", "inpatient", "any"] = Field(description="The setting the deadline applies to: "
                                                                          "outpatient, inpatient or any")
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


class ReadyOut(BaseModel):
    status: Literal["ready"]
    #: the database's migration revision, which is this version's newest
    schema_revision: str


class TickOut(BaseModel):
    instances_advanced: int
    measurements_marked_overdue: int


class AuditShownOut(BaseModel):
    patient_key: str
    instance_id: str


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    patient_key: str | None
    instance_id: str | None
    task_id: str | None
    detail: str | None
    shown: list[AuditShownOut] = Field(default_factory=list,
                                       description="A list read (patient_key empty): every pathway it showed")


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
    limit: int = Field(description="the most rows this answer may hold")
    next_cursor: str | None = Field(description="the `cursor` of the next page; null on the last page")
    rows: list[ComplianceRowOut]

    model_config = {"populate_by_name": True}


class RegistrationRowOut(BaseModel):
    patient_key: str
    instance_id: str
    pathway: str
    unit: str
    pathway_type: str | None = Field(description="the pathway type code (D01, D11, D12, …); None when unknown")
    pathway_type_unconfirmed: bool = Field(description="the type code is missing or not confirmed")
    event: str = Field(description="the measuring point, pathway_start or patient_deferred")
    occurred_on: date
    code: str | None = Field(description="the registry code (CU, L); None while the pathway file has none")
    code_with_type: str | None = Field(description="the code with the pathway type in front (D11CU)")
    outcome: str | None
    code_unconfirmed: bool = Field(description="the code is empty or not confirmed in a primary source")
    deferred_until: date | None = Field(description="patient-deferred: the last day the patient caused")


class RegistrationExtractOut(BaseModel):
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    rows: list[RegistrationRowOut]

    model_config = {"populate_by_name": True}


class DataQualityUnitOut(BaseModel):
    unit: str
    counts: dict[str, int] = Field(description="check -> pathways found")
    total: int


class DataQualityFindingOut(BaseModel):
    check: str
    unit: str
    instance_id: str
    patient_key: str
    pathway: str
    since: date = Field(description="the due date passed, or the last measuring point (no_closure)")


class DataQualityOut(BaseModel):
    today: date
    thresholds: dict[str, int] = Field(description="check -> days past due (or without a measuring point)")
    checks: list[str]
    units: list[DataQualityUnitOut]
    findings: list[DataQualityFindingOut] | None = Field(
        description="the pathways found, for coordinators (own units) and administrators; None for managers")


class VersionOut(BaseModel):
    version_id: int
    content_hash: str = Field(description="SHA-256 of the file's bytes: the version's identity")
    filename: str
    deployed_at: datetime
    deployed_by: str | None = Field(description="The user, `cli:<login>` for `pathways deploy`, or null for the "
                                                "pathway folder deployed at start-up")
    is_current: bool = Field(description="New pathways start on the current version")
    running_instances: int = Field(description="Active pathways on this version")
    instances: int = Field(description="All pathways ever started on this version")


class VersionsOut(BaseModel):
    key: str
    name: str
    current_version_id: int
    versions: list[VersionOut] = Field(description="Newest first")


class ChangeOut(BaseModel):
    kind: Literal["element", "flow", "form", "indicator"]
    change: Literal["added", "removed", "changed"]
    id: str = Field(description="The element, flow or indicator id; a form field as `task_id.field_id`")
    label: str
    details: list[str] = Field(description="What changed: `attribute: old → new`, or the changed element "
                                           "attributes as SpiffWorkflow names them")


class DiffOut(BaseModel):
    key: str
    from_version_id: int
    to_version_id: int
    changes: list[ChangeOut]


class LintReportOut(BaseModel):
    filename: str
    content_hash: str
    valid: bool = Field(description="No lint errors: the file can be deployed")
    problems: list[Problem] = Field(description="Errors and warnings with line and element")
    pathway: str | None
    name: str | None
    current_version_id: int | None = Field(description="The pathway's current version, when it is deployed")
    already_deployed_as: int | None = Field(description="The version with these exact bytes, if there is one")
    changes: list[ChangeOut] = Field(description="What deploying the file would change against the current version")


class PatientMatch(BaseModel):
    patient_key: str
    pathways: int = Field(description="The patient's pathways in the caller's units")
    active_pathways: int


class PatientSearchOut(BaseModel):
    items: list[PatientMatch] = Field(description="At most 20, by patient key")
    more: bool = Field(description="More patients match: type more of the key")


class PatientPathwayOut(BaseModel):
    id: str
    pathway: str
    pathway_name: str
    unit: str
    setting: str
    severity: str | None
    status: str
    referral_received_on: date
    started_on: date | None
    closed_on: date | None
    running_deadlines: list[IndicatorOut] = Field(description="Pending or overdue, nearest first")
    ended_deadlines: list[IndicatorOut] = Field(description="Met, breached, deferred or cancelled")
    open_tasks: int


# ---- migration of running instances (api/routes/migrations.py) ----------------------------------------------

InstanceId = Annotated[str, Field(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9\-]+$")]


class MigrationRequest(BaseModel):
    """Which running instances of the pathway to move, and to which version."""

    model_config = ConfigDict(extra="forbid")

    to_version_id: int | None = Field(default=None, ge=1, le=2_147_483_647, description=(
        "The version to move to (a version of this pathway); default: the pathway's current version"))
    from_version_id: int | None = Field(default=None, ge=1, le=2_147_483_647, description=(
        "Only the active instances on this version; default: active instances on any other version"))
    unit: str | None = Field(default=None, min_length=1, max_length=100, description="Only instances of this unit")
    element_id: str | None = Field(default=None, min_length=1, max_length=100, description=(
        "Only instances with an open task at this element (its BPMN id)"))
    instance_ids: list[InstanceId] = Field(default=[], max_length=1000, description=(
        "Exactly these instances (at most 1,000), whatever their state; the filters above narrow them further"))


class RevertRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = Field(default=False, description="Only say what the revert would change; write nothing")


class DeadlineChangeOut(BaseModel):
    indicator: str
    sequence: int
    label: str
    old_due_on: date | None = Field(description="Due date before the move (null: the deadline is new)")
    new_due_on: date | None = Field(description="Due date after the move (null: the deadline goes away)")
    old_status: str | None
    new_status: str | None


class MigrationOutcomeOut(BaseModel):
    instance_id: str
    ok: bool = Field(description="The instance moved (in a dry-run: can move)")
    to_version_id: int
    from_version_id: int | None
    unit: str | None
    code: str | None = Field(description=(
        "Why it did not move: current_task_removed, reached_element_removed, migration_same_version, "
        "migration_other_pathway, instance_not_active, instance_not_found, version_incompatible, engine_error, "
        "changed_concurrently, instance_busy, no_migration_to_revert"))
    message: str | None
    current_elements: list[str] = Field(description="Elements of the instance's open tasks before the move")
    tasks_opened: list[str]
    tasks_closed: list[str]
    deadlines: list[DeadlineChangeOut]
    incidents_resolved: list[int]


class MigrationReportOut(BaseModel):
    pathway_key: str
    to_version_id: int
    dry_run: bool
    total: int = Field(description="Instances chosen")
    done: int = Field(description="Instances gone through")
    moved: int = Field(description="Instances moved (in a dry-run: that can move)")
    refused: int
    items: list[MigrationOutcomeOut]


class MigrationRecordOut(BaseModel):
    id: int
    instance_id: str
    pathway_key: str
    kind: Literal["migrate", "revert"]
    from_version_id: int
    to_version_id: int
    migrated_at: datetime
    migrated_by: str
    reverted_at: datetime | None


class MigrationRecordPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[MigrationRecordOut]
