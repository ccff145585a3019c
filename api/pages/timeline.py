"""A patient's pathway as a timeline (`/forlop/{id}`): measuring points and deadlines in date order, each
deadline with its status, and the open tasks; its open incidents; the messages to and from the patient's other
pathways and the pathways linked to it; and the coordinator's forms: patient-deferred,
a message the pathway waits for (e.g. a crisis reported), closing the pathway or transferring it to another hospital
trust, a registration's date corrected, a registration undone."""

from __future__ import annotations

from typing import Annotated, Any, Callable

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse

from engine.actions import commands
from engine.actions.reads import read_instance
from engine.catalogue.definition import CLOSURE_POINT, OUTCOME_FIELD, TRANSFER_OUTCOME, PathwayDefinition
from engine.deadlines.indicators import PATIENT_DEFERRED
from engine.errors import PathwayError
from engine.reading.pathways import list_pathways

from ..deps import PageUser, Runtime
from .coordination import link_rows, message_rows
from .inputs import iso_date, whole_number
from .labels import DEFERRAL_REASON_LABELS, INSTANCE_STATUS_LABELS, POINT_LABELS, STATUS_LABELS, error_text
from .rendering import PageRoute, redirect, render
from .session import Form
from .worklist import urgency_columns

router = APIRouter(route_class=PageRoute, include_in_schema=False)
EventId = Annotated[int, Path(ge=1, le=2_147_483_647)]


class Names:
    """Norwegian names for a version's elements, measuring points and outcomes, from its BPMN file."""

    def __init__(self, definition: PathwayDefinition) -> None:
        self.definition = definition

    def element(self, element_id: str | None) -> str | None:
        return self.definition.element_label(element_id)

    def point(self, code: str) -> str:
        if code in POINT_LABELS:
            return POINT_LABELS[code]
        for element_id, point_code in self.definition.measuring_points.items():
            if point_code == code and self.element(element_id):
                return self.element(element_id)
        return code

    def outcome(self, element_id: str | None, value: str | None) -> str | None:
        if not value:
            return None
        for spec in self.definition.form_of(element_id or ""):
            for option_id, label in spec.options:
                if spec.id == OUTCOME_FIELD and option_id == value:
                    return label
        return value


def timeline_entries(detail: dict[str, Any], names: Names) -> list[dict[str, Any]]:
    """Measuring points and deadlines of one instance in date order (a deadline sits at its due date)."""
    entries: list[dict[str, Any]] = []
    for number, event in enumerate(detail["measuring_points"]):
        entries.append({"date": event["occurred_on"], "order": (0, number), "kind": "hendelse",
                        "title": names.element(event["element_id"]) or names.point(event["code"]),
                        "code": event["code"], "point": names.point(event["code"]),
                        "outcome": names.outcome(event["element_id"], event["outcome"]), "note": event["note"],
                        "id": event["id"], "undone": event["undone"], "corrections": event["corrections"],
                        "deferred_until": event["deferred_until"],
                        "reason": DEFERRAL_REASON_LABELS.get(event["reason"], event["reason"]),
                        "correctable": event["code"] != PATIENT_DEFERRED and not event["undone"],
                        "undoable": not event["undone"] and (event["code"] == PATIENT_DEFERRED or
                                                             names.definition.tasks.get(event["element_id"] or "")
                                                             is not None)})
    for number, row in enumerate(detail["indicators"]):
        if row["due_on"] is None:
            continue
        entries.append({"date": row["due_on"], "order": (1, number), "kind": "frist", "title": row["label"],
                        "status": row["status"], "status_label": STATUS_LABELS.get(row["status"], row["status"]),
                        "end_on": row["end_on"], "unconfirmed": row["unconfirmed"]})
    entries.sort(key=lambda e: (e["date"], e["order"]))
    return entries


@router.get("/forlop/{instance_id}")
def timeline(request: Request, instance_id: str, runtime: Runtime, user: PageUser):
    detail = read_instance(runtime, user, instance_id)
    names = Names(runtime.definition_of(detail["pathway_version"]["id"]))
    today = runtime.today()
    deferrable = {i.key for i in names.definition.indicators if i.deferrable}
    indicators = [{**row, "from_label": names.point(row["from"]), "to_label": names.point(row["to"]),
                   "status_label": STATUS_LABELS.get(row["status"], row["status"]),
                   "deferrable": row["indicator"] in deferrable}
                  for row in detail["indicators"]]
    tasks = [{**task, **urgency_columns(task["due_on"], today)} for task in detail["open_tasks"]]
    pathway_names = ({p["key"]: p["name"] for p in list_pathways(runtime.db, runtime.definitions)}
                     if detail["messages"] or detail["linked_pathways"] else {})
    return render(request, "timeline.html", detail=detail, entries=timeline_entries(detail, names),
                  message_rows=message_rows(detail, names.definition, pathway_names, user),
                  link_rows=link_rows(detail, pathway_names, user),
                  indicators=indicators, tasks=tasks, today=today, reasons=DEFERRAL_REASON_LABELS,
                  can_defer=[i for i in indicators if i["deferrable"] and i["status"] in ("pending", "overdue")],
                  instance_status=INSTANCE_STATUS_LABELS.get(detail["status"], detail["status"]),
                  **closing_forms(names.definition, detail))


