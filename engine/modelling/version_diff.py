"""What changed between two versions of a pathway file: its elements, sequence flows, task forms and deadline
indicators, each added, removed or changed (with what changed).

Elements are compared with SpiffWorkflow's `SpecDiff`, which aligns task specs by BPMN id (and by structure when
an id changed) and names the serialised attributes that differ; the engine's internal specs (start, end, joins)
are left out. Flows, forms and indicators are compared on what the pathway file declares.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Iterable

from lxml import etree
from SpiffWorkflow.bpmn.util.diff import SpecDiff

from engine.catalogue.definition import FormField, PathwayDefinition
from engine.catalogue.xml import NS, safe_parser
from engine.deadlines.indicators import DeadlineIndicator
from engine.runtime.workflow_state import SERIALIZER

KINDS = ("element", "flow", "form", "indicator")
ADDED, REMOVED, CHANGED = "added", "removed", "changed"
#: The indicator attributes a modeller declares (the source line is where, not what).
_INDICATOR_FIELDS = tuple(f.name for f in fields(DeadlineIndicator) if f.name not in ("key", "line"))


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    change: str  # ADDED, REMOVED or CHANGED
    id: str
    label: str
    #: what changed, e.g. ("limit: 21 → 28",) or the changed spec attributes ("bpmn_name", "outputs")
    details: tuple[str, ...] = ()

    def as_view(self) -> dict[str, Any]:
        return asdict(self) | {"details": list(self.details)}


def diff_versions(old: PathwayDefinition, new: PathwayDefinition) -> list[Change]:
    """Every change from `old` to `new`, elements first, then flows, forms and indicators."""
    return [*_elements(old, new), *_flows(old.source, new.source), *_forms(old, new), *_indicators(old, new)]


def _elements(old: PathwayDefinition, new: PathwayDefinition) -> Iterable[Change]:
    pairs = [(old.spec, new.spec)] + [(old.subprocess_specs[k], new.subprocess_specs[k])
                                      for k in sorted(old.subprocess_specs.keys() & new.subprocess_specs.keys())]
    for original, changed in pairs:
        diff = SpecDiff(SERIALIZER.registry, original, changed)
        for spec in diff.removed:
            if _declared(spec):
                yield Change("element", REMOVED, spec.name, _name(spec))
        for spec in diff.added:
            if _declared(spec):
                yield Change("element", ADDED, spec.name, _name(spec))
        for spec, attributes in diff.changed.items():
            if _declared(spec):
                yield Change("element", CHANGED, spec.name, _name(diff.alignment[spec]), tuple(attributes))
    for key in sorted(new.subprocess_specs.keys() - old.subprocess_specs.keys()):
        yield Change("element", ADDED, key, key)
    for key in sorted(old.subprocess_specs.keys() - new.subprocess_specs.keys()):
        yield Change("element", REMOVED, key, key)


def _declared(spec: Any) -> bool:
    """A spec for an element of the file (SpiffWorkflow adds its own start, end and join specs, without one)."""
    return getattr(spec, "bpmn_id", None) is not None


def _name(spec: Any) -> str:
    return getattr(spec, "bpmn_name", None) or spec.name


def _flows(old_source: bytes, new_source: bytes) -> Iterable[Change]:
    old, new = _sequence_flows(old_source), _sequence_flows(new_source)
    yield from _compare_maps("flow", old, new, lambda flow: flow["name"] or f"{flow['from']} → {flow['to']}")


def _sequence_flows(source: bytes) -> dict[str, dict[str, str]]:
    root = etree.fromstring(source, safe_parser())
    flows = {}
    for flow in root.xpath("//bpmn:sequenceFlow", namespaces=NS):
        condition = flow.find("bpmn:conditionExpression", NS)
        flows[flow.get("id")] = {"from": flow.get("sourceRef") or "", "to": flow.get("targetRef") or "",
                                 "name": flow.get("name") or "",
                                 "condition": (condition.text or "").strip() if condition is not None else ""}
    return flows


def _forms(old: PathwayDefinition, new: PathwayDefinition) -> Iterable[Change]:
    for element_id in sorted(old.tasks.keys() & new.tasks.keys()):
        label = new.tasks[element_id].label
        before = {f.id: _field_values(f) for f in old.tasks[element_id].form}
        after = {f.id: _field_values(f) for f in new.tasks[element_id].form}
        for change in _compare_maps("form", before, after, lambda values: values["label"]):
            yield Change("form", change.change, f"{element_id}.{change.id}", f"{label}: {change.label}",
                         change.details)


def _field_values(form_field: FormField) -> dict[str, str]:
    return {"label": form_field.label, "type": form_field.type, "required": str(form_field.required),
            "options": ", ".join(option_id for option_id, _ in form_field.options),
            "min": _text(form_field.minimum), "max": _text(form_field.maximum)}


def _indicators(old: PathwayDefinition, new: PathwayDefinition) -> Iterable[Change]:
    before = {i.key: {name: _text(getattr(i, name)) for name in _INDICATOR_FIELDS} for i in old.indicators}
    after = {i.key: {name: _text(getattr(i, name)) for name in _INDICATOR_FIELDS} for i in new.indicators}
    yield from _compare_maps("indicator", before, after, lambda values: values["label"])


def _text(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def _compare_maps(kind: str, old: dict[str, dict[str, str]], new: dict[str, dict[str, str]],
                  label: Any) -> Iterable[Change]:
    """Added, removed and changed entries of two id → attributes maps; a change names each attribute old → new."""
    for key in sorted(old.keys() - new.keys()):
        yield Change(kind, REMOVED, key, label(old[key]))
    for key in sorted(new.keys() - old.keys()):
        yield Change(kind, ADDED, key, label(new[key]))
    for key in sorted(old.keys() & new.keys()):
        details = tuple(f"{name}: {old[key][name] or '–'} → {new[key][name] or '–'}"
                        for name in old[key] if old[key][name] != new[key].get(name))
        if details:
            yield Change(kind, CHANGED, key, label(new[key]), details)
