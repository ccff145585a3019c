"""The compliance report for a user: managers and administrators read every unit, a coordinator only their own
units (another unit's figures are not theirs to follow up), modellers none. Aggregates only, never a patient key."""

from __future__ import annotations

from datetime import date

from engine.access.policy import require_role
from engine.access.principals import ADMIN, COORDINATOR, MANAGER, Principal
from engine.reading.compliance import ComplianceRow, compliance
from engine.reading.pathways import list_pathways
from engine.runtime import PathwayRuntime

REPORT_ROLES = (MANAGER, ADMIN, COORDINATOR)


def compliance_report(runtime: PathwayRuntime, user: Principal, *, period: str, start: date | None, end: date | None,
                      pathway: str | None, unit: str | None, indicator: str | None,
                      by_unit: bool) -> list[ComplianceRow]:
    """The compliance rows this user may read, as of the runtime's today."""
    require_role(user, *REPORT_ROLES)
    units = user.units if user.role == COORDINATOR else None
    return compliance(runtime.db, today=runtime.today(), period=period, start=start, end=end, pathway=pathway,
                      unit=unit, indicator=indicator, units=units, by_unit=by_unit)


def compliance_export(runtime: PathwayRuntime, user: Principal, *, period: str, start: date | None,
                      end: date | None, pathway: str | None, unit: str | None, indicator: str | None,
                      by_unit: bool) -> tuple[list[ComplianceRow], dict[str, str]]:
    """The same rows as `compliance_report`, with the pathways' names to put beside their keys in an export."""
    rows = compliance_report(runtime, user, period=period, start=start, end=end, pathway=pathway, unit=unit,
                             indicator=indicator, by_unit=by_unit)
    return rows, {p["key"]: p["name"] for p in list_pathways(runtime.db, runtime.definitions)}
