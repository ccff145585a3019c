"""The pathway catalogue: find, safely parse, lint and version BPMN pathway files.

A pathway file is parsed with lxml with entity expansion, DTD loading and network access off. Everything a
modeller can get wrong is reported as a `Problem` with file, line and element id; a file with any error-level
problem is never deployed. A parsed file becomes a `PathwayDefinition`, keyed by the SHA-256 of its bytes, which
is what a pathway instance is pinned to.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.catalogue import expressions
from engine.deadlines.indicators import (
    CODE,
    PATIENT_DEFERRED,
    PROPERTY_PREFIX,
    DeadlineIndicator,
    IndicatorSyntaxError,
    parse_outcomes,
)

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}

MEASURING_POINT_PROPERTY = "measuringPoint"
PATHWAY_TYPE_PROPERTY = "pathwayType"
RULE_SET_PROPERTY = "ruleSet"
RULE_SETS = ("2019", "2024")
#: `pathwayStart:<rule set>` = `code` or `code:OUTCOME,OUTCOME`: the measuring point that is the pathway's start date.
PATHWAY_START_PREFIX = "pathwayStart:"
#: `unconfirmed:<topic>` on the process, or `unconfirmed` on an element: a value the domain reference could not
#: confirm in a primary source (a type code, a timer's length), with a note; listed in the catalogue.
UNCONFIRMED_PREFIX = "unconfirmed:"
UNCONFIRMED_PROPERTY = "unconfirmed"
FORM_FIELD_TYPES = ("string", "long", "boolean", "date", "enum")
#: A form field with this id holds the outcome of the task's measuring point (e.g. CU/CP/CT for a clinical decision).
OUTCOME_FIELD = "outcome"

_FIELD_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,59}$")
_PATHWAY_KEY = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
_UNSUPPORTED = {
    "serviceTask": "service tasks would call out of the engine; model the step as a user task",
    "businessRuleTask": "DMN decisions are not supported; use gateway conditions",
    "sendTask": "send tasks are not supported; use message events",
}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    element_id: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.line or '?'}: {self.element_id or '-'}: {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "element_id": self.element_id,
                "message": self.message, "severity": self.severity}


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()


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
    spec: Any = field(repr=False, default=None)
    subprocess_specs: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def codes(self) -> set[str]:
        return set(self.measuring_points.values())

    @property
    def start_measuring_point(self) -> str | None:
        return self.measuring_points.get(self.start_event_id) if self.start_event_id else None

    def starts_pathway(self, rule_set: str, code: str, outcome: str | None) -> bool:
        """Is this measuring point the pathway's start date under `rule_set`? Default: the start event's point."""
        start_code, outcomes = self.pathway_start.get(rule_set, (self.start_measuring_point, ()))
        return code == start_code and (not outcomes or outcome in outcomes)

    start_event_id: str | None = None


class PathwayFileError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_blank_text=False)


@lru_cache(maxsize=1)
def _validator() -> BpmnValidator:
    return BpmnValidator()


def content_hash(source: bytes) -> str:
    return hashlib.sha256(source).hexdigest()


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _properties(element: etree._Element) -> list[tuple[str, str, int | None]]:
    """The element's own camunda extension properties (not those of nested elements)."""
    return [
        (p.get("name") or "", p.get("value") or "", p.sourceline)
        for p in element.xpath("./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS)
    ]


class _Linter:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []

    def error(self, element: etree._Element | None, message: str, line: int | None = None) -> None:
        self._add(element, message, line, "error")

    def warning(self, element: etree._Element | None, message: str, line: int | None = None) -> None:
        self._add(element, message, line, "warning")

    def _add(self, element, message, line, severity) -> None:
        element_id = element.get("id") if element is not None else None
        line = line if line is not None else (element.sourceline if element is not None else None)
        self.problems.append(Problem(self.filename, line, element_id, message, severity))

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def parse_pathway(source: bytes, filename: str) -> tuple[PathwayDefinition | None, list[Problem]]:
    """Parse and lint one pathway file. Returns the definition (None when there are errors) and all problems."""
    lint = _Linter(filename)
    try:
        root = etree.fromstring(source, safe_parser())
    except etree.XMLSyntaxError as exc:
        lint.error(None, f"not well-formed XML: {exc.msg}", line=exc.lineno)
        return None, lint.problems
    if root.tag != f"{{{BPMN_NS}}}definitions":
        lint.error(root, "the root element must be bpmn:definitions (a BPMN 2.0 file)")
        return None, lint.problems
    if any(isinstance(node, etree._Entity) for node in root.iter()) or root.getroottree().docinfo.internalDTD:
        lint.error(None, "document type declarations and entities are not allowed in pathway files", line=1)
        return None, lint.problems
    try:
        _validator().validate(root, filename)
    except ValidationException as exc:
        lint.error(None, f"not valid BPMN 2.0: {exc}", line=exc.line_number or None)
        return None, lint.problems

    processes = root.xpath("./bpmn:process[@isExecutable='true']", namespaces=NS)
    if len(processes) != 1:
        lint.error(root, f"a pathway file must have exactly one executable process, found {len(processes)}")
        return None, lint.problems
    process = processes[0]

    if root.find(f"{{{BPMNDI_NS}}}BPMNDiagram") is None:
        lint.warning(root, "the file has no diagram, so a BPMN modeller shows nothing; run `pathways layout FILE`")
    definition = _read_definition(process, source, filename, lint)
    _check_expressions(root, lint)
    for tag, why in _UNSUPPORTED.items():
        for element in root.iter(f"{{{BPMN_NS}}}{tag}"):
            lint.error(element, f"{tag} is not allowed: {why}")
    if lint.has_errors or definition is None:
        return None, lint.problems
    try:
        parser = CamundaParser(validator=None)
        parser.add_bpmn_xml(etree.ElementTree(root), filename=filename)
        definition.spec = parser.get_spec(definition.key)
        definition.subprocess_specs = parser.get_subprocess_specs(definition.key)
    except ValidationException as exc:
        lint.problems.append(Problem(filename, exc.line_number or None, exc.id or None, str(exc).split("\n")[0]))
        return None, lint.problems
    except SpiffWorkflowException as exc:
        lint.error(process, f"SpiffWorkflow cannot build this process: {exc}")
        return None, lint.problems
    return definition, lint.problems


def _check_lengths(task: etree._Element, lint: _Linter, lane: str | None) -> None:
    """What the task list stores per task must fit its columns."""
    for what, value, limit in (("element id", task.get("id") or "", 100), ("name", task.get("name") or "", 300),
                               ("lane name", lane or "", 100)):
        if len(value) > limit:
            lint.error(task, f"the user task's {what} is longer than {limit} characters")


def _lanes(process: etree._Element) -> dict[str, str]:
    """flow node id -> lane name"""
    lane_of: dict[str, str] = {}
    for lane in process.xpath(".//bpmn:lane", namespaces=NS):
        for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS):
            lane_of[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    return lane_of


def _read_form(task: etree._Element, lint: _Linter) -> tuple[FormField, ...]:
    fields = []
    seen: set[str] = set()
    for xml_field in task.xpath("./bpmn:extensionElements/camunda:formData/camunda:formField", namespaces=NS):
        field_id = xml_field.get("id") or ""
        field_type = xml_field.get("type") or "string"
        if not _FIELD_ID.match(field_id):
            lint.error(task, f"form field id {field_id!r} must be a plain name (letters, digits, _; at most 60)",
                       line=xml_field.sourceline)
            continue
        if field_id in expressions.SAFE_FUNCTIONS or field_id in expressions.SAFE_CONSTANTS:
            lint.error(task, f"form field id {field_id!r} would hide the expression function of that name",
                       line=xml_field.sourceline)
        if field_id in seen:
            lint.error(task, f"form field {field_id!r} is declared twice", line=xml_field.sourceline)
        seen.add(field_id)
        if field_type not in FORM_FIELD_TYPES:
            lint.error(task, f"form field {field_id!r} has type {field_type!r}; supported: "
                             f"{', '.join(FORM_FIELD_TYPES)}", line=xml_field.sourceline)
            continue
        options = tuple((v.get("id") or "", v.get("name") or v.get("id") or "")
                        for v in xml_field.xpath("./camunda:value", namespaces=NS))
        if field_type == "enum" and not options:
            lint.error(task, f"enum form field {field_id!r} has no values", line=xml_field.sourceline)
        required = bool(xml_field.xpath("./camunda:validation/camunda:constraint[@name='required']", namespaces=NS))
        fields.append(FormField(field_id, xml_field.get("label") or field_id, field_type, required, options))
    return tuple(fields)


def _read_definition(process: etree._Element, source: bytes, filename: str,
                     lint: _Linter) -> PathwayDefinition | None:
    key = process.get("id") or ""
    if not _PATHWAY_KEY.match(key):
        lint.error(process, f"the process id {key!r} is the pathway key: lower_snake_case, at most 100 characters")
    props: dict[str, str] = {}
    indicator_props: list[tuple[str, str, int | None]] = []
    start_props: list[tuple[str, str, int | None]] = []
    flags: list[Flag] = []
    for name, value, line in _properties(process):
        if name.startswith(UNCONFIRMED_PREFIX):
            topic = name[len(UNCONFIRMED_PREFIX):].strip()
            if not topic or not value.strip():
                lint.error(process, f"'{name}' needs a topic after the colon and a note saying what is unconfirmed",
                           line=line)
            flags.append(Flag(topic, value.strip(), None, line))
        elif name.startswith(PROPERTY_PREFIX):
            indicator_props.append((name[len(PROPERTY_PREFIX):], value, line))
        elif name.startswith(PATHWAY_START_PREFIX):
            start_props.append((name[len(PATHWAY_START_PREFIX):], value, line))
        else:
            props[name] = value
    rule_set = props.get(RULE_SET_PROPERTY, "2019")
    if rule_set not in RULE_SETS:
        lint.error(process, f"ruleSet must be one of {', '.join(RULE_SETS)}, not {rule_set!r}")
    if not process.get("name"):
        lint.error(process, "the process needs a name (the pathway's Norwegian title)")

    lane_of = _lanes(process)
    sent: list[str] = []
    received: list[str] = []
    measuring_points: dict[str, str] = {}
    tasks: dict[str, TaskDefinition] = {}
    start_event_id = None
    for element in process.iter():
        tag = _local(element.tag)
        element_id = element.get("id")
        if element_id is None or tag in ("process", "lane", "laneSet", "sequenceFlow"):
            continue
        own = _properties(element)
        code = next((value for name, value, _ in own if name == MEASURING_POINT_PROPERTY), None)
        for name, value, line in own:
            if name == UNCONFIRMED_PROPERTY:
                if not value.strip():
                    lint.error(element, "an 'unconfirmed' property needs a note saying what is unconfirmed", line=line)
                flags.append(Flag(element.get("name") or element_id, value.strip(), element_id, line))
        message = _message_of(element)
        if message is not None:
            if tag in ("intermediateThrowEvent", "endEvent"):
                sent.append(message)
                if not element.find(f"{{{BPMN_NS}}}messageEventDefinition").get(f"{{{CAMUNDA_NS}}}expression"):
                    lint.error(element, "a message throw event needs camunda:expression, the payload it sends "
                                        "(a dict of task data, e.g. {'municipal_contact': municipal_contact}; "
                                        "{} for none)")
            else:
                received.append(message)
        if code is not None:
            if not CODE.match(code):
                lint.error(element, f"measuring point code {code!r} must be lower_snake_case, at most 60 characters")
            elif code == PATIENT_DEFERRED:
                lint.error(element, f"'{PATIENT_DEFERRED}' is registered through the patient-deferred command, "
                                    "not by a task")
            else:
                measuring_points[element_id] = code
        if tag == "startEvent" and element.getparent() is process:
            start_event_id = element_id
        if tag == "userTask":
            _check_lengths(element, lint, lane_of.get(element_id))
            if element_id not in lane_of:
                lint.warning(element, "user task is not in a lane, so no coordinator role will see it by role")
            tasks[element_id] = TaskDefinition(
                element_id=element_id,
                label=element.get("name") or element_id,
                lane=lane_of.get(element_id),
                measuring_point=measuring_points.get(element_id),
                form=_read_form(element, lint),
                line=element.sourceline,
            )

    indicators = []
    codes = set(measuring_points.values())
    for indicator_key, value, line in indicator_props:
        try:
            indicator = DeadlineIndicator.parse(indicator_key, value, line)
        except IndicatorSyntaxError as exc:
            lint.error(process, f"deadline indicator '{indicator_key}': {exc}", line=line)
            continue
        for point in (indicator.from_point, indicator.to_point):
            if point not in codes:
                lint.error(process, f"deadline indicator '{indicator_key}' names measuring point '{point}', "
                                    f"which no element in this file has (known: {', '.join(sorted(codes)) or 'none'})",
                           line=line)
        indicators.append(indicator)
    if len({i.key for i in indicators}) != len(indicators):
        lint.error(process, "two deadline indicators share a key")
    pathway_start: dict[str, tuple[str, tuple[str, ...]]] = {}
    for start_rule_set, value, line in start_props:
        code, _, outcome_text = value.partition(":")
        code = code.strip()
        if start_rule_set not in RULE_SETS:
            lint.error(process, f"pathwayStart:{start_rule_set}: unknown rule set; use one of {', '.join(RULE_SETS)}",
                       line=line)
        elif code not in codes:
            lint.error(process, f"pathwayStart:{start_rule_set} names measuring point '{code}', which no element in "
                                "this file has", line=line)
        else:
            pathway_start[start_rule_set] = (code, parse_outcomes(outcome_text))
    if lint.has_errors:
        return None
    return PathwayDefinition(
        key=key,
        name=process.get("name") or key,
        type_code=props.get(PATHWAY_TYPE_PROPERTY),
        default_rule_set=rule_set,
        filename=filename,
        content_hash=content_hash(source),
        source=source,
        tasks=tasks,
        measuring_points=measuring_points,
        indicators=tuple(indicators),
        lanes=tuple(dict.fromkeys(lane_of.values())),
        start_event_id=start_event_id,
        pathway_start=pathway_start,
        flags=tuple(flags),
        messages_sent=tuple(dict.fromkeys(sent)),
        messages_received=tuple(dict.fromkeys(received)),
    )


def _message_names(process: etree._Element) -> dict[str, str]:
    """bpmn:message id -> name, from the definitions around `process`."""
    root = process.getroottree().getroot()
    return {m.get("id"): (m.get("name") or m.get("id")) for m in root.iterfind(f"{{{BPMN_NS}}}message")}


def _message_of(element: etree._Element) -> str | None:
    """The name of the message an event sends or waits for, or None."""
    definition = element.find(f"{{{BPMN_NS}}}messageEventDefinition")
    if definition is None:
        return None
    ref = definition.get("messageRef")
    return _message_names(element).get(ref, ref)


def _expression_sites(root: etree._Element) -> Iterable[expressions.ExpressionSite]:
    def owner(element: etree._Element) -> etree._Element:
        while element is not None and element.get("id") is None:
            element = element.getparent()
        return element

    for tag, kind, mode in (
        ("conditionExpression", "condition", "eval"),
        ("timeDate", "timer", "eval"),
        ("timeDuration", "timer", "eval"),
        ("timeCycle", "timer", "eval"),
        ("loopCardinality", "loop cardinality", "eval"),
        ("completionCondition", "completion condition", "eval"),
        ("script", "script", "exec"),
    ):
        for element in root.iter(f"{{{BPMN_NS}}}{tag}"):
            site_owner = owner(element)
            yield expressions.ExpressionSite(
                element_id=site_owner.get("id") if site_owner is not None else "",
                line=element.sourceline,
                kind=kind,
                source=element.text or "",
                mode=mode,
            )


    for element in root.iter(f"{{{BPMN_NS}}}messageEventDefinition"):
        payload = element.get(f"{{{CAMUNDA_NS}}}expression")
        if payload is not None:
            yield expressions.ExpressionSite(element_id=owner(element).get("id"), line=element.sourceline,
                                             kind="message payload", source=payload, mode="eval")


def _check_expressions(root: etree._Element, lint: _Linter) -> None:
    for site in _expression_sites(root):
        if not site.source.strip():
            lint.problems.append(Problem(lint.filename, site.line, site.element_id, f"empty {site.kind} expression"))
            continue
        try:
            expressions.check(site.source, site.mode)
        except expressions.UnsafeExpression as exc:
            lint.problems.append(Problem(lint.filename, site.line, site.element_id,
                                         f"{site.kind} expression refused: {exc}"))


@lru_cache(maxsize=64)
def _definition_by_hash(digest: str, source: bytes, filename: str) -> PathwayDefinition:
    definition, problems = parse_pathway(source, filename)
    if definition is None:
        raise PathwayFileError([p for p in problems if p.severity == "error"])
    return definition


def load_definition(source: bytes, filename: str) -> PathwayDefinition:
    """Parse a (deployed) pathway source once per content hash; raise PathwayFileError if it does not lint."""
    return _definition_by_hash(content_hash(source), source, filename)


def lint_file(path: Path) -> list[Problem]:
    try:
        source = path.read_bytes()
    except OSError as exc:
        return [Problem(str(path), None, None, f"cannot read file: {exc.strerror}")]
    return parse_pathway(source, str(path))[1]


def pathway_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.bpmn"))
