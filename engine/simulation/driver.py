"""One simulated patient's pathway: the deployed BPMN run in SpiffWorkflow in memory, measured by the real rules.

The same functions the runtime uses drive it — `new_workflow`, `run_engine` (the injected clock for timers),
`ready_user_tasks`, `start_data`, `run_registration`, `automatic_events`, `start_conditions`, the one form validator
— and the real `measure_event` moves its deadlines on the Norwegian working-day calendar. What the database-backed
runtime adds (locks, audit, projection into tables, saved state) is left out: nothing here is stored. The forms
are filled by `FormFiller` with outcomes drawn from the scenario's shares; the gateways then route by the BPMN.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Mapping

from SpiffWorkflow.util.task import TaskState

from engine.catalogue.definition import OUTCOME_FIELD, FormField, PathwayDefinition
from engine.catalogue.forms import validate_form
from engine.clock import ManualClock
from engine.deadlines.indicators import PATIENT_DEFERRED
from engine.deadlines.measurement import (
    Measurement,
    RegisteredEvent,
    cancel_open,
    deferrable_open,
    measure_event,
    open_due_dates,
)
from engine.demo.seed import (
    BOOLEAN_TRUE,
    CLOSE_AFTER_FIRST_EVALUATION,
    CLOSE_AFTER_LATER_EVALUATION,
    MAX_EVALUATIONS,
    OPTION_WEIGHTS,
    OTHER_BOOLEAN_TRUE,
    OTHER_OPTION_WEIGHT,
    OTHER_TEXT,
    TEXTS,
)
from engine.runtime.projection import automatic_events, start_conditions
from engine.runtime.spiff import ready_user_tasks, run_engine, waiting_timers
from engine.runtime.start import Referral, start_data
from engine.runtime.tasks import registered_events, run_registration
from engine.runtime.workflow_state import new_workflow

#: Who a referral that names a municipal coordinator names (a placeholder: the name routes nothing).
NAMED_COORDINATOR = "Kommunal forløpskoordinator"
#: The evaluation task whose `outcome` continues or closes the pathway (pathways/README.md, standard elements).
EVALUATION_TASK = "evaluate_treatment"


@dataclass(frozen=True)
class Patient:
    number: int
    pathway: str
    unit: str
    setting: str
    severity: str | None
    rule_set: str
    referral_received_on: date
    age: int
    #: the municipality whose pathway coordinator the referral names, if it names one
    municipal_unit: str | None = None


@dataclass
class FormFiller:
    """Fills a task's form: enum options by the scenario's weights (`element.field` before `field`), else the
    demo set's weights (engine.demo.seed); yes/no by the scenario's `{"true": w, "false": w}` or the demo's
    chance; ages from the patient; dates the day; texts from the demo's short Norwegian texts."""

    outcomes: Mapping[str, Mapping[str, float]]
    rng: random.Random
    evaluations: int = 0

    def fill(self, definition: PathwayDefinition, element_id: str, patient: Patient, day: date) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for spec in definition.form_of(element_id):
            value = self._value(element_id, spec, patient, day)
            if value is not None:
                data[spec.id] = value
        return data

    def _weights(self, element_id: str, field_id: str) -> Mapping[str, float] | None:
        return self.outcomes.get(f"{element_id}.{field_id}") or self.outcomes.get(field_id)

    def _value(self, element_id: str, spec: FormField, patient: Patient, day: date) -> Any:
        if spec.type == "enum":
            options = [o for o, _ in spec.options]
            if not options:
                return None
            if element_id == EVALUATION_TASK and spec.id == OUTCOME_FIELD:
                return self._evaluation(options)
            table = self._weights(element_id, spec.id) or OPTION_WEIGHTS.get(f"{element_id}.{spec.id}") \
                or OPTION_WEIGHTS.get(spec.id) or {}
            weights = [table.get(o, 0.0 if self._weights(element_id, spec.id) else OTHER_OPTION_WEIGHT)
                       for o in options]
            return self.rng.choices(options, weights if sum(weights) else None)[0]
        if spec.type == "boolean":
            table = self._weights(element_id, spec.id)
            if table:
                yes, no = table.get("true", 0.0), table.get("false", 0.0)
                return self.rng.random() < yes / (yes + no) if yes + no else False
            return self.rng.random() < BOOLEAN_TRUE.get(spec.id, OTHER_BOOLEAN_TRUE)
        if spec.type == "long":
            value = patient.age if "age" in spec.id else self.rng.randint(6, 30) if "week" in spec.id \
                else self.rng.randint(1, 10)
            low, high = spec.minimum, spec.maximum
            return min(max(value, low if low is not None else value), high if high is not None else value)
        if spec.type == "date":
            return day.isoformat()
        if spec.type == "string":
            return self.rng.choice(TEXTS.get(spec.id, OTHER_TEXT))
        return None

    def _evaluation(self, options: list[str]) -> str:
        """Continue or close: the scenario's weights, else the demo's chance (higher after the first); never more
        than the demo's greatest number of evaluations."""
        self.evaluations += 1
        if "close" in options and self.evaluations >= MAX_EVALUATIONS:
            return "close"
        table = self._weights(EVALUATION_TASK, OUTCOME_FIELD)
        if table:
            weights = [table.get(o, 0.0) for o in options]
            return self.rng.choices(options, weights if sum(weights) else None)[0]
        chance = CLOSE_AFTER_FIRST_EVALUATION if self.evaluations == 1 else CLOSE_AFTER_LATER_EVALUATION
        if "close" in options and "continue" in options:
            return "close" if self.rng.random() < chance else "continue"
        return self.rng.choice(options)


