"""The pathway catalogue page: what every pathway file holds, for modellers, coordinators and managers.

`describe()` turns a parsed pathway into plain data (steps, measuring points, deadline indicators with their
limits, units, variants and sources, flagged UNCONFIRMED values, timers and messages); `render_markdown()` writes
that as `pathways/CATALOGUE.md`. The same description is what the modeller round-trip test compares, so "the
catalogue did not change" means exactly what this page shows did not change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from lxml import etree

from engine.catalogue.definition import PathwayDefinition
from engine.catalogue.parser import load_definition, pathway_files
from engine.catalogue.registration import PATIENT_DEFERRED_REGISTRATION, START_EVENT, RegistrationCode
from engine.catalogue.xml import BPMN_NS, NS, safe_parser
from engine.deadlines.indicators import ANY_SETTING, PATIENT_DEFERRED, DeadlineIndicator

UNIT_LABELS = {"calendar_days": "kalenderdager", "working_days": "virkedager", "calendar_months": "måneder"}
SETTING_LABELS = {"outpatient": "poliklinikk", "inpatient": "døgn"}


def load_catalogue(directory: Path) -> list[PathwayDefinition]:
    """Every pathway file in `directory`, parsed (raises PathwayFileError for a file with lint errors)."""
    return [load_definition(path.read_bytes(), path.name) for path in pathway_files(directory)]


def _indicator(indicator: DeadlineIndicator) -> dict[str, Any]:
    return {
        "key": indicator.key, "label": indicator.label, "from": indicator.from_point, "to": indicator.to_point,
        "limit": indicator.limit, "limit_field": indicator.limit_field, "unit": indicator.unit,
        "setting": indicator.setting,
        "severity": indicator.severity, "from_outcomes": list(indicator.from_outcomes), "when": indicator.when,
        "repeat": indicator.repeat, "deferrable": indicator.deferrable, "target": indicator.target_share, "target_unconfirmed": indicator.target_unconfirmed,
        "source": indicator.source, "unconfirmed": indicator.unconfirmed, "note": indicator.note,
    }


def _events(definition: PathwayDefinition) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(timers, message events) of the file, in document order."""
    root = etree.fromstring(definition.source, safe_parser())
    messages = {m.get("id"): m.get("name") or m.get("id") for m in root.iterfind(f"{{{BPMN_NS}}}message")}
    timers, message_events = [], []
    for element in root.iter():
        tag = etree.QName(element.tag).localname if isinstance(element.tag, str) else ""
        if not tag.endswith("Event"):
            continue
        attached = element.get("attachedToRef")
        for timer in element.xpath("./bpmn:timerEventDefinition/*", namespaces=NS):
            timers.append({"element_id": element.get("id"), "name": element.get("name") or "",
                           "kind": etree.QName(timer.tag).localname, "expression": (timer.text or "").strip(),
                           "attached_to": attached, "interrupting": element.get("cancelActivity") != "false"})
        for message in element.xpath("./bpmn:messageEventDefinition", namespaces=NS):
            sends = tag in ("intermediateThrowEvent", "endEvent")
            message_events.append({"element_id": element.get("id"), "name": element.get("name") or "",
                                   "message": messages.get(message.get("messageRef"), message.get("messageRef")),
                                   "direction": "sends" if sends else "waits for", "attached_to": attached})
    return timers, message_events


def _registration(code: RegistrationCode) -> dict[str, Any]:
    return {"code": code.code, "with_outcome": code.with_outcome, "unconfirmed": code.unconfirmed,
            "note": code.note, "source": code.source}


def _registrations(definition: PathwayDefinition) -> list[dict[str, Any]]:
    """The registry code of each event the extract reports, in the order of a pathway: the start, the measuring
    points in file order, and the built-in patient-deferred (L) of every pathway that reports at all."""
    if not definition.reports_to_registry:
        return []
    rows = [{"event": START_EVENT, **_registration(definition.start_registration)}] \
        if definition.start_registration else []
    rows += [{"event": point, **_registration(code)} for point, code in definition.registration_codes.items()]
    return rows + [{"event": PATIENT_DEFERRED, **_registration(PATIENT_DEFERRED_REGISTRATION)}]


