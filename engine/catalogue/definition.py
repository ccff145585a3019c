"""What a parsed pathway file is: its tasks and forms, measuring points, deadline indicators, lanes, rule sets,
flagged values and messages, beside the SpiffWorkflow spec built from it. The conventions are in
pathways/README.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from engine.catalogue.registration import RegistrationCode
from engine.deadlines.indicators import DeadlineIndicator

RULE_SETS = ("2019", "2024")
FORM_FIELD_TYPES = ("string", "long", "boolean", "date", "enum")
#: A form field with this id holds the outcome of the task's measuring point (e.g. CU/CP/CT for a clinical decision).
OUTCOME_FIELD = "outcome"
#: The measuring point of a pathway's closure (domain.md §5: "closure, with an outcome").
CLOSURE_POINT = "closure"
#: The closure outcome of a transfer to another hospital trust, which then registers a new start (domain.md §2).
TRANSFER_OUTCOME = "other_trust"


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()
    #: The least and greatest value of a whole-number field (Camunda's `min`/`max` constraints), None when open
    minimum: int | None = None
    maximum: int | None = None

    def as_view(self) -> dict[str, Any]:
        """The field as the API and the pages show it."""
        return {"id": self.id, "label": self.label, "type": self.type, "required": self.required,
                "options": [{"id": option_id, "label": label} for option_id, label in self.options],
                "min": self.minimum, "max": self.maximum}

    @classmethod
    def from_view(cls, view: Mapping[str, Any]) -> "FormField":
        # a view made before fields had bounds has no min/max: such a field is open
        return cls(view["id"], view["label"], view["type"], bool(view["required"]),
                   tuple((o["id"], o["label"]) for o in view.get("options", ())),
                   view.get("min"), view.get("max"))


@dataclass(frozen=True)
class TaskDefinition:
    element_id: str
    label: str
    lane: str | None
    measuring_point: str | None
    form: tuple[FormField, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Flag:
    """A flagged (UNCONFIRMED) configuration value: on the process (`element_id` None) or on an element."""

    topic: str
    note: str
    element_id: str | None = None
    line: int | None = None


#: The earliest date anything may carry when a pathway declares no `inUseFrom`: a bound against typing errors.
EARLIEST_DAY = date(2000, 1, 1)


@dataclass
class PathwayDefinition:
    key: str
    name: str
    type_code: str | None
    default_rule_set: str
    filename: str
    content_hash: str
    source: bytes
    tasks: dict[str, TaskDefinition]
    measuring_points: dict[str, str]  # element id -> measuring point code
    indicators: tuple[DeadlineIndicator, ...]
    lanes: tuple[str, ...]
    #: rule set -> (measuring point code, outcomes that count; empty = any)
    pathway_start: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    flags: tuple[Flag, ...] = ()
    #: names of the messages this pathway sends to other pathways, and of those it waits for
    messages_sent: tuple[str, ...] = ()
    messages_received: tuple[str, ...] = ()
    #: message name -> the Norwegian name of the element that waits for it (e.g. "Blålys: alvorlig forverring meldt")
    message_labels: dict[str, str] = field(default_factory=dict)
    #: message name -> the Norwegian name of the element that sends it (e.g. "Kontakt med kommunen sendt")
    sent_message_labels: dict[str, str] = field(default_factory=dict)
    #: messages from another pathway of the patient that start this one when none waits for them
    started_by_messages: tuple[str, ...] = ()
    spec: Any = field(repr=False, default=None)
    subprocess_specs: dict[str, Any] = field(repr=False, default_factory=dict)
    start_event_id: str | None = None
    #: No referral or event of this pathway may be dated before this day (process property `inUseFrom`).
    in_use_from: date = EARLIEST_DAY
    #: measuring point code -> how the registry extract codes it (element property `registrationCode`)
    registration_codes: dict[str, RegistrationCode] = field(default_factory=dict)
    #: how the pathway start is coded (process property `registrationCode:start`)
    start_registration: RegistrationCode | None = None

    @property
    def reports_to_registry(self) -> bool:
        """Does the pathway report events to the national registry (a specialist pathway), i.e. does its file
        declare any registration code? The municipal pathways do not."""
        return bool(self.registration_codes) or self.start_registration is not None

    @property
    def type_unconfirmed(self) -> bool:
        """The pathway type code is flagged unconfirmed (`unconfirmed:pathwayType`) or missing."""
        return self.type_code is None or any(f.topic == "pathwayType" and f.element_id is None for f in self.flags)

    @property
    def codes(self) -> set[str]:
        return set(self.measuring_points.values())

    @property
    def severities(self) -> tuple[str, ...]:
        """The severity variants the pathway declares (on its indicators); an instance may be started with one of
        these or none."""
        return tuple(sorted({i.severity for i in self.indicators if i.severity}))

    @property
    def start_measuring_point(self) -> str | None:
        return self.measuring_points.get(self.start_event_id) if self.start_event_id else None

    def starts_pathway(self, rule_set: str, code: str, outcome: str | None) -> bool:
        """Is this measuring point the pathway's start date under `rule_set`? Default: the start event's point."""
        start_code, outcomes = self.pathway_start.get(rule_set, (self.start_measuring_point, ()))
        return code == start_code and (not outcomes or outcome in outcomes)

    @property
    def closure_task(self) -> TaskDefinition | None:
        """The user task that registers the closure (and its outcome), if the pathway has one."""
        return next((t for t in self.tasks.values() if t.measuring_point == CLOSURE_POINT), None)

    @property
    def closure_outcomes(self) -> tuple[tuple[str, str], ...]:
        """(id, Norwegian label) of each outcome the closure task offers; a closure outside the task uses them too."""
        task = self.closure_task
        field_ = next((f for f in task.form if f.id == OUTCOME_FIELD), None) if task else None
        return field_.options if field_ else ()

    @property
    def can_transfer(self) -> bool:
        return any(option_id == TRANSFER_OUTCOME for option_id, _ in self.closure_outcomes)

    def form_of(self, element_id: str) -> tuple[FormField, ...]:
        task = self.tasks.get(element_id)
        return task.form if task else ()

    def element_label(self, element_id: str | None) -> str | None:
        """The Norwegian name of an element: a task's label, or the BPMN name of another element."""
        if not element_id:
            return None
        task = self.tasks.get(element_id)
        if task is not None:
            return task.label
        spec = self.spec.task_specs.get(element_id) if self.spec is not None else None
        return getattr(spec, "bpmn_name", None) or None
