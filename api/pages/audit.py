"""The audit trail for administrators (`/revisjonslogg`): who read or changed whose data, filtered by patient key,
actor, action and a range of Norwegian days, newest first and paged. The page calls the same engine function as
`GET /audit`, so the administrator's read of the trail is itself audited; other roles get the 403 page."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from engine.access.audit import AuditFilter
from engine.access.policy import require_role
from engine.access.principals import ADMIN
from engine.actions.reads import read_audit_trail
from engine.errors import FieldCode, InvalidInput

from ..deps import PageUser, Runtime
from .labels import AUDIT_ACTION_LABELS, FIELD_TEXTS, error_text
from .rendering import PageRoute, page_links, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE = "/revisjonslogg"
PAGE_SIZE = 50
#: the API's largest offset (1,000,000) divided by the page size
LAST_PAGE = 20_000
Side = Annotated[int, Query(ge=1, le=LAST_PAGE)]
#: form field -> (AuditFilter field, the longest value accepted: the audit table's column widths)
TEXT_FIELDS = {"pasient": ("patient_key", 64), "aktor": ("actor", 100), "handling": ("action", 40)}
DATE_FIELDS = {"fra": "from_date", "til": "to_date"}
#: which form field a refused filter is about (a reversed range: the from-date)
FIELD_OF = {"from_date": "fra", "to_date": "til"}


def parse_filter(values: dict[str, str]) -> tuple[AuditFilter | None, dict[str, str]]:
    """The filter the form asks for, or the bokmål message of each refused field (too long, not a date)."""
    errors: dict[str, str] = {}
    parts: dict[str, Any] = {}
    for name, (part, longest) in TEXT_FIELDS.items():
        if len(values[name]) > longest:
            errors[name] = FIELD_TEXTS[FieldCode.TEXT_TOO_LONG].format(max=longest)
        parts[part] = values[name] or None
    for name, part in DATE_FIELDS.items():
        try:
            parts[part] = date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            errors[name] = FIELD_TEXTS[FieldCode.NOT_A_DATE]
    return (None, errors) if errors else (AuditFilter(**parts), errors)


@router.get(PAGE)
def audit_page(request: Request, runtime: Runtime, user: PageUser, pasient: str = "", aktor: str = "",
               handling: str = "", fra: str = "", til: str = "", side: Side = 1):
    require_role(user, ADMIN)
    values = {"pasient": pasient.strip(), "aktor": aktor.strip(), "handling": handling.strip(), "fra": fra.strip(),
              "til": til.strip()}
    flt, errors = parse_filter(values)
    trail = None
    if flt is not None:
        try:
            trail = read_audit_trail(runtime, user, flt, limit=PAGE_SIZE, offset=(side - 1) * PAGE_SIZE)
        except InvalidInput as exc:
            errors = {FIELD_OF.get(exc.params.get("field"), "fra"): error_text(exc)}
    actions = sorted(AUDIT_ACTION_LABELS.items(), key=lambda item: item[1])
    return render(request, "audit.html", 422 if errors else 200, values=values, errors=errors, trail=trail,
                  actions=actions, action_labels=AUDIT_ACTION_LABELS,
                  **(page_links(PAGE, values, side, trail["total"], PAGE_SIZE, LAST_PAGE) if trail else {}))
