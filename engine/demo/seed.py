"""A seeded demo data set: about a thousand pathways over the last two years in three units, made by the engine.

Nothing here writes a row itself. Every pathway is started, worked and closed through the runtime's own commands
(`start_pathway`, `complete_task`, `register_patient_deferred`, `tick`) on a `ManualClock` that is moved forward
day by day, from the first referral up to `today`. So every task, measuring point, indicator measurement, timer
and message is exactly what the coordinators' real use would have produced, and the last events are today:
some pathways are still active, with open and overdue tasks.

What is simulated, deterministically for a given `seed`:

- **Pathways**: every deployed specialist pathway that follows the standard element ids of pathways/README.md
  (start event `start_referral_received`, `assess_referral` with the `right_to_care` outcome, `close_pathway`),
  weighted (TSB, D11 and D12 most common). A pathway whose forms the walker cannot fill is skipped, never fatal.
- **Units**: `DPS Nord` and `DPS Sør` (adults) and `BUP Vest` (children's pathways), each with its own share of
  inpatients.
- **Patients**: pseudonyms `DEMO-000001` … (format `^[A-Z]{2,10}-[0-9]{4,10}$`), one specialist pathway each,
  and the pathways the engine starts for them by message (the municipal coordination in `Porsgrunn kommune` or
  `Kragerø kommune`, started by the specialist coordinator's contact), walked by that unit's coordinator.
- **The walk**: generic, from each pathway's definition. When a task appears on an instance's list it gets the
  day it will be done: within its due date (80 % of the time) or late (by days, sometimes months); a task without
  a due date after its typical gap, and sooner when a step after it has an earlier deadline. The instance then
  does its earliest planned task (the earliest due date first on the same day) and fills the task's form:
  weighted outcomes (right to care ~90 %; clinical decision mostly CT/CP, CU ~15 %, some CK/CA/CS/CI; evaluations
  continue until one closes; closure mostly with municipal follow-up), yes/no fields, dates = the day, ages,
  short Norwegian texts. Every 20th patient postpones once (patient-deferred); escalation tasks in the
  Enhetsleder lane are followed up about half of the time; at most one `check` a week for an instance that
  waits for a timer.
- **Time**: referral dates are spread evenly over the last `years` years; the clock ticks once every day (timers
  fire as the scheduler would fire them) and registrations happen during the working day.

`seed()` refuses a database that already has pathway instances: it is for demo and test databases only.
"""

from __future__ import annotations

import heapq
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from datetime import time as day_time
from typing import Any, Callable, Union

from sqlalchemy import func, select

from engine.catalogue.definition import FormField, PathwayDefinition
from engine.clock import OSLO, Clock, ManualClock
from engine.db.database import Database
from engine.db.models import (
    CoordinatorTask,
    IndicatorMeasurement,
    MeasuringPointEvent,
    PathwayInstance,
    PathwayLink,
    PathwayVersion,
)
from engine.deadlines.calendar import is_working_day
from engine.deadlines.indicators import PATIENT_DEFERRED
from engine.deadlines.rules import overdue_sql, status_on
from engine.errors import Conflict, ErrorCode, PathwayError
from engine.runtime import PathwayRuntime
from engine.statuses import OPEN_DEADLINE_STATUSES, DeadlineStatus, DeferralReason, InstanceStatus, LinkKind, TaskStatus

log = logging.getLogger("pathways.seed")

#: Patient keys of the seeded set: a pseudonym prefix and six digits, e.g. DEMO-000123.
PATIENT_KEY_FORMAT = "DEMO-{:06d}"

ADULT_UNITS = ("DPS Nord", "DPS Sør")
CHILDREN_UNIT = "BUP Vest"
UNITS = (*ADULT_UNITS, CHILDREN_UNIT)
#: The patients' municipalities: the specialist coordinator names one when contacting its coordinator, and the
#: municipal coordination pathway the contact starts runs there.
MUNICIPAL_UNITS = ("Porsgrunn kommune", "Kragerø kommune")
#: Share of referrals that name the patient's municipal pathway coordinator (the specialist coordinator then
#: contacts them, which starts the municipal coordination).
MUNICIPAL_NAMED_SHARE = 0.4
#: Who registers in each unit (the dev users of engine.access); escalations are the unit leader's.
COORDINATORS = {"DPS Nord": "koordinator-nord", "DPS Sør": "koordinator-sor", CHILDREN_UNIT: "koordinator-bup",
                "Porsgrunn kommune": "koordinator-porsgrunn", "Kragerø kommune": "koordinator-kragero"}
UNIT_LEADER = "leder"
#: Share of inpatients (døgn) per unit.
INPATIENT_SHARE = {"DPS Nord": 0.25, "DPS Sør": 0.10, CHILDREN_UNIT: 0.06}

