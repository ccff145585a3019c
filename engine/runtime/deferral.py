"""Patient-deferred (code L): the patient postponed or did not attend, by more than 7 working days.

Registered before the clinical decision or evaluation it affects: every deadline still open gets the deferral,
so an overrun is attributed to the patient (status `deferred`) instead of counted as breached. Whether the delay
was more than 7 working days is the coordinator's judgement; the engine does not check it.
"""

from __future__ import annotations

from datetime import date

from engine.catalogue.forms import check_occurred_on
from engine.deadlines.indicators import PATIENT_DEFERRED
from engine.deadlines.measurement import RegisteredEvent
from engine.errors import Conflict, ErrorCode
from engine.runtime import projection
from engine.runtime.context import RuntimeContext
from engine.runtime.gate import locked, require_active
from engine.runtime.workflow_state import dump_state
from engine.runtime.write_path import StaleInstance, UnitOfWork


def register_patient_deferred(ctx: RuntimeContext, instance_id: str, *, occurred_on: date, note: str | None = None,
                              actor: str | None = None) -> None:
    try:
        with locked(ctx, instance_id=instance_id) as held:
            require_active(held)
            check_occurred_on(occurred_on, ctx.today(), held.state.last_occurred_on)
            work = UnitOfWork(held.conn, held.state)
            projection.audit(ctx, work, actor, "register_patient_deferred")
            projection.register_events(ctx, work, held.definition,
                                       [RegisteredEvent(PATIENT_DEFERRED, occurred_on, note=note)], actor)
            work.commit(dump_state(held.workflow), ctx.now())
    except StaleInstance as exc:
        raise Conflict(ErrorCode.CHANGED_CONCURRENTLY,
                       f"pathway {instance_id} was changed by someone else; try again") from exc
    ctx.live.checkin(held.workflow, held.state)
