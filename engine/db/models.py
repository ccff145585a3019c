"""The tables: SQLAlchemy 2 models, identical on SQLite and PostgreSQL (the migrations create exactly these).

Workflow state is one JSON document per instance *without* the process spec: specs are stored once per
pathway version (the BPMN source, keyed by content hash) and parsed once per process. Everything the users
query (open tasks, measuring points, indicator measurements, due timers) is projected into indexed tables.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from engine.statuses import DeadlineStatus, InstanceStatus, TaskStatus


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        from datetime import timezone
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        from datetime import timezone
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


def _where(condition: str) -> dict[str, Any]:
    """A partial index's condition, for both PostgreSQL and SQLite."""
    return {"postgresql_where": text(condition), "sqlite_where": text(condition)}


_OPEN_TASK = f"status = '{TaskStatus.OPEN}'"
#: A task's `urgent_on` when neither its pathway has a running deadline nor the task a due date: sorts last.
NO_URGENT_DATE = date(9999, 12, 31)


class PathwayVersion(Base):
    __tablename__ = "pathway_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pathway_key: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(300))
    type_code: Mapped[str | None] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(300))
    source: Mapped[bytes] = mapped_column(LargeBinary)
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: a user id, "cli:<login>" for `pathways deploy`, or None for the pathway folder deployed at start-up
    deployed_by: Mapped[str | None] = mapped_column(String(100))
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)


class PathwayInstance(Base):
    __tablename__ = "pathway_instance"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    pathway_version_id: Mapped[int] = mapped_column(ForeignKey("pathway_version.id"))
    pathway_key: Mapped[str] = mapped_column(String(100))
    patient_key: Mapped[str] = mapped_column(String(64), index=True)
    unit: Mapped[str] = mapped_column(String(100))
    setting: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str | None] = mapped_column(String(40))
    rule_set: Mapped[str] = mapped_column(String(10))
    referral_received_on: Mapped[date] = mapped_column(Date)
    #: The pathway's start date under its rule set (2019: referral received; 2024: assessed with right to care).
    started_on: Mapped[date | None] = mapped_column(Date)
    #: The latest measuring point's date: a new one may not be earlier.
    last_occurred_on: Mapped[date | None] = mapped_column(Date)
    #: Fingerprint of the rows in due_timer for this instance, so unchanged timers are not rewritten.
    timer_signature: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=InstanceStatus.ACTIVE)
    #: "<pathway_key>|<patient_key>" while active, NULL after: the unique index allows one active pathway per type.
    active_key: Mapped[str | None] = mapped_column(String(170), unique=True)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_on: Mapped[date | None] = mapped_column(Date)
    #: Bumped by every command on the instance (engine.runtime.write_path); live caches are keyed by it.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    pathway_version: Mapped[PathwayVersion] = relationship()

    __table_args__ = (Index("ix_instance_pathway_unit_status", "pathway_key", "unit", "status"),)


class MeasuringPointEvent(Base):
    __tablename__ = "measuring_point_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("pathway_instance.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str | None] = mapped_column(String(60))
    occurred_on: Mapped[date] = mapped_column(Date)
    element_id: Mapped[str | None] = mapped_column(String(100))
    task_id: Mapped[str | None] = mapped_column(String(36))
    note: Mapped[str | None] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    registered_by: Mapped[str | None] = mapped_column(String(100))
    #: Patient-deferred (code L) only: the last day of the period the patient caused, and why (a reason code).
    deferred_until: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(40))
    #: Set when the registration was undone (engine.runtime.corrections): kept, but no longer measured.
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CoordinatorTask(Base):
    __tablename__ = "coordinator_task"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the SpiffWorkflow task id
    instance_id: Mapped[str] = mapped_column(ForeignKey("pathway_instance.id"), index=True)
    pathway_key: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(100))
    patient_key: Mapped[str] = mapped_column(String(64))
    element_id: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(100))
    measuring_point: Mapped[str | None] = mapped_column(String(60))
    assignee: Mapped[str | None] = mapped_column(String(100))
    due_on: Mapped[date | None] = mapped_column(Date)
    #: The list's sort key, kept by the write path (engine.runtime.write_path): the nearest running deadline of
    #: the instance, else `due_on`, else NO_URGENT_DATE (never NULL, so an index and a keyset cursor can use it).
    urgent_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        # Task lists only ever ask for open tasks: partial indexes hold just those, and completing a task
        # leaves them alone instead of re-indexing a row nobody lists.
        Index("ix_task_open_unit_due", "unit", "due_on", **_where(_OPEN_TASK)),
        Index("ix_task_open_pathway_due", "pathway_key", "due_on", **_where(_OPEN_TASK)),
        Index("ix_task_open_assignee", "assignee", **_where(_OPEN_TASK)),
        # In the list's own order (engine.reading.tasks), so a page is read off the index instead of sorting
        # every matching task: per unit, and across all units for the administrator.
        Index("ix_task_open_unit_urgent", "unit", "urgent_on", "due_on", "created_at", "id", **_where(_OPEN_TASK)),
        Index("ix_task_open_urgent", "urgent_on", "due_on", "created_at", "id", **_where(_OPEN_TASK)),
        Index("ix_task_open_patient", "patient_key", **_where(_OPEN_TASK)),
    )


