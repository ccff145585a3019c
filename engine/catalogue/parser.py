"""Reading a pathway file: safe XML parsing, BPMN 2.0 validation, our conventions, and the SpiffWorkflow spec.

A pathway file is parsed with lxml with entity expansion, DTD loading and network access off. What the file
declares (pathways/README.md) is read into a `PathwayDefinition`, and every mistake is reported as a lint
`Problem`; a file with errors gives no definition.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.catalogue import expressions
from engine.catalogue.definition import (
    EARLIEST_DAY,
    FORM_FIELD_TYPES,
    RULE_SETS,
    Flag,
    FormField,
    PathwayDefinition,
    TaskDefinition,
)
from engine.catalogue.lint import (
    MAX_FILE_BYTES,
    Linter,
    PathwayFileError,
    Problem,
    check_bounds,
    check_expressions,
    check_unsupported,
    field_bounds,
)
from engine.catalogue.registration import PROPERTY as REGISTRATION_PROPERTY
from engine.catalogue.registration import START_PROPERTY as START_REGISTRATION_PROPERTY
from engine.catalogue.registration import RegistrationCode, RegistrationSyntaxError
from engine.catalogue.xml import BPMN_NS, BPMNDI_NS, CAMUNDA_NS, NS, safe_parser
from engine.deadlines.indicators import (
    CODE,
    LONGEST_PATIENT_LIMIT,
    PATIENT_DEFERRED,
    PROPERTY_PREFIX,
    DeadlineIndicator,
    IndicatorSyntaxError,
    parse_outcomes,
)

MEASURING_POINT_PROPERTY = "measuringPoint"
PATHWAY_TYPE_PROPERTY = "pathwayType"
RULE_SET_PROPERTY = "ruleSet"
#: The day the pathway came into use (domain.md §3): no referral or event may be dated before it.
IN_USE_FROM_PROPERTY = "inUseFrom"
#: `startedByMessage` = `name, name`: another pathway's message of that name starts this pathway for the patient
#: when none of the patient's pathways waits for it (the municipal coordination started by specialist care).
STARTED_BY_MESSAGE_PROPERTY = "startedByMessage"
#: `pathwayStart:<rule set>` = `code` or `code:OUTCOME,OUTCOME`: the measuring point that is the pathway's start date.
PATHWAY_START_PREFIX = "pathwayStart:"
#: `unconfirmed:<topic>` on the process, or `unconfirmed` on an element: a value the domain reference could not
#: confirm in a primary source (a type code, a timer's length), with a note; listed in the catalogue.
UNCONFIRMED_PREFIX = "unconfirmed:"
UNCONFIRMED_PROPERTY = "unconfirmed"

_FIELD_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,59}$")
_PATHWAY_KEY = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
#: Elements that are not steps of the pathway
_STRUCTURE_TAGS = ("process", "lane", "laneSet", "sequenceFlow")
Property = tuple[str, str, int | None]  # name, value, line


@lru_cache(maxsize=1)
def _validator() -> BpmnValidator:
    return BpmnValidator()


def content_hash(source: bytes) -> str:
    return hashlib.sha256(source).hexdigest()


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def properties(element: etree._Element) -> list[Property]:
    """The element's own camunda extension properties (not those of nested elements)."""
    return [
        (p.get("name") or "", p.get("value") or "", p.sourceline)
        for p in element.xpath("./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS)
    ]


def parse_pathway(source: bytes, filename: str) -> tuple[PathwayDefinition | None, list[Problem]]:
    """Parse and lint one pathway file. Returns the definition (None when there are errors) and all problems."""
    lint = Linter(filename)
    if len(source) > MAX_FILE_BYTES:
        lint.error(None, f"the file is {len(source)} bytes; at most {MAX_FILE_BYTES} are allowed", line=1)
        return None, lint.problems
    root = _checked_root(source, lint)
    if root is None:
        return None, lint.problems
    check_bounds(root, lint)
    if lint.has_errors:
        return None, lint.problems
    processes = root.xpath("./bpmn:process[@isExecutable='true']", namespaces=NS)
    if len(processes) != 1:
        lint.error(root, f"a pathway file must have exactly one executable process, found {len(processes)}")
        return None, lint.problems
    if root.find(f"{{{BPMNDI_NS}}}BPMNDiagram") is None:
        lint.warning(root, "the file has no diagram, so a BPMN modeller shows nothing; run `pathways layout FILE`")
    process = processes[0]
    definition = _read_definition(process, source, filename, lint)
    check_expressions(root, lint)
    check_unsupported(root, lint)
    if lint.has_errors or definition is None:
        return None, lint.problems
    if not _build_spec(root, process, definition, lint):
        return None, lint.problems
    return definition, lint.problems


def _checked_root(source: bytes, lint: Linter) -> etree._Element | None:
    """The document's root if it is well-formed, entity-free BPMN 2.0; None (with the problem) otherwise."""
    try:
        root = etree.fromstring(source, safe_parser())
    except etree.XMLSyntaxError as exc:
        lint.error(None, f"not well-formed XML: {exc.msg}", line=exc.lineno)
        return None
    if root.tag != f"{{{BPMN_NS}}}definitions":
        lint.error(root, "the root element must be bpmn:definitions (a BPMN 2.0 file)")
        return None
    if any(isinstance(node, etree._Entity) for node in root.iter()) or root.getroottree().docinfo.internalDTD:
        lint.error(None, "document type declarations and entities are not allowed in pathway files", line=1)
        return None
    try:
        _validator().validate(root, lint.filename)
    except ValidationException as exc:
        lint.error(None, f"not valid BPMN 2.0: {exc}", line=exc.line_number or None)
        return None
    return root


_TOO_DEEP = "the process is too deep to build (a chain of steps too long); split it into sub-processes"


def _build_spec(root: etree._Element, process: etree._Element, definition: PathwayDefinition, lint: Linter) -> bool:
    try:
        parser = CamundaParser(validator=None)
        parser.add_bpmn_xml(etree.ElementTree(root), filename=lint.filename)
        definition.spec = parser.get_spec(definition.key)
        definition.subprocess_specs = parser.get_subprocess_specs(definition.key)
    except ValidationException as exc:
        if "RecursionError" in str(exc):
            lint.error(process, _TOO_DEEP)
        else:
            lint.at(exc.line_number or None, exc.id or None, str(exc).split("\n")[0])
        return False
    except SpiffWorkflowException as exc:
        lint.error(process, f"SpiffWorkflow cannot build this process: {exc}")
        return False
    except RecursionError:
        lint.error(process, _TOO_DEEP)
        return False
    return True


@dataclass
class _ProcessProperties:
    """The process-level declarations: plain properties, indicators, pathway starts and flags."""

    plain: dict[str, str] = field(default_factory=dict)
    indicators: list[Property] = field(default_factory=list)
    starts: list[Property] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


def _process_properties(process: etree._Element, lint: Linter) -> _ProcessProperties:
    found = _ProcessProperties()
    for name, value, line in properties(process):
        if name.startswith(UNCONFIRMED_PREFIX):
            topic = name[len(UNCONFIRMED_PREFIX):].strip()
            if not topic or not value.strip():
                lint.error(process, f"'{name}' needs a topic after the colon and a note saying what is unconfirmed",
                           line=line)
            found.flags.append(Flag(topic, value.strip(), None, line))
        elif name.startswith(PROPERTY_PREFIX):
            found.indicators.append((name[len(PROPERTY_PREFIX):], value, line))
        elif name.startswith(PATHWAY_START_PREFIX):
            found.starts.append((name[len(PATHWAY_START_PREFIX):], value, line))
        else:
            found.plain[name] = value
    return found


@dataclass
class _Elements:
    """What the process's flow elements declare."""

    measuring_points: dict[str, str] = field(default_factory=dict)
    tasks: dict[str, TaskDefinition] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    message_labels: dict[str, str] = field(default_factory=dict)
    sent_labels: dict[str, str] = field(default_factory=dict)
    start_event_id: str | None = None
    #: measuring point code -> its registration code (every element of one measuring point has the same)
    registration_codes: dict[str, RegistrationCode] = field(default_factory=dict)


def _in_use_from(process: etree._Element, text: str | None, lint: Linter) -> date:
    """The declared first day in use, or the earliest day any date may have (a bound against typing errors)."""
    if text is None:
        return EARLIEST_DAY
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        lint.error(process, f"inUseFrom must be a date written YYYY-MM-DD, not {text!r}")
        return EARLIEST_DAY
    if day < EARLIEST_DAY:
        lint.error(process, f"inUseFrom {day} is before {EARLIEST_DAY}")
    return day


def _started_by(process: etree._Element, text: str | None, lint: Linter) -> tuple[str, ...]:
    """The message names that start this pathway; each lower_snake_case."""
    names = tuple(dict.fromkeys(n.strip() for n in (text or "").split(",") if n.strip()))
    for name in names:
        if not CODE.match(name):
            lint.error(process, f"startedByMessage: {name!r} is not a message name (lower_snake_case, at most 60 "
                                f"characters; several are separated by commas)")
    if text is not None and not names:
        lint.error(process, "startedByMessage needs the name of the message that starts the pathway")
    return names


def _read_definition(process: etree._Element, source: bytes, filename: str,
                     lint: Linter) -> PathwayDefinition | None:
    key = process.get("id") or ""
    if not _PATHWAY_KEY.match(key):
        lint.error(process, f"the process id {key!r} is the pathway key: lower_snake_case, at most 100 characters")
    props = _process_properties(process, lint)
    rule_set = props.plain.get(RULE_SET_PROPERTY, "2019")
    if rule_set not in RULE_SETS:
        lint.error(process, f"ruleSet must be one of {', '.join(RULE_SETS)}, not {rule_set!r}")
    if not process.get("name"):
        lint.error(process, "the process needs a name (the pathway's Norwegian title)")
    in_use_from = _in_use_from(process, props.plain.get(IN_USE_FROM_PROPERTY), lint)
    started_by = _started_by(process, props.plain.get(STARTED_BY_MESSAGE_PROPERTY), lint)
    lane_of = _lanes(process)
    elements = _read_elements(process, lane_of, lint)
    codes = set(elements.measuring_points.values())
    indicators = _read_indicators(process, props.indicators, codes, lint)
    _check_limit_fields(process, indicators, elements.tasks, lint)
    pathway_start = _read_pathway_start(process, props.starts, codes, lint)
    start_registration = None
    if START_REGISTRATION_PROPERTY in props.plain:
        start_registration = _parse_registration(process, props.plain[START_REGISTRATION_PROPERTY], None, lint)
        if start_registration is not None and start_registration.unconfirmed:
            props.flags.append(Flag(START_REGISTRATION_PROPERTY, start_registration.note or ""))
    if lint.has_errors:
        return None
    return PathwayDefinition(
        key=key, name=process.get("name") or key, type_code=props.plain.get(PATHWAY_TYPE_PROPERTY),
        default_rule_set=rule_set, in_use_from=in_use_from, filename=filename, content_hash=content_hash(source),
        source=source,
        tasks=elements.tasks, measuring_points=elements.measuring_points, indicators=tuple(indicators),
        lanes=tuple(dict.fromkeys(lane_of.values())), start_event_id=elements.start_event_id,
        pathway_start=pathway_start, flags=tuple(props.flags + elements.flags),
        messages_sent=tuple(dict.fromkeys(elements.sent)), messages_received=tuple(dict.fromkeys(elements.received)),
        message_labels=elements.message_labels, sent_message_labels=elements.sent_labels,
        started_by_messages=started_by, registration_codes=elements.registration_codes,
        start_registration=start_registration,
    )


def _read_elements(process: etree._Element, lane_of: dict[str, str], lint: Linter) -> _Elements:
    found = _Elements()
    for element in process.iter():
        tag = _local(element.tag)
        element_id = element.get("id")
        if element_id is None or tag in _STRUCTURE_TAGS:
            continue
        own = properties(element)
        for name, value, line in own:
            if name == UNCONFIRMED_PROPERTY:
                if not value.strip():
                    lint.error(element, "an 'unconfirmed' property needs a note saying what is unconfirmed", line=line)
                found.flags.append(Flag(element.get("name") or element_id, value.strip(), element_id, line))
        _read_message(element, tag, found, lint)
        code = next((value for name, value, _ in own if name == MEASURING_POINT_PROPERTY), None)
        if code is not None:
            _read_measuring_point(element, code, found, lint)
        registration = next(((value, line) for name, value, line in own if name == REGISTRATION_PROPERTY), None)
        if registration is not None:
            _read_registration_code(element, code, *registration, found, lint)
        if tag == "startEvent" and element.getparent() is process:
            found.start_event_id = element_id
        if tag == "userTask":
            found.tasks[element_id] = _read_task(element, lane_of.get(element_id),
                                                 found.measuring_points.get(element_id), lint)
    return found


def _read_message(element: etree._Element, tag: str, found: _Elements, lint: Linter) -> None:
    message = _message_of(element)
    if message is None:
        return
    if tag not in ("intermediateThrowEvent", "endEvent"):
        found.received.append(message)
        found.message_labels.setdefault(message, element.get("name") or message)
        return
    found.sent.append(message)
    found.sent_labels.setdefault(message, element.get("name") or message)
    if not element.find(f"{{{BPMN_NS}}}messageEventDefinition").get(f"{{{CAMUNDA_NS}}}expression"):
        lint.error(element, "a message throw event needs camunda:expression, the payload it sends "
                            "(a dict of task data, e.g. {'municipal_contact': municipal_contact}; {} for none)")


def _read_measuring_point(element: etree._Element, code: str, found: _Elements, lint: Linter) -> None:
    if not CODE.match(code):
        lint.error(element, f"measuring point code {code!r} must be lower_snake_case, at most 60 characters")
    elif code == PATIENT_DEFERRED:
        lint.error(element, f"'{PATIENT_DEFERRED}' is registered through the patient-deferred command, not by a task")
    else:
        found.measuring_points[element.get("id")] = code


def _parse_registration(element: etree._Element, text: str, line: int | None,
                        lint: Linter) -> RegistrationCode | None:
    try:
        return RegistrationCode.parse(text)
    except RegistrationSyntaxError as exc:
        lint.error(element, f"{REGISTRATION_PROPERTY}: {exc}", line=line)
        return None


def _read_registration_code(element: etree._Element, code: str | None, text: str, line: int | None,
                            found: _Elements, lint: Linter) -> None:
    """An element's registry code: only beside a measuring point, the same on every element of that point (the
    extract codes a measuring point, not an element); an unconfirmed one is a flag for the catalogue."""
    if code is None:
        lint.error(element, f"{REGISTRATION_PROPERTY} belongs on an element with a measuringPoint", line=line)
        return
    registration = _parse_registration(element, text, line, lint)
    if registration is None:
        return
    earlier = found.registration_codes.setdefault(code, registration)
    if earlier != registration:
        lint.error(element, f"measuring point '{code}' has another {REGISTRATION_PROPERTY} on another element; "
                            "give every element of one measuring point the same", line=line)
    if registration.unconfirmed:
        found.flags.append(Flag(REGISTRATION_PROPERTY, registration.note or "", element.get("id"), line))


def _read_task(task: etree._Element, lane: str | None, code: str | None, lint: Linter) -> TaskDefinition:
    element_id = task.get("id")
    for what, value, limit in (("element id", element_id or "", 100), ("name", task.get("name") or "", 300),
                               ("lane name", lane or "", 100)):
        if len(value) > limit:  # what the task list stores per task must fit its columns
            lint.error(task, f"the user task's {what} is longer than {limit} characters")
    if lane is None:
        lint.warning(task, "user task is not in a lane, so no coordinator role will see it by role")
    return TaskDefinition(element_id=element_id, label=task.get("name") or element_id, lane=lane,
                          measuring_point=code, form=_read_form(task, lint), line=task.sourceline)


def _lanes(process: etree._Element) -> dict[str, str]:
    """flow node id -> lane name"""
    lane_of: dict[str, str] = {}
    for lane in process.xpath(".//bpmn:lane", namespaces=NS):
        for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS):
            lane_of[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    return lane_of


def _read_form(task: etree._Element, lint: Linter) -> tuple[FormField, ...]:
    fields = []
    seen: set[str] = set()
    for xml_field in task.xpath("./bpmn:extensionElements/camunda:formData/camunda:formField", namespaces=NS):
        form_field = _read_form_field(task, xml_field, seen, lint)
        if form_field is not None:
            fields.append(form_field)
    return tuple(fields)


def _read_form_field(task: etree._Element, xml_field: etree._Element, seen: set[str],
                     lint: Linter) -> FormField | None:
    field_id = xml_field.get("id") or ""
    field_type = xml_field.get("type") or "string"
    line = xml_field.sourceline
    if not _FIELD_ID.match(field_id):
        lint.error(task, f"form field id {field_id!r} must be a plain name (letters, digits, _; at most 60)", line=line)
        return None
    if field_id in expressions.SAFE_FUNCTIONS or field_id in expressions.SAFE_CONSTANTS:
        lint.error(task, f"form field id {field_id!r} would hide the expression function of that name", line=line)
    if field_id in seen:
        lint.error(task, f"form field {field_id!r} is declared twice", line=line)
    seen.add(field_id)
    if field_type not in FORM_FIELD_TYPES:
        lint.error(task, f"form field {field_id!r} has type {field_type!r}; supported: {', '.join(FORM_FIELD_TYPES)}",
                   line=line)
        return None
    options = tuple((v.get("id") or "", v.get("name") or v.get("id") or "")
                    for v in xml_field.xpath("./camunda:value", namespaces=NS))
    if field_type == "enum" and not options:
        lint.error(task, f"enum form field {field_id!r} has no values", line=line)
    required = bool(xml_field.xpath("./camunda:validation/camunda:constraint[@name='required']", namespaces=NS))
    minimum, maximum = field_bounds(task, xml_field, field_type, lint)
    return FormField(field_id, xml_field.get("label") or field_id, field_type, required, options, minimum, maximum)


def _check_limit_fields(process: etree._Element, indicators: list[DeadlineIndicator],
                        tasks: dict[str, TaskDefinition], lint: Linter) -> None:
    """An indicator's `limit_field` must be a whole-number field on a task that registers its `from` point: the
    patient's limit is read from that registration. On every such task it must be bounded, from 1 up to
    `LONGEST_PATIENT_LIMIT` of the indicator's unit, so that every limit a coordinator can type is a deadline
    with a computable due date."""
    for indicator in indicators:
        if indicator.limit_field is None:
            continue
        fields = [(t.element_id, f) for t in tasks.values() if t.measuring_point == indicator.from_point
                  for f in t.form if f.id == indicator.limit_field and f.type == "long"]
        if not fields:
            lint.error(process, f"deadline indicator '{indicator.key}': limit_field '{indicator.limit_field}' is "
                                f"not a whole-number (long) form field of a task registering '{indicator.from_point}'",
                       line=indicator.line)
        longest = LONGEST_PATIENT_LIMIT[indicator.unit]
        for task_id, spec in fields:
            if spec.minimum is None or spec.minimum < 1 or spec.maximum is None or spec.maximum > longest:
                lint.error(process, f"deadline indicator '{indicator.key}': limit_field '{spec.id}' of task "
                                    f"'{task_id}' needs the constraints min of at least 1 and max of at most "
                                    f"{longest} ({indicator.unit}, about ten years); it has {_bounds_text(spec)}",
                           line=indicator.line)


def _bounds_text(spec: FormField) -> str:
    low = "no min" if spec.minimum is None else f"min {spec.minimum}"
    return f"{low} and {'no max' if spec.maximum is None else f'max {spec.maximum}'}"


def _read_indicators(process: etree._Element, declared: list[Property], codes: set[str],
                     lint: Linter) -> list[DeadlineIndicator]:
    indicators = []
    for indicator_key, value, line in declared:
        try:
            indicator = DeadlineIndicator.parse(indicator_key, value, line)
        except IndicatorSyntaxError as exc:
            lint.error(process, f"deadline indicator '{indicator_key}': {exc}", line=line)
            continue
        if indicator.when is not None:
            try:
                expressions.check(indicator.when, "eval")
            except expressions.UnsafeExpression as exc:
                lint.error(process, f"deadline indicator '{indicator_key}': 'when' is not an allowed expression: "
                                    f"{exc}", line=line)
                continue
        for point in (indicator.from_point, indicator.to_point):
            if point not in codes:
                lint.error(process, f"deadline indicator '{indicator_key}' names measuring point '{point}', "
                                    f"which no element in this file has (known: {', '.join(sorted(codes)) or 'none'})",
                           line=line)
        indicators.append(indicator)
    if len({i.key for i in indicators}) != len(indicators):
        lint.error(process, "two deadline indicators share a key")
    return indicators


def _read_pathway_start(process: etree._Element, declared: list[Property], codes: set[str],
                        lint: Linter) -> dict[str, tuple[str, tuple[str, ...]]]:
    pathway_start: dict[str, tuple[str, tuple[str, ...]]] = {}
    for start_rule_set, value, line in declared:
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
    return pathway_start


def _message_of(element: etree._Element) -> str | None:
    """The name of the message an event sends or waits for, or None."""
    definition = element.find(f"{{{BPMN_NS}}}messageEventDefinition")
    if definition is None:
        return None
    ref = definition.get("messageRef")
    root = element.getroottree().getroot()
    names = {m.get("id"): (m.get("name") or m.get("id")) for m in root.iterfind(f"{{{BPMN_NS}}}message")}
    return names.get(ref, ref)


def load_definition(source: bytes, filename: str) -> PathwayDefinition:
    """Parse a pathway file that must lint (e.g. a deployed version); raise PathwayFileError if it does not.

    Parsing costs tens of milliseconds: code that reads deployed versions repeatedly asks the definition cache
    (`engine.catalogue.versions.DefinitionCache`) instead."""
    definition, problems = parse_pathway(source, filename)
    if definition is None:
        raise PathwayFileError([p for p in problems if p.severity == "error"])
    return definition


def lint_file(path: Path) -> list[Problem]:
    try:
        source = path.read_bytes()
    except OSError as exc:
        return [Problem(str(path), None, None, f"cannot read file: {exc.strerror}")]
    return parse_pathway(source, str(path))[1]


def pathway_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.bpmn"))