def closing_forms(definition: PathwayDefinition, detail: dict[str, Any]) -> dict[str, Any]:
    """What the message, closure and transfer forms offer for this pathway, and the closure as registered."""
    closure = next((e for e in reversed(detail["measuring_points"]) if e["code"] == CLOSURE_POINT
                    and not e["undone"]), None)
    outcomes = dict(definition.closure_outcomes)
    return {"messages": [(name, definition.message_labels.get(name, name)) for name in definition.messages_received],
            "closure_outcomes": definition.closure_outcomes, "can_transfer": definition.can_transfer,
            "closure_task": next((t for t in detail["open_tasks"] if t["measuring_point"] == CLOSURE_POINT), None),
            "closure_label": outcomes.get(closure["outcome"], closure["outcome"]) if closure else None,
            "transferred": bool(closure and closure["outcome"] == TRANSFER_OUTCOME)}


def _change(instance_id: str, change: Callable[[], object], done: str) -> RedirectResponse:
    """A change from one of the timeline's forms, then back to the timeline with what happened."""
    back = f"/forlop/{instance_id}"
    try:
        change()
    except PathwayError as exc:
        return redirect(back, flash=error_text(exc), kind="feil")
    return redirect(back, flash=done)




@router.post("/forlop/{instance_id}/pasientutsatt")
def defer(request: Request, instance_id: str, runtime: Runtime, user: PageUser, form: Form):
    return _change(instance_id, lambda: commands.register_patient_deferred(
        runtime, user, instance_id, deferred_from=iso_date(form.get("fra")) or runtime.today(),
        deferred_until=iso_date(form.get("til")), working_days=whole_number(form.get("virkedager"), digits=4),
        reason=form.get("arsak", ""), note=(form.get("notat") or "").strip()[:2000] or None),
        "Pasientutsettelsen er registrert.")


@router.post("/forlop/{instance_id}/registreringer/{event_id}/korriger")
def correct(request: Request, instance_id: str, event_id: EventId, runtime: Runtime, user: PageUser, form: Form):
    new_date = iso_date(form.get("dato"))
    if new_date is None:
        return redirect(f"/forlop/{instance_id}", flash="Oppgi en gyldig dato (åååå-mm-dd).", kind="feil")
    return _change(instance_id, lambda: commands.correct_event_date(
        runtime, user, instance_id, event_id, occurred_on=new_date, reason=form.get("begrunnelse", "")[:2000]),
        "Datoen er korrigert, og forløpstidene er beregnet på nytt.")


@router.post("/forlop/{instance_id}/registreringer/{event_id}/angre")
def undo(request: Request, instance_id: str, event_id: EventId, runtime: Runtime, user: PageUser, form: Form):
    return _change(instance_id, lambda: commands.undo_event(
        runtime, user, instance_id, event_id, reason=form.get("begrunnelse", "")[:2000]),
        "Registreringen er angret. Oppgaven kan registreres på nytt.")


def _note(form: dict[str, str]) -> str | None:
    return (form.get("notat") or "").strip()[:2000] or None


@router.post("/forlop/{instance_id}/melding")
def message(request: Request, instance_id: str, runtime: Runtime, user: PageUser, form: Form):
    return _change(instance_id, lambda: commands.send_message(
        runtime, user, instance_id, (form.get("melding") or "")[:100], data=None,
        occurred_on=iso_date(form.get("dato")) or runtime.today()), "Meldingen er registrert, og forløpet er ført videre.")


@router.post("/forlop/{instance_id}/avslutt")
def close(request: Request, instance_id: str, runtime: Runtime, user: PageUser, form: Form):
    closed_on = iso_date(form.get("dato"))
    if closed_on is None:
        return redirect(f"/forlop/{instance_id}", flash="Oppgi datoen forløpet ble avsluttet (åååå-mm-dd).",
                        kind="feil")
    return _change(instance_id, lambda: commands.close_pathway(
        runtime, user, instance_id, closed_on=closed_on, outcome=(form.get("arsak") or "")[:60], note=_note(form)),
        "Forløpet er avsluttet. Løpende forløpstider telles ikke.")


@router.post("/forlop/{instance_id}/overfor")
def transfer(request: Request, instance_id: str, runtime: Runtime, user: PageUser, form: Form):
    transferred_on, trust = iso_date(form.get("dato")), " ".join((form.get("helseforetak") or "").split())
    unit = " ".join((form.get("enhet") or "").split())[:200] or None
    if transferred_on is None:
        return redirect(f"/forlop/{instance_id}", flash="Oppgi datoen for overføringen (åååå-mm-dd).", kind="feil")
    done = (f"Forløpet er avsluttet som overført til {trust}, og en ny start er registrert i {unit}." if unit else
            f"Forløpet er avsluttet som overført til {trust}. Det mottakende helseforetaket registrerer en ny start "
            f"av forløpet.")
    return _change(instance_id, lambda: commands.transfer_pathway(
        runtime, user, instance_id, transferred_on=transferred_on, receiving_trust=trust[:500], note=_note(form),
        receiving_unit=unit), done)