#: Relative weights of the known specialist pathways; any other standard pathway gets `OTHER_WEIGHT`.
PATHWAY_WEIGHTS = {
    "tsb_d01": 28, "mental_health_adults_d11": 30, "mental_health_children_d12": 22, "psychosis": 6, "ocd": 5,
    "eating_disorders_children": 5, "pregnant_women_substances": 3,
}
OTHER_WEIGHT = 3
#: Pathways for children and young people: run in the BUP unit. Psychosis and OCD: mostly adults.
CHILDREN_PATHWAYS = {"mental_health_children_d12", "eating_disorders_children"}
CHILDREN_SHARE = {"psychosis": 0.2, "ocd": 0.25}

#: The standard elements a pathway must have to be walked (pathways/README.md "Standard elements").
STANDARD_START = "start_referral_received"
STANDARD_TASKS = ("assess_referral", "close_pathway")

#: Share of deadlines a task is completed within (the rest are breached).
MET_SHARE = 0.8
#: Every 20th patient (5 %) postpones once: patient-deferred (a fixed share, so a small set has some too).
PATIENT_DEFERRED_EVERY = 20
#: How long a deferring patient delays the step: more than the rule's 7 working days.
DEFERRED_WORKING_DAYS = 10
ESCALATION_LANE = "Enhetsleder"
#: Share of escalation tasks (Enhetsleder lane) that are followed up; the rest stay open until the pathway ends.
ESCALATION_FOLLOWED_UP = 0.55

#: Weights of enum options by option id; an option not listed gets `OTHER_OPTION_WEIGHT`.
OPTION_WEIGHTS: dict[str, dict[str, float]] = {
    "assess_referral.outcome": {"right_to_care": 86, "right_to_treatment": 4, "no_right_to_care": 10},
    "clinical_decision_basic.outcome": {"CT": 38, "CP": 25, "CU": 15, "CK": 9, "CA": 6, "CS": 4, "CI": 3},
    "clinical_decision_extended.outcome": {"CT": 48, "CP": 30, "CK": 9, "CA": 6, "CS": 4, "CI": 3},
    "close_pathway.outcome": {"municipal_follow_up": 75, "contracted_specialist": 8, "other_trust": 7, "other": 10},
    "referral_type": {"ordinary": 96, "acute_overdose": 4},
    "next_step": {"continue_pathway": 60, "discharge": 40},
    "first_identified_in": {"municipality": 60, "specialist_care": 40},
}
OTHER_OPTION_WEIGHT = 3.0
#: Chance that a yes/no field is answered yes; any other boolean: `OTHER_BOOLEAN_TRUE`.
BOOLEAN_TRUE = {
    "detoxification": 0.35, "somatic_follow_up_needed": 0.25, "adhd_suspected": 0.2, "adhd_diagnosed": 0.6,
    "follow_up_plan_sent": 0.9, "risk_information_shared": 0.85, "patient_involved": 0.95,
    "guardians_involved": 0.9, "needs_changed": 0.15, "invite_specialist_care": 0.5,
}
OTHER_BOOLEAN_TRUE = 0.7
#: Short Norwegian demo text for string fields; any other: `OTHER_TEXT`.
TEXTS = {
    "reason": ("Ferieavvikling i poliklinikken", "Manglende opplysninger i henvisningen", "Sykdom i teamet",
               "Høyt henvisningstall denne uken"),
    "municipal_contact": ("Koordinator i hjemkommunen", "Psykisk helse- og rustjenesten", "Fastlegen"),
    "municipal_unit": MUNICIPAL_UNITS,
    "municipal_coordinator": ("Per Koordinator", "Kristin Koordinator", "Psykisk helse- og rustjenesten"),
    "where_to_turn": ("Fastlege eller legevakt", "Kommunens psykiske helsetjeneste", "Akutteamet ved DPS"),
    "return_agreed_by": ("Overlege i TSB", "Vakthavende lege"),
}
OTHER_TEXT = ("Demo: registrert i forløpet", "Demo: avtalt med pasienten")

