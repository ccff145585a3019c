"""What passed between one patient's pathways, as both coordinators follow it on the timeline: the messages a
pathway sent and received — delivered, kept (no pathway of the patient waits for it yet) or stopped by an
incident — and the pathways it is linked to (started by its message, or the new start after a transfer)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, case, or_, select
from sqlalchemy.orm import Session, aliased

from engine.db.models import Incident, PathwayInstance, PathwayLink, PathwayMessage
from engine.statuses import IncidentKind, IncidentStatus

#: A pathway's messages shown on its timeline, newest last; older ones are counted, not listed.
MAX_MESSAGES = 200


# Both statements are read with every instance's detail (the answer to each completion): built once, because
# building one with an aliased join costs more than running it.
_OTHER = aliased(PathwayInstance)
_OWN = bindparam("instance_id")
_MESSAGES = (select(PathwayMessage, _OTHER.pathway_key, _OTHER.unit)
             .outerjoin(_OTHER, _OTHER.id == case((PathwayMessage.sender_instance_id == _OWN,
                                                   PathwayMessage.receiver_instance_id),
                                                  else_=PathwayMessage.sender_instance_id))
             .where(or_(PathwayMessage.sender_instance_id == _OWN, PathwayMessage.receiver_instance_id == _OWN))
             .order_by(PathwayMessage.id.desc()).limit(MAX_MESSAGES))
_LINKS = tuple((direction, select(PathwayLink, _OTHER).join(_OTHER, _OTHER.id == far).where(own == _OWN)
                .order_by(PathwayLink.id))
               for direction, own, far in (("from", PathwayLink.to_instance_id, PathwayLink.from_instance_id),
                                           ("to", PathwayLink.from_instance_id, PathwayLink.to_instance_id)))


def pathway_messages(session: Session, instance_id: str) -> list[dict[str, Any]]:
    """Messages the instance sent or received, in the order sent, each with the pathway at the other end."""
    rows = session.execute(_MESSAGES, {"instance_id": instance_id}).all()
    failed = _failures(session, [message.id for message, _, _ in rows])
    return [_message_view(message, instance_id, pathway, unit, failed.get(message.id))
            for message, pathway, unit in reversed(rows)]


def _failures(session: Session, message_ids: list[int]) -> dict[int, str]:
    if not message_ids:
        return {}
    return dict(session.execute(select(Incident.message_id, Incident.error).where(
        Incident.kind == IncidentKind.MESSAGE, Incident.status == IncidentStatus.OPEN,
        Incident.message_id.in_(message_ids))).all())


def _message_view(message: PathwayMessage, instance_id: str, pathway: str | None, unit: str | None,
                  failure: str | None) -> dict[str, Any]:
    sent = message.sender_instance_id == instance_id
    other_id = message.receiver_instance_id if sent else message.sender_instance_id
    if message.delivered_at is not None:
        status = "delivered"
    else:
        status = "failed" if failure else "kept"
    return {"id": message.id, "name": message.name, "direction": "sent" if sent else "received",
            "sent_on": message.sent_on, "delivered_at": message.delivered_at, "status": status, "error": failure,
            "other": {"instance_id": other_id, "pathway": pathway, "unit": unit} if other_id else None}


def linked_pathways(session: Session, instance_id: str) -> list[dict[str, Any]]:
    """The pathways linked to this one: which started it (`from`) and which it started (`to`)."""
    links = []
    for direction, statement in _LINKS:
        for link, pathway in session.execute(statement, {"instance_id": instance_id}).all():
            links.append({"kind": link.kind, "direction": direction, "instance_id": pathway.id,
                          "pathway": pathway.pathway_key, "unit": pathway.unit, "status": pathway.status,
                          "started_on": pathway.started_on, "referral_received_on": pathway.referral_received_on,
                          "linked_at": link.created_at})
    return links