@dataclass
class SimulatedPathway:
    """A patient's pathway in memory: its workflow, its deadline measurements and its registered events."""

    definition: PathwayDefinition
    patient: Patient
    clock: ManualClock
    rows: list[Measurement] = field(default_factory=list)
    completions: int = 0
    stalled: bool = False
    #: why the pathway stopped half-way (an engine error in a form or a script), None when it did not
    error: str | None = None

    def __post_init__(self) -> None:
        self.applicable = [i for i in self.definition.indicators
                           if i.applies_to(self.patient.setting, self.patient.severity)]
        self.workflow = new_workflow(self.definition.spec, self.definition.subprocess_specs)
        self._timers = False

    def start(self) -> None:
        """The referral is received: the start event and what follows by itself, as `start_in` runs it."""
        patient = self.patient
        referral = Referral(str(patient.number), patient.pathway, patient.unit, patient.setting,
                            patient.referral_received_on, patient.severity, patient.rule_set,
                            municipal_unit=patient.municipal_unit,
                            municipal_coordinator=NAMED_COORDINATOR if patient.municipal_unit else None)
        self.workflow.task_tree.data.update(start_data(referral, patient.rule_set))
        self._run(patient.referral_received_on, [], timers=True)

    @property
    def finished(self) -> bool:
        return self.workflow.is_completed()

    def ready(self) -> dict[str, Any]:
        return ready_user_tasks(self.workflow)

    @staticmethod
    def is_ready(task: Any) -> bool:
        return task.state == TaskState.READY

    def complete(self, task: Any, day: date, data: dict[str, Any]) -> None:
        """Register the task's form on `day`, as `complete_task` does, and run on to the next wait."""
        element_id = task.task_spec.name
        values = validate_form(self.definition.form_of(element_id), data)
        task_def = self.definition.tasks.get(element_id)
        events = registered_events(task_def.measuring_point if task_def else None, day, values, element_id,
                                   str(task.id))
        run_registration(self.workflow, task, values, day, self.clock)
        self.completions += 1
        self._run(day, events, timers=self._timers)

    def due_on(self, task: Any) -> date | None:
        """The earliest open deadline the task's measuring point ends: the due date its worklist row shows."""
        task_def = self.definition.tasks.get(task.task_spec.name)
        if task_def is None or not task_def.measuring_point:
            return None
        return open_due_dates(self.rows).get(task_def.measuring_point)

    def can_defer(self) -> bool:
        """Would a patient deferral registered now apply to a deadline (else the engine refuses it)?"""
        return bool(deferrable_open(self.rows, self.applicable))

    def defer(self, day: date) -> None:
        measure_event(self.rows, self.applicable, RegisteredEvent(PATIENT_DEFERRED, day))

    def next_timer(self) -> datetime | None:
        if not self._timers:
            return None
        timers = waiting_timers(self.workflow)
        return timers[0][1] if timers else None

    def fire_timers(self, day: date) -> None:
        self._run(day, [], timers=True)

    def _run(self, day: date, events: list[RegisteredEvent], *, timers: bool) -> None:
        run_engine(self.workflow, self.clock, automatic_events(self.definition, events, day), timers=timers)
        for event in events:
            measure_event(self.rows, self.applicable, event,
                          *start_conditions(self.applicable, event, self.workflow))
        # A walk over the task tree: only after a run, so the next run refreshes timers only when some wait.
        self._timers = bool(waiting_timers(self.workflow))
        if self.workflow.is_completed():
            cancel_open(self.rows)
