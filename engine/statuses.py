"""Every status that is stored: of a pathway instance, of a coordinator task and of a deadline measurement.

They are `StrEnum`s, so a status compares equal to its stored text and goes into JSON and SQL as that text.
What the deadline statuses mean, and when each one applies, is decided in `engine.deadlines.rules`.
"""

from __future__ import annotations

from enum import StrEnum


class InstanceStatus(StrEnum):
    ACTIVE = "active"
    #: The process reached its end (the pathway was closed).
    COMPLETED = "completed"


class TaskStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    #: Withdrawn by the process: a boundary event fired, or the pathway ended first.
    CANCELLED = "cancelled"


class DeadlineStatus(StrEnum):
    """The status of one deadline measurement (one row of indicator_measurement)."""

    PENDING = "pending"
    OVERDUE = "overdue"
    MET = "met"
    BREACHED = "breached"
    #: Ended after its due date, but with a registered patient deferral: the patient caused the delay.
    DEFERRED = "deferred"
    #: The pathway ended before the end event could happen (e.g. closure after the last evaluation): not counted.
    CANCELLED = "cancelled"


#: A measurement in one of these is still waiting for its end event.
OPEN_DEADLINE_STATUSES = (DeadlineStatus.PENDING, DeadlineStatus.OVERDUE)
#: A measurement in one of these has its end event and counts in compliance.
CLOSED_DEADLINE_STATUSES = (DeadlineStatus.MET, DeadlineStatus.BREACHED, DeadlineStatus.DEFERRED)


class IncidentKind(StrEnum):
    """Which due item failed."""

    TIMER = "timer"
    MESSAGE = "message"
    #: A whole sweep step (the overdue sweep) that belongs to no single instance.
    SWEEP = "sweep"


class IncidentStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class CorrectionKind(StrEnum):
    #: The registered date was wrong and was moved.
    DATE = "date"
    #: The registration was undone: the task is open again and can be registered anew.
    UNDO = "undo"


class DeferralReason(StrEnum):
    """Why the patient delayed the pathway (patient-deferred, code L)."""

    CANCELLED_APPOINTMENT = "cancelled_appointment"
    DID_NOT_ATTEND = "did_not_attend"
    ASKED_TO_POSTPONE = "asked_to_postpone"
    OTHER = "other"


class MigrationKind(StrEnum):
    """How an instance changed version (`instance_migration.kind`)."""

    #: Moved to another version of its pathway by a modeller.
    MIGRATE = "migrate"
    #: Moved back to the version a migration took it from.
    REVERT = "revert"


class LinkKind(StrEnum):
    """How two pathways of one patient are linked (pathway_link)."""

    #: The later pathway was started by the earlier one's message (`startedByMessage`).
    STARTED_BY_MESSAGE = "started_by_message"
    #: The later pathway was already running when the earlier one's starting message came: linked instead.
    LINKED_BY_MESSAGE = "linked_by_message"
    #: The earlier pathway was transferred to another trust, which started the later one.
    TRANSFER = "transfer"