#: Typical days from the previous step to a task without a due date (mean, spread); else `OTHER_GAP`.
TYPICAL_GAP = {
    "first_attendance": (12, 6), "somatic_health_check": (2, 2), "plan_treatment": (5, 3),
    "detoxification_completed": (9, 3), "treatment_started": (2, 2), "evaluate_treatment": (45, 12),
    "close_pathway": (4, 3), "adhd_assessment": (21, 8), "acute_overdose_treatment": (0, 1),
    "overdose_discharge": (3, 2), "overdose_return": (1, 1), "follow_up_late_assessment": (2, 2),
    "follow_up_individual_plan": (60, 20), "contact_municipal_coordinator": (4, 3),
}
OTHER_GAP = (7, 4)
#: The chance that an evaluation closes the pathway: after the first, and after each later one.
CLOSE_AFTER_FIRST_EVALUATION = 0.08
CLOSE_AFTER_LATER_EVALUATION = 0.22
MAX_EVALUATIONS = 10
#: How long to wait before looking again at an instance that has no task to work (it waits for a timer).
RECHECK_DAYS = 7
MAX_RECHECKS = 12
#: After this many engine errors no further instances of a pathway are started.
MAX_ERRORS_PER_PATHWAY = 3

FILLABLE_TYPES = ("string", "long", "boolean", "date", "enum")


@dataclass
class SeedSummary:
    """What was made: counts per pathway, unit, setting and status, read back from the tables at the end."""

    today: date
    seed: int
    seconds: float = 0.0
    #: pathways the walk started (one per demo patient); `linked`: those the engine started for them by message
    instances: int = 0
    linked: int = 0
    by_pathway: dict[str, int] = field(default_factory=dict)
    by_unit: dict[str, int] = field(default_factory=dict)
    by_setting: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    #: indicator measurements by effective status on `today` (pending past its due date reads `overdue`)
    indicators: dict[str, int] = field(default_factory=dict)
    measuring_points: int = 0
    patient_deferred: int = 0
    open_tasks: int = 0
    overdue_tasks: int = 0
    first_referral: date | None = None
    last_referral: date | None = None
    #: deployed pathways that are not standard specialist pathways (municipal ones): not seeded
    other_pathways: list[str] = field(default_factory=list)
    #: specialist pathways not walked, with the reason (e.g. a required form field it cannot fill)
    skipped_pathways: dict[str, str] = field(default_factory=dict)
    #: engine errors per pathway (the instance stays as the engine left it)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def met_share(self) -> float | None:
        """Share met of the deadlines closed as met or breached (deferred and cancelled ones do not count)."""
        closed = self.indicators.get(DeadlineStatus.MET, 0) + self.indicators.get(DeadlineStatus.BREACHED, 0)
        return self.indicators.get(DeadlineStatus.MET, 0) / closed if closed else None

    def lines(self) -> list[str]:
        """A short human-readable report."""
        def fmt(counts: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in counts.items()) or "–"

        met = f"{self.met_share:.0%}" if self.met_share is not None else "–"
        rows = [
            f"{self.instances} pathways in {self.seconds:.1f} s, referrals {self.first_referral} – {self.last_referral}"
            f" (seed {self.seed}, today {self.today})",
            f"pathways: {fmt(self.by_pathway)} ({self.linked} of them started by another pathway's message)",
            f"units: {fmt(self.by_unit)}",
            f"settings: {fmt(self.by_setting)}",
            f"status: {fmt(self.by_status)}",
            f"deadlines: {fmt(self.indicators)} (met {met} of met + breached)",
            f"measuring points: {self.measuring_points}, patient-deferred: {self.patient_deferred}",
            f"open tasks: {self.open_tasks}, overdue: {self.overdue_tasks}",
        ]
        if self.other_pathways:
            rows.append("not seeded (not standard specialist pathways): " + ", ".join(self.other_pathways))
        if self.skipped_pathways:
            rows.append("skipped pathways: " + "; ".join(f"{k}: {v}" for k, v in self.skipped_pathways.items()))
        if self.errors:
            rows.append(f"engine errors: {fmt(self.errors)}")
        return rows


class DatabaseNotEmpty(Conflict):
    """The database already has pathway instances: demo data is never loaded on top of them."""


RuntimeFactory = Callable[[Clock], PathwayRuntime]
#: Told how far a seeding has come: (days simulated, days in all), after every simulated day, with increasing
#: counts up to the total. The caller decides what to show (a terminal bar, log lines, nothing).
Progress = Callable[[int, int], None]


def has_instances(db: Database) -> bool:
    with db.reading() as session:
        return bool(session.scalar(select(func.count()).select_from(PathwayInstance)))


