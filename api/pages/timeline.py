"""A patient's pathway as a timeline (`/forlop/{id}`): measuring points and deadlines in date order, each
deadline with its status, and the open tasks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from engine.actions.reads import read_instance
from engine.catalogue.definition import OUTCOME_FIELD, PathwayDefinition

from ..deps import PageUser, Runtime
from .labels import INSTANCE_STATUS_LABELS, POINT_LABELS, STATUS_LABELS
from .rendering import PageRoute, render
from .worklist import urgency_columns

router = APIRouter(route_class=PageRoute, include_in_schema=False)


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
                        "outcome": names.outcome(event["element_id"], event["outcome"]), "note": event["note"]})
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
    indicators = [{**row, "from_label": names.point(row["from"]), "to_label": names.point(row["to"]),
                   "status_label": STATUS_LABELS.get(row["status"], row["status"])}
                  for row in detail["indicators"]]
    tasks = [{**task, **urgency_columns(task["due_on"], today)} for task in detail["open_tasks"]]
    return render(request, "timeline.html", detail=detail, entries=timeline_entries(detail, names),
                  indicators=indicators, tasks=tasks, today=today,
                  instance_status=INSTANCE_STATUS_LABELS.get(detail["status"], detail["status"]))