class IndicatorMeasurement(Base):
    __tablename__ = "indicator_measurement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("pathway_instance.id"), index=True)
    pathway_key: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(100))
    indicator_key: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(300))
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    from_point: Mapped[str] = mapped_column(String(60))
    to_point: Mapped[str] = mapped_column(String(60))
    limit_days: Mapped[int] = mapped_column(Integer)
    day_unit: Mapped[str] = mapped_column(String(20))
    start_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    deferral_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    target_share: Mapped[float | None] = mapped_column(Float)
    unconfirmed: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_measurement_pending_due", "due_on", **_where(f"status = '{DeadlineStatus.PENDING}'")),
        #: The compliance report's live part: deadlines persisted as overdue (pending ones use the index above).
        Index("ix_measurement_overdue_due", "due_on", **_where(f"status = '{DeadlineStatus.OVERDUE}'")),
        Index("ix_measurement_report", "pathway_key", "unit", "indicator_key", "end_on"),
        #: The natural key: commands address a measurement by it, so inserts need not wait for generated ids.
        Index("ux_measurement_occurrence", "instance_id", "indicator_key", "sequence", unique=True),
    )


#: ComplianceTally.target_share of an indicator without a target share: the tally's key holds no NULL, so a
#: unique index (and an upsert on it) matches it on both databases.
NO_TARGET = -1.0


class ComplianceTally(Base):
    """The closed measurements added up per pathway, indicator, unit, month and declaration: the compliance
    report's closed part, kept in every command's transaction by `engine.runtime.compliance_tally`.

    `pathways_in_month` and `pathways_in_tertial` count each pathway instance once (the report's distinct
    pathways in the denominator): an instance is counted on one row of its month, and on one row of its tertial
    (its first month there with a met or breached measurement). An instance never changes unit, so the units'
    counts add up to a total."""

    __tablename__ = "compliance_tally"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pathway_key: Mapped[str] = mapped_column(String(100))
    indicator_key: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300))
    #: NO_TARGET when the indicator has none
    target_share: Mapped[float] = mapped_column(Float)
    unconfirmed: Mapped[bool] = mapped_column(Boolean)
    met: Mapped[int] = mapped_column(Integer, default=0)
    breached: Mapped[int] = mapped_column(Integer, default=0)
    deferred: Mapped[int] = mapped_column(Integer, default=0)
    pathways_in_month: Mapped[int] = mapped_column(Integer, default=0)
    pathways_in_tertial: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ux_tally_key", "pathway_key", "indicator_key", "unit", "year", "month", "label", "target_share",
              "unconfirmed", unique=True),
    )