def seed(target: Union[Database, RuntimeFactory], *, pathways: int = 1000, years: float = 2, today: date,
         seed: int = 2019, now: datetime | None = None, progress: Progress | None = None) -> SeedSummary:
    """Fill an empty database with `pathways` demo pathways whose referrals spread over the last `years` years.

    `target` is the database, or a factory that makes a `PathwayRuntime` on a given clock (the seed drives its
    own `ManualClock`). The pathways must already be deployed. `today` is the last day events happen on; `now`
    (optional, an instant on `today`) keeps today's registrations before that instant. `progress`, when given, is
    called after every simulated day (see `Progress`). Raises `DatabaseNotEmpty` when the database has pathway
    instances.
    """
    started = time.perf_counter()
    clock = ManualClock(today)
    runtime = PathwayRuntime(target, clock) if isinstance(target, Database) else target(clock)
    if has_instances(runtime.db):
        raise DatabaseNotEmpty(ErrorCode.DATABASE_NOT_EMPTY, "the database already has pathway instances; demo data is "
                               "loaded only into an "
                               "empty database")
    summary = SeedSummary(today=today, seed=seed)
    walkable = _walkable_pathways(runtime, summary)
    if walkable and pathways > 0:
        _Simulation(runtime, clock, walkable, summary, pathways=pathways, years=years, today=today, seed=seed,
                    now=now).run(progress)
    _read_back(runtime.db, summary)
    summary.seconds = time.perf_counter() - started
    return summary


# ---- which pathways -------------------------------------------------------------------------------------------

def _walkable_pathways(runtime: PathwayRuntime, summary: SeedSummary) -> dict[str, PathwayDefinition]:
    """The deployed (current) specialist pathways that follow the standard elements and whose forms we can fill."""
    with runtime.db.reading() as session:
        rows = session.execute(select(PathwayVersion.pathway_key, PathwayVersion.id)
                               .where(PathwayVersion.is_current.is_(True))
                               .order_by(PathwayVersion.pathway_key)).all()
    walkable: dict[str, PathwayDefinition] = {}
    for key, version_id in rows:
        try:
            definition = runtime.definition_of(version_id)
        except Exception as exc:  # noqa: BLE001 - a deployed file we cannot read is skipped, never fatal
            summary.skipped_pathways[key] = f"cannot be loaded: {exc}"
            continue
        if not is_standard_specialist_pathway(definition):
            summary.other_pathways.append(key)
            continue
        reason = not_walkable(definition)
        if reason:
            summary.skipped_pathways[key] = reason
            log.warning("seed: pathway %s is skipped: %s", key, reason)
        else:
            walkable[key] = definition
    return walkable


def is_standard_specialist_pathway(definition: PathwayDefinition) -> bool:
    """Starts at `start_referral_received` and has `assess_referral` and `close_pathway` (pathways/README.md)."""
    return definition.start_event_id == STANDARD_START and all(t in definition.tasks for t in STANDARD_TASKS)


def not_walkable(definition: PathwayDefinition) -> str | None:
    """Why the walker cannot fill this standard pathway's forms, or None when it can."""
    outcome = next((f for f in definition.tasks["assess_referral"].form if f.id == "outcome"), None)
    if outcome is None or "right_to_care" not in {o for o, _ in outcome.options}:
        return "assess_referral has no outcome right_to_care"
    return not_fillable(definition)


def not_fillable(definition: PathwayDefinition) -> str | None:
    """Why the walker cannot fill some required field of the pathway's forms, or None when it can."""
    for task in definition.tasks.values():
        for spec in task.form:
            if spec.required and spec.type not in FILLABLE_TYPES:
                return f"cannot fill the required field {spec.id!r} of type {spec.type!r} in {task.element_id}"
            if spec.required and spec.type == "enum" and not spec.options:
                return f"the required field {spec.id!r} in {task.element_id} has no options"
    return None


# ---- the simulation -------------------------------------------------------------------------------------------

@dataclass
class _Patient:
    """One pathway of one patient as the walk follows it; a patient's linked pathways are `_Patient`s of their
    own with the same `key`."""

    number: int
    pathway: str
    unit: str
    setting: str
    severity: str | None
    referral: date
    age: int
    defer: bool
    instance_id: str | None = None
    evaluations: int = 0
    skipped_tasks: set[str] = field(default_factory=set)
    #: open task id -> the day it will be done
    plans: dict[str, date] = field(default_factory=dict)
    #: open task id -> (element id, lane)
    elements: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    defer_on: date | None = None
    rechecks: int = 0
    done: bool = False
    #: the patient key; default from the number (a linked pathway shares its patient's)
    key: str = ""
    #: the municipality whose coordinator the referral names, if it names one
    municipality: str | None = None

    def __post_init__(self) -> None:
        self.key = self.key or PATIENT_KEY_FORMAT.format(self.number)


