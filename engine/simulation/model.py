"""The discrete-event model in SimPy: referrals arrive, each patient walks its pathway, steps with capacity queue.

Time is in days from midnight (Oslo) of the first simulated day. Per replication:

- **arrivals** per stream: a Poisson process (`referrals_per_week`, × `referral_factor`, × the month's seasonality
  factor by thinning); a referral on a weekend or public holiday is received the next working day;
- **a patient** starts the pathway (`driver.SimulatedPathway`) and, for every user task that opens, runs a step;
  it also sleeps until the workflow's next timer and fires it (an evaluation interval, a late-assessment alarm);
- **a step** waits its delay (the scenario's distribution of days, or, for a task that ends a running deadline
  and a step with `delay_to_due`, a drawn share of the days left to that due date), may be deferred by the patient (registered as
  patient-deferred when a deferrable deadline runs, then `deferral_working_days` later), queues first come first
  served for a slot when the unit's step has capacity (`simpy.Container`, filled each working day with
  `per_week / 5` slots, unused slots lost), may be a no-show (the slot is lost, booked again after
  `rebook_delay`), and is then registered that day with a filled form;
- **queues**: the number waiting for each limited step is sampled every day, and each step's wait is recorded.

Random numbers come from separate streams per purpose (arrivals per stream, each patient's own), so a variant run
with the same seed sees the same referrals and the same patients: the difference is the variant's.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import simpy

from engine.catalogue.definition import PathwayDefinition
from engine.clock import OSLO, ManualClock
from engine.deadlines.calendar import add_working_days, is_working_day
from engine.errors import PathwayError
from engine.simulation.driver import FormFiller, Patient, SimulatedPathway
from engine.simulation.scenario import Scenario, Step, Stream

DAY_SECONDS = 86_400.0
TIMER_MARGIN = timedelta(minutes=1)
#: Ages of the patients under and over 23 (the guarantee for those under 23), drawn uniformly.
YOUNG_AGES = (16, 22)
ADULT_AGES = (23, 75)
#: The municipality a referral names when it names one (it only decides that the contact task opens).
MUNICIPALITY = "Hjemkommunen"


@dataclass
class StepLog:
    """Per (unit, step): how long patients waited from the task opening to its registration, and for a slot."""

    waits: list[float] = field(default_factory=list)
    slot_waits: list[float] = field(default_factory=list)
    queue_samples: list[int] = field(default_factory=list)
    no_shows: int = 0
    deferrals: int = 0


@dataclass
class Replication:
    """One run of the scenario; `pathways` and `steps` hold what it made when `run()` returns."""

    scenario: Scenario
    definitions: dict[str, PathwayDefinition]
    seed: int
    pathways: list[tuple[Stream, SimulatedPathway]] = field(default_factory=list)
    steps: dict[tuple[str, str], StepLog] = field(default_factory=lambda: defaultdict(StepLog))

    def __post_init__(self) -> None:
        scenario = self.scenario
        self.first_day = scenario.start - timedelta(weeks=scenario.warm_up_weeks)
        self.epoch = datetime.combine(self.first_day, time(0), OSLO).astimezone(timezone.utc)
        self.days = 7 * (scenario.weeks + scenario.warm_up_weeks)
        self.env = simpy.Environment()
        self.clock = ManualClock(self.epoch)
        self.slots: dict[tuple[str, str], simpy.Container] = {}
        self._numbers = 0

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)

    def run(self) -> "Replication":
        units = {stream.unit for stream in self.scenario.streams}
        for item in self.scenario.capacity:
            if item.unit in units:
                slots = self.slots[(item.unit, item.step)] = simpy.Container(self.env)
                self.env.process(self._refill(slots, self.scenario.capacity_of(item.unit, item.step) or 0.0))
        for index, stream in enumerate(self.scenario.streams):
            if stream.pathway in self.definitions and stream.referrals_per_week > 0:
                self.env.process(self._arrivals(index, stream))
        if self.slots:
            self.env.process(self._sample_queues())
        self.env.run(until=self.days)
        return self

    # -- time -----------------------------------------------------------------------------------------------

    def day_of(self, now: float) -> date:
        return self.first_day + timedelta(days=math.floor(now))

    def _at(self, now: float) -> date:
        """Set the engine's clock to the simulated instant and return the day."""
        self.clock.set(self.epoch + timedelta(days=now))
        return self.day_of(now)

    def _sim_time(self, instant: datetime) -> float:
        return (instant - self.epoch).total_seconds() / DAY_SECONDS

    # -- processes ------------------------------------------------------------------------------------------

    def _refill(self, slots: simpy.Container, per_week: float) -> Generator[Any, Any, None]:
        carry = 0.0
        while True:
            if is_working_day(self.day_of(self.env.now)):
                if slots.level > 0:  # yesterday's unused slots are lost: nobody waited for them
                    slots.get(slots.level)
                carry += per_week / 5
                whole = int(carry)
                carry -= whole
                if whole:
                    slots.put(whole)
            yield self.env.timeout(1)

    def _sample_queues(self) -> Generator[Any, Any, None]:
        while True:
            for key, slots in self.slots.items():
                self.steps[key].queue_samples.append(len(slots.get_queue))
            yield self.env.timeout(1)

    def _arrivals(self, index: int, stream: Stream) -> Generator[Any, Any, None]:
        rng = random.Random(f"{self.seed}:arrivals:{index}")
        season = stream.seasonality or [1.0] * 12
        peak = max(season)
        if peak <= 0:
            return
        rate = stream.referrals_per_week * self.scenario.referral_factor / 7 * peak  # per day, at the peak month
        while True:
            yield self.env.timeout(rng.expovariate(rate))
            if rng.random() * peak < season[self.day_of(self.env.now).month - 1]:
                self._numbers += 1
                self.env.process(self._patient(stream, self._numbers, rng.random()))

    def _patient(self, stream: Stream, number: int, key: float) -> Generator[Any, Any, None]:
        rng = random.Random(f"{self.seed}:patient:{stream.pathway}:{stream.unit}:{key}")
        received = self.day_of(self.env.now)
        while not is_working_day(received):
            received += timedelta(days=1)
        wait = (received - self.day_of(self.env.now)).days
        if wait:
            yield self.env.timeout(wait)
        pathway = SimulatedPathway(self.definitions[stream.pathway], self._draw_patient(stream, number, rng,
                                                                                          received), self.clock)
        self.pathways.append((stream, pathway))
        self._at(self.env.now)
        pathway.start()
        filler = FormFiller(self.scenario.outcomes, rng)
        active: dict[str, simpy.Process] = {}
        while not pathway.finished and pathway.error is None:
            for task_id, task in pathway.ready().items():
                if task_id not in active:
                    active[task_id] = self.env.process(self._step(stream, pathway, task, filler, rng))
            active = {k: p for k, p in active.items() if p.is_alive}
            waits: list[simpy.Event] = list(active.values())
            due = pathway.next_timer()
            if due is not None:  # a minute after it is due, so the engine's clock is past it, not a float short
                due += TIMER_MARGIN
                waits.append(self.env.timeout(max(0.0, self._sim_time(due) - self.env.now)))
            if not waits:
                pathway.stalled = True  # waits for a message nobody in the model sends
                return
            yield self.env.any_of(waits)
            if due is not None and self._sim_time(due) <= self.env.now + 1e-9:
                pathway.fire_timers(self._at(self.env.now))

    def _draw_patient(self, stream: Stream, number: int, rng: random.Random, received: date) -> Patient:
        setting = "inpatient" if rng.random() < stream.inpatient_share else "outpatient"
        severity = None
        if stream.severity:
            names = list(stream.severity)
            chosen = rng.choices(names, [stream.severity[n] for n in names])[0]
            severity = None if chosen == "none" else chosen
        ages = YOUNG_AGES if rng.random() < stream.under_23_share else ADULT_AGES
        definition = self.definitions[stream.pathway]
        named = MUNICIPALITY if rng.random() < stream.municipal_named_share else None
        return Patient(number, stream.pathway, stream.unit, setting, severity,
                       self.scenario.rule_set or definition.default_rule_set, received, rng.randint(*ages), named)

    def _delay(self, step: Step, pathway: SimulatedPathway, task: Any, rng: random.Random) -> float:
        due = pathway.due_on(task) if step.delay_to_due is not None else None
        if due is None or step.delay_to_due is None:
            return step.delay.draw(rng)
        room = max(1, (due - self.day_of(self.env.now)).days)  # a task due today still takes some time
        return step.delay_to_due.draw(rng) * room

    def _step(self, stream: Stream, pathway: SimulatedPathway, task: Any, filler: FormFiller,
              rng: random.Random) -> Generator[Any, Any, None]:
        element_id = task.task_spec.name
        step = self.scenario.step(element_id)
        log = self.steps[(stream.unit, element_id)]
        if rng.random() < step.left_open_share:
            yield self.env.event()  # nobody works it: a timer or the pathway's end cancels it
            return
        opened = self.env.now
        yield self.env.timeout(self._delay(step, pathway, task, rng))
        if step.deferral_share and rng.random() < step.deferral_share and pathway.is_ready(task):
            day = self._at(self.env.now)
            log.deferrals += 1
            if pathway.can_defer():
                pathway.defer(day)
            back = add_working_days(day, step.deferral_working_days)
            yield self.env.timeout((back - day).days)
        slots = self.slots.get((stream.unit, element_id))
        while True:
            if not pathway.is_ready(task):
                return  # a timer or another branch closed the task while the patient waited
            if slots is not None:
                queued = self.env.now
                yield slots.get(1)
                log.slot_waits.append(self.env.now - queued)
                if not pathway.is_ready(task):
                    slots.put(1)  # the slot goes to the next patient
                    return
            if step.no_show_share and rng.random() < step.no_show_share:
                log.no_shows += 1
                yield self.env.timeout(max(step.rebook_delay.draw(rng), 0.0))
                continue
            break
        day = self._at(self.env.now)
        log.waits.append(self.env.now - opened)
        try:
            pathway.complete(task, day, filler.fill(pathway.definition, element_id, pathway.patient, day))
        except PathwayError as exc:  # a form or a script the model cannot get through: counted, not fatal
            pathway.error = f"{element_id}: {exc}"