def describe(definition: PathwayDefinition) -> dict[str, Any]:
    timers, message_events = _events(definition)
    return {
        "key": definition.key, "name": definition.name, "type_code": definition.type_code,
        "default_rule_set": definition.default_rule_set,
        "pathway_start": {rule_set: {"measuring_point": code, "outcomes": list(outcomes)}
                          for rule_set, (code, outcomes) in sorted(definition.pathway_start.items())},
        "lanes": list(definition.lanes),
        "steps": [{"element_id": t.element_id, "label": t.label, "lane": t.lane,
                   "measuring_point": t.measuring_point,
                   "form": [{"id": f.id, "label": f.label, "type": f.type, "required": f.required,
                             "options": [list(o) for o in f.options]} for f in t.form]}
                  for t in definition.tasks.values()],
        "measuring_points": {element: code for element, code in definition.measuring_points.items()},
        "indicators": [_indicator(i) for i in definition.indicators],
        "flags": [{"topic": f.topic, "note": f.note, "element_id": f.element_id} for f in definition.flags],
        "timers": timers,
        "messages": message_events,
        "started_by_messages": list(definition.started_by_messages),
        "registration_codes": _registrations(definition),
    }


# ---- markdown --------------------------------------------------------------------------------------------------

def _cell(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _variant(indicator: dict[str, Any]) -> str:
    parts = []
    if indicator["setting"] != ANY_SETTING:
        parts.append(SETTING_LABELS[indicator["setting"]])
    if indicator["severity"]:
        parts.append(f"alvorlighet: {indicator['severity']}")
    if indicator["from_outcomes"]:
        parts.append(f"utfall {', '.join(indicator['from_outcomes'])}")
    if indicator["when"]:
        parts.append(f"når `{indicator['when']}`")
    if indicator["repeat"]:
        parts.append("gjentas")
    return "; ".join(parts) or "alle"


def _target(indicator: dict[str, Any]) -> str:
    if indicator["target"] is None:
        return ""
    text = f"{indicator['target'] * 100:g} %"
    return f"{text} ⚠️" if indicator["target_unconfirmed"] else text


def _source(source: str | None) -> str:
    return f"[kilde]({source})" if source else ""


def _type_code(entry: dict[str, Any]) -> str:
    if entry["type_code"]:
        return entry["type_code"]
    flagged = any(f["topic"] == "pathwayType" and f["element_id"] is None for f in entry["flags"])
    return "⚠️ ikke bekreftet" if flagged else "–"


def _unconfirmed_rows(entries: list[dict[str, Any]]) -> Iterable[str]:
    for entry in entries:
        for indicator in entry["indicators"]:
            what = []
            if indicator["unconfirmed"]:
                what.append("frist")
            if indicator["target_unconfirmed"]:
                what.append("målnivå")
            if what:
                yield (f"| {entry['key']} | forløpstid `{indicator['key']}` ({' og '.join(what)}) | "
                       f"{_cell(indicator['note'] or indicator['label'])} |")
        for flag in entry["flags"]:
            where = f"`{flag['element_id']}` {flag['topic']}" if flag["element_id"] else flag["topic"]
            yield f"| {entry['key']} | {_cell(where)} | {_cell(flag['note'])} |"


def _limit(indicator: dict[str, Any]) -> str:
    limit = f"{indicator['limit']} {UNIT_LABELS[indicator['unit']]}"
    if indicator["limit_field"]:
        return f"per pasient (`{indicator['limit_field']}`), ellers {limit}"
    return limit


def render_markdown(definitions: list[PathwayDefinition]) -> str:
    entries = [describe(d) for d in definitions]
    out = [
        "# Forløpskatalog – pathway catalogue",
        "",
        "Generated from the BPMN files in this folder by `pathways catalogue`; do not edit by hand (a test checks",
        "that this page matches the files). ⚠️ marks a value that is not confirmed in a primary source",
        "(UNCONFIRMED in the domain reference): it is configuration in the BPMN file that a modeller should check.",
        "",
        "| Forløp | key | typekode | regelverk | steg | forløpstider | flagg |",
        "|---|---|---|---|---|---|---|",
    ]
    for entry in entries:
        flags = len(entry["flags"]) + sum(1 for i in entry["indicators"] if i["unconfirmed"] or i["target_unconfirmed"])
        out.append(f"| [{_cell(entry['name'])}](#{entry['key']}) | `{entry['key']}` | "
                   f"{_type_code(entry)} | {entry['default_rule_set']} | "
                   f"{len(entry['steps'])} | {len(entry['indicators'])} | {flags or ''} |")
    out += ["", "## Ikke bekreftede verdier (UNCONFIRMED)", "", "| forløp | hva | merknad |", "|---|---|---|"]
    out += list(_unconfirmed_rows(entries))
    for entry in entries:
        out += _render_pathway(entry)
    return "\n".join(out) + "\n"


def _render_pathway(entry: dict[str, Any]) -> list[str]:
    out = ["", f'<a id="{entry["key"]}"></a>', f"## {entry['name']}", "",
           f"Key `{entry['key']}` · typekode {_type_code(entry)} · "
           f"standard regelverk {entry['default_rule_set']} · roller: {', '.join(entry['lanes'])}", ""]
    if entry["started_by_messages"]:
        out += ["Startes av melding fra et annet forløp for pasienten: " + ", ".join(
            f"`{name}`" for name in entry["started_by_messages"]), ""]
    if entry["pathway_start"]:
        out.append("Forløpsstart per regelverk: " + "; ".join(
            f"{rule_set}: `{start['measuring_point']}`" + (f" ({', '.join(start['outcomes'])})" if start["outcomes"]
                                                           else "")
            for rule_set, start in entry["pathway_start"].items()))
        out.append("")
    out += ["### Steg", "", "| steg | rolle | målepunkt | skjema |", "|---|---|---|---|"]
    for step in entry["steps"]:
        form = ", ".join(f"{f['label']}{' *' if f['required'] else ''}" for f in step["form"])
        out.append(f"| {_cell(step['label'])} (`{step['element_id']}`) | {_cell(step['lane'])} | "
                   f"{step['measuring_point'] or ''} | {_cell(form)} |")
    automatic = sorted({code for element, code in entry["measuring_points"].items()
                        if element not in {s["element_id"] for s in entry["steps"]}})
    if automatic:
        out += ["", "Målepunkter registrert av hendelser: " + ", ".join(f"`{c}`" for c in automatic)]
    out += ["", "### Forløpstider", ""]
    if entry["indicators"]:
        out += ["| forløpstid | fra → til | frist | variant | pasientutsatt | mål | kilde |",
                "|---|---|---|---|---|---|---|"]
        for indicator in entry["indicators"]:
            flag = " ⚠️" if indicator["unconfirmed"] else ""
            note = f" – {indicator['note']}" if indicator["note"] else ""
            out.append(
                f"| {_cell(indicator['label'])} (`{indicator['key']}`){_cell(note)} | "
                f"`{indicator['from']}` → `{indicator['to']}` | "
                f"{_limit(indicator)}{flag} | {_cell(_variant(indicator))} | "
                f"{'kan utsettes' if indicator['deferrable'] else '–'} | {_target(indicator)} | "
                f"{_source(indicator['source'])} |")
    else:
        out.append("Ingen nasjonale forløpstider.")
    out += _render_registrations(entry)
    if entry["timers"]:
        out += ["", "### Tidsstyrte hendelser", "", "| hendelse | på | uttrykk |", "|---|---|---|"]
        for timer in entry["timers"]:
            on = f"`{timer['attached_to']}`" + ("" if timer["interrupting"] else " (avbryter ikke)") \
                if timer["attached_to"] else "i flyten"
            out.append(f"| {_cell(timer['name'])} (`{timer['element_id']}`) | {on} | `{_cell(timer['expression'])}` |")
    if entry["messages"]:
        out += ["", "### Meldinger", "", "| hendelse | retning | melding |", "|---|---|---|"]
        for message in entry["messages"]:
            direction = "sender" if message["direction"] == "sends" else "venter på"
            out.append(f"| {_cell(message['name'])} (`{message['element_id']}`) | {direction} | "
                       f"`{message['message']}` |")
    return out


def _render_registrations(entry: dict[str, Any]) -> list[str]:
    """The codes of the registry extract (`registrationCode`); an unconfirmed one is marked, its note beside it."""
    if not entry["registration_codes"]:
        return []
    out = ["", "### Registreringskoder (NPR-uttrekk)", "", "| hendelse | kode | merknad |", "|---|---|---|"]
    for row in entry["registration_codes"]:
        code = f"`{row['code']}`" if row["code"] else ""
        if row["with_outcome"]:
            code += " + utfall"
        if row["unconfirmed"]:
            code = f"{code} ⚠️ ikke bekreftet".strip()
        out.append(f"| `{row['event']}` | {code} | {_cell(row['note'] or _source(row['source']))} |")
    return out


def write_catalogue(directory: Path, output: Path | None = None) -> tuple[Path, bool]:
    """Write the catalogue page; returns (path, changed)."""
    output = output or directory / "CATALOGUE.md"
    text = render_markdown(load_catalogue(directory))
    old = output.read_text(encoding="utf-8") if output.exists() else None
    if old != text:
        output.write_text(text, encoding="utf-8")
    return output, old != text