class _Simulation:
    def __init__(self, runtime: PathwayRuntime, clock: ManualClock, definitions: dict[str, PathwayDefinition],
                 summary: SeedSummary, *, pathways: int, years: float, today: date, seed: int,
                 now: datetime | None) -> None:
        self.runtime = runtime
        self.clock = clock
        self.definitions = definitions
        self.summary = summary
        self.today = today
        self.now = now
        self.rng = random.Random(seed)
        self.minutes = random.Random(seed + 1)  # time of day: kept apart so it never shifts the walk
        self.municipalities = random.Random(seed + 2)  # which referrals name a municipal coordinator
        self.queue: list[tuple[date, int, int, str, str | None]] = []
        self.sequence = 0
        self.errors: Counter[str] = Counter()
        first_day = today - timedelta(days=max(1, round(365.25 * years)))
        self.patients = self._plan_patients(pathways, first_day)
        self.by_index = {p.number - 1: p for p in self.patients}
        self.walked: set[str] = set()  # instance ids the walk follows

    # -- planning -------------------------------------------------------------------------------------------

    def _plan_patients(self, count: int, first_day: date) -> list[_Patient]:
        keys = list(self.definitions)
        weights = [PATHWAY_WEIGHTS.get(k, OTHER_WEIGHT) for k in keys]
        span = (self.today - first_day).days
        patients = []
        for number in range(1, count + 1):
            key = self.rng.choices(keys, weights)[0]
            children = key in CHILDREN_PATHWAYS or self.rng.random() < CHILDREN_SHARE.get(key, 0.0)
            unit = CHILDREN_UNIT if children else self.rng.choice(ADULT_UNITS)
            setting = "inpatient" if self.rng.random() < INPATIENT_SHARE[unit] else "outpatient"
            definition = self.definitions[key]
            severity = None
            if any(i.severity for i in definition.indicators):
                severities = sorted({i.severity for i in definition.indicators if i.severity})
                roll = self.rng.random()
                # serious first when present: ~35 % serious, ~55 % less serious, ~10 % not classified
                ordered = sorted(severities, key=lambda s: (s != "serious", s))
                severity = (ordered[0] if roll < 0.35 else ordered[-1] if roll < 0.9 else None)
            if children:
                age = self.rng.randint(6, 17) if self.rng.random() < 0.8 else self.rng.randint(18, 25)
            else:
                age = min(80, max(18, int(self.rng.gauss(38, 14))))
            referral = first_day + timedelta(days=self.rng.randint(0, span))
            while not is_working_day(referral) and referral < self.today:
                referral += timedelta(days=1)
            defer = number % PATIENT_DEFERRED_EVERY == 7
            named = self.municipalities.random() < MUNICIPAL_NAMED_SHARE
            patients.append(_Patient(number, key, unit, setting, severity, referral, age, defer,
                                     municipality=self.municipalities.choice(MUNICIPAL_UNITS) if named else None))
        patients.sort(key=lambda p: (p.referral, p.number))
        for patient in patients:
            self._push(patient.referral, patient, "start")
        return patients

    def _push(self, day: date, patient: _Patient, kind: str, task_id: str | None = None) -> None:
        self.sequence += 1
        heapq.heappush(self.queue, (day, self.sequence, patient.number - 1, kind, task_id))

    # -- the day loop ---------------------------------------------------------------------------------------

    def run(self, progress: Progress | None = None) -> None:
        by_index = self.by_index
        if not self.queue:
            return
        day = first = self.queue[0][0]
        days = (self.today - first).days + 1
        while day <= self.today:
            self._set_time(day, 7 * 60)
            self.runtime.tick()  # the scheduler: timers due by this morning fire, passed deadlines turn overdue
            minute = 8 * 60
            while self.queue and self.queue[0][0] == day:
                _, _, index, kind, task_id = heapq.heappop(self.queue)
                minute = min(minute + self.minutes.randint(1, 6), 20 * 60)
                self._set_time(day, minute)
                patient = by_index[index]
                try:
                    self._act(patient, day, kind, task_id)
                except PathwayError as exc:
                    self.errors[patient.pathway] += 1
                    patient.done = True
                    log.warning("seed: %s %s stopped on %s: %s", patient.pathway, patient.instance_id, day, exc)
            if progress is not None:
                progress((day - first).days + 1, days)
            day += timedelta(days=1)
        self._set_time(self.today, 23 * 60 + 30)
        self.runtime.tick()
        self.summary.errors.update(dict(sorted(self.errors.items())))

    def _set_time(self, day: date, minute: int) -> None:
        instant = datetime.combine(day, day_time(minute // 60, minute % 60), OSLO).astimezone(timezone.utc)
        if day == self.today and self.now is not None:
            # today: keep every registration before the real "now" (spread over the day so far)
            now = self.now.astimezone(timezone.utc)
            midnight = datetime.combine(day, day_time(0), OSLO).astimezone(timezone.utc)
            if now > midnight:
                instant = midnight + (now - midnight) * (minute / (24 * 60))
        self.clock.set(instant)

    # -- one action ----------------------------------------------------------------------------------------

    def _act(self, patient: _Patient, day: date, kind: str, task_id: str | None) -> None:
        if patient.done:
            return
        if kind == "start":
            if self.errors[patient.pathway] >= MAX_ERRORS_PER_PATHWAY:
                patient.done = True
                return
            patient.instance_id = self.runtime.start_pathway(
                patient_key=patient.key, pathway_key=patient.pathway,
                unit=patient.unit, setting=patient.setting, referral_received_on=patient.referral,
                severity=patient.severity, actor=COORDINATORS[patient.unit], municipal_unit=patient.municipality,
                municipal_coordinator="Per Koordinator" if patient.municipality else None)
            self.walked.add(patient.instance_id)
        elif kind == "defer":
            self.runtime.register_patient_deferred(
                patient.instance_id, deferred_from=day, working_days=DEFERRED_WORKING_DAYS,
                reason=DeferralReason.ASKED_TO_POSTPONE, note="Pasienten ba om ny time",
                actor=COORDINATORS[patient.unit])
        elif kind == "task":
            element_id, lane = patient.elements[task_id]
            actor = UNIT_LEADER if lane == ESCALATION_LANE else COORDINATORS[patient.unit]
            try:
                self.runtime.complete_task(task_id, data=self._fill(patient, element_id, day), occurred_on=day,
                                           actor=actor)
            except Conflict:
                pass  # no longer open: a timer moved the pathway on since the task was planned
        self._plan_next(patient, day)
        if self.definitions[patient.pathway].messages_sent:
            self._adopt_linked(patient, day)

    def _adopt_linked(self, patient: _Patient, day: date) -> None:
        """Walk the pathways the engine started for this patient by a message (the municipal coordination the
        specialist coordinator's contact starts) like the patient's own, by their unit's coordinator."""
        instance = PathwayInstance.__table__.c
        with self.runtime.db.engine.connect() as conn:
            started = conn.execute(select(instance.id, instance.pathway_key, instance.pathway_version_id,
                                          instance.unit, instance.setting, instance.referral_received_on)
                                   .where(instance.patient_key == patient.key,
                                          instance.status == InstanceStatus.ACTIVE)).all()
        for row in started:
            if row.id in self.walked or row.unit not in COORDINATORS:
                continue
            self.walked.add(row.id)
            definition = self.runtime.definition_of(row.pathway_version_id)
            if not_fillable(definition):
                continue
            self.definitions.setdefault(row.pathway_key, definition)
            linked = _Patient(len(self.by_index) + 1, row.pathway_key, row.unit, row.setting, None,
                              row.referral_received_on, patient.age, False, instance_id=row.id, key=patient.key)
            self.by_index[linked.number - 1] = linked
            self._plan_next(linked, day)
    def _deferrable(self, patient: _Patient) -> set[str]:
        """The measuring points that end a deadline the patient can defer, in the patient's pathway version."""
        with self.runtime.db.engine.connect() as conn:
            version_id = conn.scalar(select(PathwayInstance.pathway_version_id)
                                     .where(PathwayInstance.id == patient.instance_id))
        return {i.to_point for i in self.runtime.definition_of(version_id).indicators if i.deferrable}

    def _open_tasks(self, patient: _Patient) -> list[Any]:
        task = CoordinatorTask.__table__.c
        with self.runtime.db.engine.connect() as conn:
            return conn.execute(select(task.id, task.element_id, task.lane, task.due_on, task.created_at,
                                       task.measuring_point)
                                .where(task.instance_id == patient.instance_id, task.status == TaskStatus.OPEN)).all()

    def _plan_next(self, patient: _Patient, day: date) -> None:
        """Give every newly opened task the day it will be done, then queue the earliest planned step.

        A task with a due date is done within it (`MET_SHARE`) or late; one without, after its typical gap. Each
        task is planned once, on the day it is first seen, as a coordinator plans it when it lands on the list;
        tasks planned for the same day are taken earliest due date first.
        """
        tasks = self._open_tasks(patient)
        open_ids = {t.id for t in tasks}
        for task_id in [t for t in patient.plans if t not in open_ids]:
            del patient.plans[task_id]  # done, or cancelled by the process (a timer, the pathway ending)
            patient.elements.pop(task_id, None)
        if not tasks:
            if self._status(patient) != InstanceStatus.ACTIVE or patient.rechecks >= MAX_RECHECKS:
                patient.done = True
            else:  # waiting for a timer or a message: look again later
                patient.rechecks += 1
                self._push(day + timedelta(days=RECHECK_DAYS), patient, "check")
            return
        patient.rechecks = 0
        horizon = self._horizon(patient, day) if any(t.id not in patient.plans for t in tasks) else None
        for task in sorted(tasks, key=lambda t: (t.due_on is None, t.due_on or day, t.created_at, t.element_id)):
            if task.id in patient.plans or task.id in patient.skipped_tasks:
                continue
            if task.lane == ESCALATION_LANE and self.rng.random() >= ESCALATION_FOLLOWED_UP:
                patient.skipped_tasks.add(task.id)  # the unit leader never gets round to it
            elif task.element_id == "overdose_return" and self.rng.random() < 0.5:
                patient.skipped_tasks.add(task.id)  # no return within 48 hours: the window's timer moves on
            else:
                patient.plans[task.id] = self._plan_task(patient, task, day, horizon)
                patient.elements[task.id] = (task.element_id, task.lane)
        if not patient.plans:
            if all(t.lane == ESCALATION_LANE for t in tasks):
                patient.done = True  # only escalations left open; they end with the pathway
            else:
                self._push(day + timedelta(days=RECHECK_DAYS), patient, "check")
            return
        due = {t.id: t.due_on for t in tasks}
        task_id = min(patient.plans, key=lambda t: (patient.plans[t], due[t] is None, due[t] or day))
        if patient.defer_on is not None and patient.defer_on <= patient.plans[task_id]:
            when, patient.defer_on = patient.defer_on, None
            self._push(when, patient, "defer")
            return
        self._push(patient.plans[task_id], patient, "task", task_id)

    def _plan_task(self, patient: _Patient, task: Any, day: date, horizon: date | None) -> date:
        """The day a task will be done. `horizon` is the instance's earliest open deadline: a step on the way to
        a deadline that another step ends (assessing the referral before a 7-day first attendance, planning the
        treatment before the first evaluation) is done early in the time left, as a coordinator would."""
        if horizon is not None and (task.due_on is None or horizon < task.due_on):
            room = (horizon - day).days
            quick = self._working_day(day + timedelta(days=self.rng.randint(0, room // 3)), horizon)
            if task.due_on is None:
                return min(quick, self._typical_day(task.element_id, day))
            return quick
        if task.due_on is None:
            return self._typical_day(task.element_id, day)
        if (patient.defer and task.due_on > day + timedelta(days=1)
                and task.measuring_point in self._deferrable(patient)):
            # the patient postpones (by more than 7 working days): registered before the deadline, the step
            # itself comes late, and the overrun is the patient's
            patient.defer = False
            defer_on = day + timedelta(days=self.rng.randint(1, (task.due_on - day).days - 1))
            patient.defer_on = self._working_day(defer_on, task.due_on - timedelta(days=1))
            return self._deadline_day(day, task.due_on, overrun=True)
        return self._deadline_day(day, task.due_on)

    def _typical_day(self, element_id: str, day: date) -> date:
        mean, spread = TYPICAL_GAP.get(element_id, OTHER_GAP)
        return self._working_day(day + timedelta(days=max(0, round(self.rng.gauss(mean, spread)))))

    def _horizon(self, patient: _Patient, day: date) -> date | None:
        """The earliest due date of the instance's open deadlines that has not passed."""
        measurement = IndicatorMeasurement.__table__.c
        with self.runtime.db.engine.connect() as conn:
            return conn.scalar(select(func.min(measurement.due_on)).where(
                measurement.instance_id == patient.instance_id, measurement.status.in_(OPEN_DEADLINE_STATUSES),
                measurement.due_on >= day))

    def _deadline_day(self, day: date, due_on: date, overrun: bool = False) -> date:
        if due_on >= day and not overrun and self.rng.random() < MET_SHARE:
            room = (due_on - day).days
            earliest = day + timedelta(days=room // 3 if room > 6 else 0)
            chosen = earliest + timedelta(days=self.rng.randint(0, (due_on - earliest).days))
            return self._working_day(chosen, due_on)
        # late: mostly by days or a couple of weeks, sometimes by months (a long waiting list)
        days = 1 + int(self.rng.expovariate(1 / 10)) + (self.rng.randint(20, 90) if self.rng.random() < 0.25 else 0)
        return self._working_day(max(due_on, day) + timedelta(days=days))

    @staticmethod
    def _working_day(day: date, latest: date | None = None) -> date:
        """The next working day from `day` (a Saturday registration moves to Monday), but not after `latest`:
        then the last working day from `day` up to `latest`, or `day` itself when there is none."""
        moved = day
        while not is_working_day(moved):
            moved += timedelta(days=1)
        if latest is None or moved <= latest:
            return moved
        moved = latest
        while moved > day and not is_working_day(moved):
            moved -= timedelta(days=1)
        return moved

    def _status(self, patient: _Patient) -> str | None:
        instance = PathwayInstance.__table__.c
        with self.runtime.db.engine.connect() as conn:
            return conn.scalar(select(instance.status).where(instance.id == patient.instance_id))

    # -- form data -------------------------------------------------------------------------------------------

    def _fill(self, patient: _Patient, element_id: str, day: date) -> dict[str, Any]:
        task_def = self.definitions[patient.pathway].tasks.get(element_id)
        data: dict[str, Any] = {}
        for spec in (task_def.form if task_def else ()):
            if not spec.required and self.rng.random() < 0.15:
                continue  # optional fields are sometimes left empty
            value = self._value(patient, element_id, spec, day, data)
            if value is not None:
                data[spec.id] = value
        return data

    def _value(self, patient: _Patient, element_id: str, spec: FormField, day: date, data: dict[str, Any]) -> Any:
        if spec.type == "enum":
            options = [o for o, _ in spec.options]
            if not options:
                return None
            if element_id == "evaluate_treatment" and spec.id == "outcome" and {"continue", "close"} <= set(options):
                patient.evaluations += 1
                chance = CLOSE_AFTER_FIRST_EVALUATION if patient.evaluations == 1 else CLOSE_AFTER_LATER_EVALUATION
                close = patient.evaluations >= MAX_EVALUATIONS or self.rng.random() < chance
                return "close" if close else "continue"
            table = OPTION_WEIGHTS.get(f"{element_id}.{spec.id}") or OPTION_WEIGHTS.get(spec.id) or {}
            return self.rng.choices(options, [table.get(o, OTHER_OPTION_WEIGHT) for o in options])[0]
        if spec.type == "boolean":
            chance = BOOLEAN_TRUE.get(spec.id, OTHER_BOOLEAN_TRUE)
            if spec.id == "follow_up_plan_sent" and data.get("outcome") not in (None, "municipal_follow_up"):
                chance = 0.2
            return self.rng.random() < chance
        if spec.type == "long":
            if "age" in spec.id:
                return patient.age
            if "week" in spec.id:
                return self.rng.randint(6, 30)
            return self.rng.randint(1, 10)
        if spec.type == "date":
            return day.isoformat()
        if spec.type == "string":
            if spec.id == "municipal_unit" and patient.municipality:
                return patient.municipality  # the one the referral names
            return self.rng.choice(TEXTS.get(spec.id, OTHER_TEXT))
        return None


# ---- reading back -----------------------------------------------------------------------------------------------

def _read_back(db: Database, summary: SeedSummary) -> None:
    today = summary.today
    with db.reading() as session:
        def grouped(column) -> dict[str, int]:
            return dict(sorted(session.execute(select(column, func.count()).group_by(column)).all()))

        summary.by_pathway = grouped(PathwayInstance.pathway_key)
        summary.by_unit = grouped(PathwayInstance.unit)
        summary.by_setting = grouped(PathwayInstance.setting)
        summary.by_status = grouped(PathwayInstance.status)
        summary.linked = session.scalar(select(func.count()).select_from(PathwayLink)
                                        .where(PathwayLink.kind == LinkKind.STARTED_BY_MESSAGE)) or 0
        summary.instances = sum(summary.by_pathway.values()) - summary.linked
        received = PathwayInstance.referral_received_on
        summary.first_referral, summary.last_referral = session.execute(
            select(func.min(received), func.max(received))).one()
        statuses: Counter[str] = Counter()
        for status, due_on, count in session.execute(
                select(IndicatorMeasurement.status, IndicatorMeasurement.due_on, func.count())
                .group_by(IndicatorMeasurement.status, IndicatorMeasurement.due_on)).all():
            statuses[status_on(status, due_on, today)] += count
        order = (DeadlineStatus.MET, DeadlineStatus.BREACHED, DeadlineStatus.DEFERRED, DeadlineStatus.OVERDUE,
                 DeadlineStatus.PENDING, DeadlineStatus.CANCELLED)
        summary.indicators = {s: statuses[s] for s in order if statuses[s]} | {
            s: n for s, n in sorted(statuses.items()) if s not in order}
        summary.measuring_points = session.scalar(select(func.count()).select_from(MeasuringPointEvent)) or 0
        summary.patient_deferred = session.scalar(select(func.count()).where(
            MeasuringPointEvent.code == PATIENT_DEFERRED)) or 0
        summary.open_tasks = session.scalar(select(func.count()).where(CoordinatorTask.status == TaskStatus.OPEN)) or 0
        summary.overdue_tasks = session.scalar(select(func.count()).where(
            CoordinatorTask.status == TaskStatus.OPEN, overdue_sql(CoordinatorTask.due_on, today))) or 0
