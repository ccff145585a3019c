"""The data-quality report, like the registry's monthly feedback to the trusts: active pathways that miss a
registration the registry expects, per unit and check, as of a day.

Checks (only pathways that report to the registry: their file declares registration codes; not the municipal
pathways):
    missing_clinical_decision  first attendance registered, but the assessment deadline (first attendance →
                               clinical decision) is still open more than DECISION_OVERDUE_DAYS past its due date
    evaluation_overdue         a deadline ending in an evaluation is still open more than EVALUATION_OVERDUE_DAYS
                               past its due date
    no_closure                 still active, but no measuring point for more than INACTIVE_DAYS (the referral date
                               when none is registered)
    type_code_missing          the pathway's definition has no confirmed type code (`pathwayType` missing or
                               `unconfirmed:pathwayType`), so the registry cannot place its events

Counts are one SQL `GROUP BY` over a `UNION ALL` of the four checks (by unit and version; the version says whether
the pathway reports and whether its type is known, from the definition cache), so the worklist can show its count
with one query. The findings (which pathways) are the same selects without the grouping, for those who may see
patients.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from time import monotonic
from typing import Any

from sqlalchemy import Select, and_, func, literal, select, union_all

from engine.catalogue.versions import DefinitionCache
from engine.db.database import Database
from engine.db.models import IndicatorMeasurement, PathwayInstance
from engine.statuses import OPEN_DEADLINE_STATUSES, InstanceStatus

# The thresholds, in calendar days. The registry does not publish its own; these are ours, chosen so that only
# a registration that is surely missing is reported, not one that is just late: a deadline's overrun is already
# in the compliance report the day after its due date. A clinical decision a month past the assessment's due date
# has most likely been made and not registered; evaluations run 6–12 weeks apart, so two months past due means one
# was skipped or not registered; half a year without any measuring point in an active pathway means the patient
# has most likely left it without a closure. Change them here, and the report, the page and the worklist follow.
#: (a) days past the assessment deadline's due date without a clinical decision
DECISION_OVERDUE_DAYS = 30
#: (b) days past an evaluation deadline's due date without the evaluation
EVALUATION_OVERDUE_DAYS = 60
#: (c) days since the last measuring point of an active pathway without a closure
INACTIVE_DAYS = 180
#: At most this many findings are listed (the counts are always complete).
MAX_FINDINGS = 500
#: The worklist's count is reused this long (seconds) for the same units on the same day. A finding needs 30 days
#: or more past a due date, so a minute changes nothing but a fix just registered; the count of every unit reads
#: every active pathway (half a second at 100,000), too much for each view of the worklist.
TOTAL_SECONDS = 60.0
#: The measuring points the checks follow (pathways/README.md, "Standard elements").
FIRST_ATTENDANCE, CLINICAL_DECISION, EVALUATION = "first_attendance", "clinical_decision", "evaluation"


class Check(StrEnum):
    MISSING_CLINICAL_DECISION = "missing_clinical_decision"
    EVALUATION_OVERDUE = "evaluation_overdue"
    NO_CLOSURE = "no_closure"
    TYPE_CODE_MISSING = "type_code_missing"


CHECKS: tuple[Check, ...] = tuple(Check)
THRESHOLDS = {Check.MISSING_CLINICAL_DECISION: DECISION_OVERDUE_DAYS, Check.EVALUATION_OVERDUE: EVALUATION_OVERDUE_DAYS,
              Check.NO_CLOSURE: INACTIVE_DAYS}


@dataclass(frozen=True)
class UnitCounts:
    unit: str
    #: check -> pathways found (every check present, 0 when none)
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Finding:
    check: str
    unit: str
    instance_id: str
    patient_key: str
    pathway_key: str
    #: the due date passed (a, b), the last measuring point (c) or the referral date (d)
    since: date


def _checks(today: date, units: Collection[str] | None) -> list[Select]:
    """One select per check of (check, unit, version, instance, patient, pathway, since) over active pathways."""
    instance, measurement = PathwayInstance, IndicatorMeasurement
    active = [instance.status == InstanceStatus.ACTIVE]
    if units is not None:
        active.append(instance.unit.in_(list(units)))
    columns = (instance.unit, instance.pathway_version_id, instance.id, instance.patient_key, instance.pathway_key)

    def open_past(check: Check, condition: Any, days: int) -> Select:
        return (select(literal(str(check)).label("check"), *columns, func.min(measurement.due_on).label("since"))
                .join(measurement, measurement.instance_id == instance.id)
                .where(*active, condition, measurement.status.in_(OPEN_DEADLINE_STATUSES),
                       measurement.due_on < today - timedelta(days=days))
                .group_by(*columns))

    last = func.coalesce(instance.last_occurred_on, instance.referral_received_on)
    return [
        open_past(Check.MISSING_CLINICAL_DECISION, and_(measurement.from_point == FIRST_ATTENDANCE,
                                                        measurement.to_point == CLINICAL_DECISION),
                  DECISION_OVERDUE_DAYS),
        open_past(Check.EVALUATION_OVERDUE, measurement.to_point == EVALUATION, EVALUATION_OVERDUE_DAYS),
        select(literal(str(Check.NO_CLOSURE)).label("check"), *columns, last.label("since"))
        .where(*active, last < today - timedelta(days=INACTIVE_DAYS)),
        select(literal(str(Check.TYPE_CODE_MISSING)).label("check"), *columns,
               instance.referral_received_on.label("since")).where(*active),
    ]


def _counts_in(definitions: DefinitionCache, check: str, version_id: int) -> bool:
    """Does a row of this check and version count: the pathway reports to the registry, and for the type check
    its type code is missing or unconfirmed."""
    definition = definitions.get(version_id)
    if not definition.reports_to_registry:
        return False
    return check != Check.TYPE_CODE_MISSING or definition.type_unconfirmed


def data_quality_counts(db: Database, definitions: DefinitionCache, today: date,
                        units: Collection[str] | None = None) -> list[UnitCounts]:
    """Per unit (`units`: only these; None = all) the pathways each check finds, in one query; units without
    findings are left out."""
    found = union_all(*_checks(today, units)).subquery()
    query = (select(found.c.check, found.c.unit, found.c.pathway_version_id, func.count())
             .group_by(found.c.check, found.c.unit, found.c.pathway_version_id))
    with db.reading_connection() as conn:
        rows = conn.execute(query).all()
    per_unit: dict[str, dict[str, int]] = {}
    for check, unit, version_id, count in rows:
        if _counts_in(definitions, check, version_id):
            counts = per_unit.setdefault(unit, dict.fromkeys(CHECKS, 0))
            counts[Check(check)] += count
    return [UnitCounts(unit, {str(k): v for k, v in per_unit[unit].items()}) for unit in sorted(per_unit)]


def data_quality_total(db: Database, definitions: DefinitionCache, today: date,
                       units: Collection[str] | None) -> int:
    """Every finding of these units together: the worklist's count."""
    return sum(u.total for u in data_quality_counts(db, definitions, today, units))


