"""Lint problems of a pathway file: everything a modeller can get wrong, with file, line and element id.

A file with any error-level problem is never deployed; warnings (a user task outside every lane, a file without
a diagram) are shown but do not stop it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from lxml import etree

from engine.catalogue import expressions
from engine.catalogue.xml import BPMN_NS, CAMUNDA_NS

UNSUPPORTED = {
    "serviceTask": "service tasks would call out of the engine; model the step as a user task",
    "businessRuleTask": "DMN decisions are not supported; use gateway conditions",
    "sendTask": "send tasks are not supported; use message events",
}
#: (tag, what the lint message calls it, parse mode) of every element whose text is an expression or a script
_EXPRESSION_TAGS = (
    ("conditionExpression", "condition", "eval"),
    ("timeDate", "timer", "eval"),
    ("timeDuration", "timer", "eval"),
    ("timeCycle", "timer", "eval"),
    ("loopCardinality", "loop cardinality", "eval"),
    ("completionCondition", "completion condition", "eval"),
    ("script", "script", "exec"),
)


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


class PathwayFileError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Linter:
    """Collects the problems of one file."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []

    def error(self, element: etree._Element | None, message: str, line: int | None = None) -> None:
        self._add(element, message, line, "error")

    def warning(self, element: etree._Element | None, message: str, line: int | None = None) -> None:
        self._add(element, message, line, "warning")

    def at(self, line: int | None, element_id: str | None, message: str) -> None:
        """An error found by position rather than on a parsed element."""
        self.problems.append(Problem(self.filename, line, element_id, message))

    def _add(self, element, message, line, severity) -> None:
        element_id = element.get("id") if element is not None else None
        line = line if line is not None else (element.sourceline if element is not None else None)
        self.problems.append(Problem(self.filename, line, element_id, message, severity))

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


#: How big a pathway file may be. The shipped ones have 30–60 KB, some 1,500 XML nodes and under 100 steps; the
#: bounds are far above that and far below what would make parsing, deploying or running a model a danger.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_XML_NODES = 50_000
#: SpiffWorkflow builds and runs a chain of steps recursively: about 450 in a row exhaust Python's stack.
MAX_FLOW_NODES = 300
MAX_CARDINALITY = 50
_FLOW_NODES = ("task", "userTask", "scriptTask", "serviceTask", "manualTask", "sendTask", "receiveTask",
               "businessRuleTask", "callActivity", "subProcess", "startEvent", "endEvent", "intermediateCatchEvent",
               "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
               "eventBasedGateway")


def check_bounds(root: etree._Element, lint: Linter) -> None:
    """Refuse models too large to run safely, naming the limit: too many XML nodes or steps, or a multi-instance
    step without a small literal cardinality (each instance opens a task per repetition)."""
    nodes = sum(1 for _ in root.iter())
    if nodes > MAX_XML_NODES:
        lint.error(root, f"the file has {nodes} XML nodes; at most {MAX_XML_NODES} are allowed")
        return
    steps = sum(1 for tag in _FLOW_NODES for _ in root.iter(f"{{{BPMN_NS}}}{tag}"))
    if steps > MAX_FLOW_NODES:
        lint.error(root, f"the process has {steps} steps (tasks, events and gateways); at most {MAX_FLOW_NODES}")
    for loop in root.iter(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"):
        cardinality = loop.find(f"{{{BPMN_NS}}}loopCardinality")
        text = (cardinality.text or "").strip() if cardinality is not None else ""
        if not text.isdigit() or int(text) > MAX_CARDINALITY:
            lint.error(_owner(loop), f"a multi-instance step needs a loopCardinality that is a whole number up to "
                                     f"{MAX_CARDINALITY}, not {text or 'none'!r}")


def check_unsupported(root: etree._Element, lint: Linter) -> None:
    for tag, why in UNSUPPORTED.items():
        for element in root.iter(f"{{{BPMN_NS}}}{tag}"):
            lint.error(element, f"{tag} is not allowed: {why}")


def check_expressions(root: etree._Element, lint: Linter) -> None:
    """Every condition, timer, script and message payload must pass the safe-expression allow-list."""
    for site in _expression_sites(root):
        if not site.source.strip():
            lint.at(site.line, site.element_id, f"empty {site.kind} expression")
            continue
        try:
            expressions.check(site.source, site.mode)
        except expressions.UnsafeExpression as exc:
            lint.at(site.line, site.element_id, f"{site.kind} expression refused: {exc}")


def _owner(element: etree._Element) -> etree._Element | None:
    while element is not None and element.get("id") is None:
        element = element.getparent()
    return element


def _expression_sites(root: etree._Element) -> Iterable[expressions.ExpressionSite]:
    for tag, kind, mode in _EXPRESSION_TAGS:
        for element in root.iter(f"{{{BPMN_NS}}}{tag}"):
            owner = _owner(element)
            yield expressions.ExpressionSite(element_id=owner.get("id") if owner is not None else "",
                                             line=element.sourceline, kind=kind, source=element.text or "",
                                             mode=mode)
    for element in root.iter(f"{{{BPMN_NS}}}messageEventDefinition"):
        payload = element.get(f"{{{CAMUNDA_NS}}}expression")
        if payload is not None:
            yield expressions.ExpressionSite(element_id=_owner(element).get("id"), line=element.sourceline,
                                             kind="message payload", source=payload, mode="eval")


#: A bound's config: a whole number short enough that no value it allows overflows a date or a database column
_BOUND_CONFIG = re.compile(r"^-?[0-9]{1,15}$")


def field_bounds(task: etree._Element, xml_field: etree._Element, field_type: str,
                 lint: Linter) -> tuple[int | None, int | None]:
    """The (min, max) of a form field's Camunda `min`/`max` constraints, None where not given. Only a
    whole-number (long) field takes them, each once, with a whole number as config, and min not above max; a
    refused bound is reported and counts as not given."""
    field_id = xml_field.get("id")
    bounds: dict[str, int | None] = {"min": None, "max": None}
    for constraint in xml_field.iterfind(f"{{{CAMUNDA_NS}}}validation/{{{CAMUNDA_NS}}}constraint"):
        name = constraint.get("name")
        if name not in bounds:
            continue
        line = constraint.sourceline
        config = (constraint.get("config") or "").strip()
        if field_type != "long":
            lint.error(task, f"form field {field_id!r}: a {name} constraint bounds only a whole-number (long) "
                             f"field, not a {field_type} field", line=line)
        elif not _BOUND_CONFIG.match(config):
            lint.error(task, f"form field {field_id!r}: the {name} constraint needs a whole number as config, "
                             f"not {config!r}", line=line)
        elif bounds[name] is not None:
            lint.error(task, f"form field {field_id!r} has two {name} constraints", line=line)
        else:
            bounds[name] = int(config)
    low, high = bounds["min"], bounds["max"]
    if low is not None and high is not None and low > high:
        lint.error(task, f"form field {field_id!r}: min {low} is above max {high}, so no value is allowed",
                   line=xml_field.sourceline)
        return None, None
    return low, high
