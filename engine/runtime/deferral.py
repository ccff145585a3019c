"""Patient-deferred (code L): the patient postponed or did not attend, so that a deadline the patient can delay
could not be met.

The rule (domain.md §5): the patient caused a delay of **more than 7 working days**; it applies to the deadlines
declared `deferrable` in the BPMN (the assessment's clinical decision, evaluations), never to the referral
assessment, which the patient cannot delay; it is registered before the end event it affects. The clock keeps
running: a deadline whose end event comes after its due date is then `deferred` (the overrun is attributed to
the patient) instead of `breached`. The period (from, until) and a reason are recorded with the measuring point.
"""

from __future__ import annotations

from datetime import date, timedelta

from engine.catalogue.forms import check_occurred_on
from engine.deadlines.calendar import add_working_days, working_days_between
from engine.deadlines.indicators import PATIENT_DEFERRED
from engine.deadlines.measurement import RegisteredEvent, deferrable_open
from engine.errors import Conflict, ErrorCode, InvalidInput
from engine.runtime import projection
from engine.runtime.context import RuntimeContext
from engine.runtime.gate import changed_concurrently, locked, require_active
from engine.runtime.workflow_state import dump_state
from engine.runtime.write_path import StaleInstance, UnitOfWork
from engine.statuses import DeferralReason

#: "More than 7 working days" (Helsedirektoratet, pasientutsatt pakkeforløp): a shorter delay is not registered.
MIN_WORKING_DAYS = 8
#: A period longer than a year is a typing error, not a deferral.
MAX_PERIOD = timedelta(days=366)


def deferral_period(deferred_from: date, deferred_until: date | None, working_days: int | None) -> date:
    """The period's last day, from its end date or its length in working days; refused unless it is longer than
    7 working days."""
    if (deferred_until is None) == (working_days is None):
        raise InvalidInput(ErrorCode.DEFERRAL_PERIOD_INVALID, "give either the period's last day or its length in "
                                                              "working days")
    if working_days is not None:
        if not 0 < working_days <= 260:
            raise InvalidInput(ErrorCode.DEFERRAL_PERIOD_INVALID, "working_days must be between 1 and 260")
        deferred_until = add_working_days(deferred_from, working_days)
    if deferred_until <= deferred_from or deferred_until - deferred_from > MAX_PERIOD:
        raise InvalidInput(ErrorCode.DEFERRAL_PERIOD_INVALID,
                           f"the period must end after it starts and last at most a year ({deferred_from} – "
                           f"{deferred_until})")
    length = working_days_between(deferred_from, deferred_until)
    if length < MIN_WORKING_DAYS:
        raise InvalidInput(ErrorCode.DEFERRAL_TOO_SHORT,
                           f"patient-deferred needs a delay of more than 7 working days; {deferred_from} – "
                           f"{deferred_until} is {length}", params={"working_days": length})
    return deferred_until


def register_patient_deferred(ctx: RuntimeContext, instance_id: str, *, deferred_from: date,
                              deferred_until: date | None = None, working_days: int | None = None,
                              reason: str, note: str | None = None, actor: str | None = None) -> None:
    if reason not in DeferralReason.__members__.values():
        raise InvalidInput(ErrorCode.DEFERRAL_REASON_INVALID,
                           f"reason must be one of {', '.join(DeferralReason)}, not {reason!r}")
    until = deferral_period(deferred_from, deferred_until, working_days)
    try:
        with locked(ctx, instance_id=instance_id) as held:
            require_active(held)
            check_occurred_on(deferred_from, ctx.today(), held.state.last_occurred_on)
            applicable = [i for i in held.definition.indicators
                          if i.applies_to(held.state.setting, held.state.severity)]
            if not deferrable_open(held.state.measurements, applicable):
                raise Conflict(ErrorCode.NO_DEFERRABLE_DEADLINE,
                               f"pathway {instance_id} has no running deadline the patient can defer (the referral "
                               f"assessment cannot be deferred)")
            work = UnitOfWork(held.conn, held.state)
            projection.audit(ctx, work, actor, "register_patient_deferred", detail=f"{deferred_from}–{until} {reason}")
            projection.register_events(ctx, work, held.definition, [RegisteredEvent(
                PATIENT_DEFERRED, deferred_from, note=note, deferred_until=until, reason=reason)], actor)
            work.commit(dump_state(held.workflow), ctx.now())
    except StaleInstance as exc:
        raise changed_concurrently(instance_id) from exc
    ctx.live.checkin(held.workflow, held.state)