def data_quality_findings(db: Database, definitions: DefinitionCache, today: date,
                          units: Collection[str] | None = None) -> list[Finding]:
    """The pathways each check finds (the type check excepted: that is the definition's, see the counts), by check,
    unit and how long ago; at most MAX_FINDINGS."""
    found = union_all(*_checks(today, units)[:3]).subquery()
    with db.reading_connection() as conn:
        rows = conn.execute(select(found)).all()  # sorted below, in the checks' order
    findings = [Finding(r.check, r.unit, r.id, r.patient_key, r.pathway_key, r.since) for r in rows
                if _counts_in(definitions, r.check, r.pathway_version_id)]
    order = {str(check): n for n, check in enumerate(CHECKS)}
    return sorted(findings, key=lambda f: (order[f.check], f.unit, f.since, f.instance_id))[:MAX_FINDINGS]


class TotalCache:
    """The worklist's data-quality counts, by key (day, units), each reused for TOTAL_SECONDS; the least recently
    stored go beyond `size` keys. Per process: another process counts for itself."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, count: Callable[[], int]) -> int:
        now = monotonic()
        with self._lock:
            found = self._items.get(key)
            if found is not None and now - found[0] < TOTAL_SECONDS:
                return found[1]
        value = count()
        with self._lock:
            self._items[key] = (now, value)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value
