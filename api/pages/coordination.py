"""The timeline's view of what passed between the patient's pathways: each message in bokmål (what, which way,
delivered or not and why not) and each linked pathway, linked to its timeline where the user may open it."""

from __future__ import annotations

from typing import Any

from engine.access.principals import Principal
from engine.catalogue.definition import PathwayDefinition

MESSAGE_STATUS_LABELS = {
    "delivered": "levert",
    "kept": "ikke levert: ingen av pasientens forløp venter på meldingen ennå",
    "failed": "ikke levert: stoppet med driftsfeil",
}
LINK_LABELS = {
    ("started_by_message", "from"): "Startet av melding fra",
    ("started_by_message", "to"): "Startet ved melding",
    ("linked_by_message", "from"): "Koblet ved melding fra",
    ("linked_by_message", "to"): "Koblet ved melding til",
    ("transfer", "from"): "Overført fra",
    ("transfer", "to"): "Overført til",
}


def message_rows(detail: dict[str, Any], definition: PathwayDefinition, pathway_names: dict[str, str],
                 user: Principal) -> list[dict[str, Any]]:
    rows = []
    for message in detail["messages"]:
        sent = message["direction"] == "sent"
        labels = (definition.sent_message_labels, definition.message_labels)
        label = (labels[0] if sent else labels[1]).get(message["name"]) or message["name"]
        other = message["other"]
        rows.append({**message, "label": label, "direction_label": "Sendt" if sent else "Mottatt",
                     "status_label": MESSAGE_STATUS_LABELS[message["status"]],
                     "other_name": _pathway_name(other, pathway_names),
                     "other_href": _href(other, user)})
    return rows


def link_rows(detail: dict[str, Any], pathway_names: dict[str, str], user: Principal) -> list[dict[str, Any]]:
    return [{**link, "kind_label": LINK_LABELS[(link["kind"], link["direction"])],
             "pathway_name": pathway_names.get(link["pathway"], link["pathway"]), "href": _href(link, user)}
            for link in detail["linked_pathways"]]


def _pathway_name(other: dict[str, Any] | None, pathway_names: dict[str, str]) -> str | None:
    if other is None or other["pathway"] is None:
        return None
    return f"{pathway_names.get(other['pathway'], other['pathway'])}, {other['unit']}"


def _href(pathway: dict[str, Any] | None, user: Principal) -> str | None:
    """Only a pathway the user may open gets a link; the other unit's is named, not linked."""
    if pathway is None or not pathway.get("unit") or not user.sees_unit(pathway["unit"]):
        return None
    return f"/forlop/{pathway['instance_id']}"
