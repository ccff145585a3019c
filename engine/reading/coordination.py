"""What passed between one patient's pathways, as both coordinators follow it on the timeline: the messages a
pathway sent and received — delivered, kept (no pathway of the patient waits for it yet) or stopped by an
incident — and the pathways it is linked to (started by its message, or the new start after a transfer)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, case, literal_column, or_, select, union_all
from sqlalchemy.orm import aliased

from engine.db.models import Incident, PathwayInstance, PathwayLink, PathwayMessage
from engine.statuses import IncidentKind, IncidentStatus

#: A pathway's messages shown on its timeline, newest last; older ones are counted, not listed.
MAX_MESSAGES = 200


# The statements are read with every instance's detail (the answer to each completion): built once, because
# building one with an aliased join costs more than running it. Core rows, not ORM objects: the answer only reads
# their columns.
_OTHER = aliased(PathwayInstance)
_OWN = bindparam("instance_id")
_MESSAGE = PathwayMessage
#: The rows of `message_views` (by `instance_id`), read with the instance's other reads.
MESSAGES_OF_INSTANCE = (
    select(_MESSAGE.id, _MESSAGE.name, _MESSAGE.sender_instance_id, _MESSAGE.receiver_instance_id,
           _MESSAGE.sent_on, _MESSAGE.delivered_at, _OTHER.pathway_key, _OTHER.unit)
    .outerjoin(_OTHER, _OTHER.id == case((_MESSAGE.sender_instance_id == _OWN, _MESSAGE.receiver_instance_id),
                                         else_=_MESSAGE.sender_instance_id))
    .where(or_(_MESSAGE.sender_instance_id == _OWN, _MESSAGE.receiver_instance_id == _OWN))
    .order_by(_MESSAGE.id.desc()).limit(MAX_MESSAGES))
_FAILURES = select(Incident.message_id, Incident.error).where(
    Incident.kind == IncidentKind.MESSAGE, Incident.status == IncidentStatus.OPEN,
    Incident.message_id.in_(bindparam("message_ids", expanding=True)))


def _links_one_way(side: int, direction: str, own: Any, far: Any) -> Any:
    return (select(literal_column(str(side)).label("side"), literal_column(f"'{direction}'").label("direction"),
                   PathwayLink.id.label("link_id"), PathwayLink.kind, PathwayLink.created_at, _OTHER.id,
                   _OTHER.pathway_key, _OTHER.unit, _OTHER.status, _OTHER.started_on, _OTHER.referral_received_on)
            .join(_OTHER, _OTHER.id == far).where(own == _OWN))


#: The rows of `link_views` (by `instance_id`), both directions in one statement: the pathways that started this
#: one (`from`), then those it started (`to`), each in the order linked.
LINKS_OF_INSTANCE = union_all(
    _links_one_way(0, "from", PathwayLink.to_instance_id, PathwayLink.from_instance_id),
    _links_one_way(1, "to", PathwayLink.from_instance_id, PathwayLink.to_instance_id),
).order_by("side", "link_id")


def message_views(conn: Connection, instance_id: str, rows: list[Any]) -> list[dict[str, Any]]:
    """Messages the instance sent or received, in the order sent, each with the pathway at the other end, from
    the rows of MESSAGES_OF_INSTANCE (a failed one's error is read here)."""
    failed = _failures(conn, [message.id for message in rows])
    return [_message_view(message, instance_id, message.pathway_key, message.unit, failed.get(message.id))
            for message in reversed(rows)]


def _failures(conn: Connection, message_ids: list[int]) -> dict[int, str]:
    if not message_ids:
        return {}
    return dict(conn.execute(_FAILURES, {"message_ids": message_ids}).all())


def _message_view(message: Any, instance_id: str, pathway: str | None, unit: str | None,
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


def link_views(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """The pathways linked to this one: which started it (`from`) and which it started (`to`), from the rows of
    LINKS_OF_INSTANCE."""
    return [{"kind": row.kind, "direction": row.direction, "instance_id": row.id, "pathway": row.pathway_key,
             "unit": row.unit, "status": row.status, "started_on": row.started_on,
             "referral_received_on": row.referral_received_on, "linked_at": row.created_at}
            for row in rows]