class EventCorrection(Base):
    """One correction of a registered measuring point: its date moved, or the registration undone. The old value
    is kept here, so the timeline can show "korrigert" with old → new, who, when and why."""

    __tablename__ = "event_correction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("pathway_instance.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("measuring_point_event.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # engine.statuses.CorrectionKind
    old_occurred_on: Mapped[date] = mapped_column(Date)
    new_occurred_on: Mapped[date | None] = mapped_column(Date)
    old_outcome: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    corrected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    corrected_by: Mapped[str] = mapped_column(String(100))


class Incident(Base):
    """A due item (timer, message delivery, overdue sweep) that failed inside the engine. The item is parked
    until `next_attempt_at` (NULL: until someone retries it), so one broken instance never stops the others."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # engine.statuses.IncidentKind
    status: Mapped[str] = mapped_column(String(20))  # engine.statuses.IncidentStatus
    #: NULL for a failure of a whole sweep step, which belongs to no instance.
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("pathway_instance.id"), index=True)
    pathway_key: Mapped[str | None] = mapped_column(String(100))
    pathway_version_id: Mapped[int | None] = mapped_column(Integer)
    unit: Mapped[str | None] = mapped_column(String(100))
    patient_key: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("pathway_message.id"))
    element_id: Mapped[str | None] = mapped_column(String(100))
    element_label: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_incident_status_unit", "status", "unit"),)


class InstanceMigration(Base):
    """One move of a running instance to another version of its pathway (engine.runtime.migration): from which
    version to which, who and when. A revert is a row of its own, and marks the migration it undid."""

    __tablename__ = "instance_migration"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("pathway_instance.id"), index=True)
    pathway_key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # engine.statuses.MigrationKind
    from_version_id: Mapped[int] = mapped_column(ForeignKey("pathway_version.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("pathway_version.id"))
    migrated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    migrated_by: Mapped[str] = mapped_column(String(100))
    #: Set on a migration when a revert moved the instance back.
    reverted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_instance_migration_pathway_at", "pathway_key", "migrated_at"),)


class DueTimer(Base):
    __tablename__ = "due_timer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("pathway_instance.id"), index=True)
    element_id: Mapped[str] = mapped_column(String(100))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class PathwayMessage(Base):
    """A message one pathway sent to another pathway of the same patient (e.g. the follow-up plan from specialist
    care to the municipality), kept until an instance waiting for a message of that name has received it."""

    __tablename__ = "pathway_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str | None] = mapped_column(Text)  # JSON
    result_variable: Mapped[str | None] = mapped_column(String(100))
    sender_instance_id: Mapped[str | None] = mapped_column(ForeignKey("pathway_instance.id"), index=True)
    sent_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    receiver_instance_id: Mapped[str | None] = mapped_column(ForeignKey("pathway_instance.id"), index=True)

    __table_args__ = (
        Index("ix_message_waiting", "patient_key", "name", **_where("delivered_at IS NULL")),
    )


class PathwayLink(Base):
    """Two pathways of one patient that belong together: one started by the other's message (the municipal
    coordination started by specialist care's contact), or the new start at the receiving trust after a transfer."""

    __tablename__ = "pathway_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # engine.statuses.LinkKind
    from_instance_id: Mapped[str] = mapped_column(ForeignKey("pathway_instance.id"), index=True)
    to_instance_id: Mapped[str] = mapped_column(ForeignKey("pathway_instance.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("pathway_message.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiUser(Base):
    """A person or system that may use the API: a role, the units a coordinator works in, and a token hash."""

    __tablename__ = "api_user"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    units: Mapped[str] = mapped_column(Text, default="")  # newline-separated
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEvent(Base):
    """Who read or changed which patient's data, and when. Written in the same transaction as a change."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    patient_key: Mapped[str | None] = mapped_column(String(64))
    instance_id: Mapped[str | None] = mapped_column(String(36))
    task_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_audit_patient_at", "patient_key", "at"),
        Index("ix_audit_actor_at", "actor", "at"),
    )


class AuditShown(Base):
    """The pathways (and their patients) one list read showed: a list read is one `audit_event` row naming no
    single patient, and these rows name each patient it showed, found by patient through their own index as the
    trail's other rows are."""

    __tablename__ = "audit_shown"

    event_id: Mapped[int] = mapped_column(ForeignKey("audit_event.id"), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_key: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_shown_patient", "patient_key", "event_id"),)
