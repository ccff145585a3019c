"""The reports for a user. Compliance: managers and administrators read every unit, a coordinator only their own
units (another unit's figures are not theirs to follow up), modellers none; aggregates only, never a patient key.
The registry extract: administrators only, audited (it is patient data of every unit). The data-quality report:
counts per unit for the report roles (a coordinator: own units), and for those who see patients the pathways
found, audited."""

from __future__ import annotations

from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from engine.access.audit import audit_row, record_reads
from engine.access.policy import require_patient_access, require_role
from engine.access.principals import ADMIN, COORDINATOR, MANAGER, Principal
from engine.reading import data_quality, registry
from engine.reading.compliance import CompliancePage, ComplianceRow, compliance_page
from engine.reading.pathways import list_pathways
from engine.reading.registry import RegistrationRow
from engine.runtime import PathwayRuntime

REPORT_ROLES = (MANAGER, ADMIN, COORDINATOR)
#: The audit action of reading the registry extract.
REGISTRY_EXTRACT_ACTION = "read_registry_extract"
#: The worklist's data-quality counts of each runtime (`data_quality.TotalCache`).
_TOTALS: WeakKeyDictionary[PathwayRuntime, data_quality.TotalCache] = WeakKeyDictionary()


def compliance_report(runtime: PathwayRuntime, user: Principal, *, period: str, start: date | None, end: date | None,
                      pathway: str | None, unit: str | None, indicator: str | None,
                      by_unit: bool) -> list[ComplianceRow]:
    """The compliance rows this user may read, as of the runtime's today."""
    return compliance_report_page(runtime, user, period=period, start=start, end=end, pathway=pathway, unit=unit,
                                  indicator=indicator, by_unit=by_unit, limit=None, after=None).rows


def compliance_report_page(runtime: PathwayRuntime, user: Principal, *, period: str, start: date | None,
                           end: date | None, pathway: str | None, unit: str | None, indicator: str | None,
                           by_unit: bool, limit: int | None, after: str | None) -> CompliancePage:
    """A page of those rows: at most `limit`, after the cursor `after` (`engine.reading.compliance.compliance_page`)."""
    require_role(user, *REPORT_ROLES)
    units = user.units if user.role == COORDINATOR else None
    return compliance_page(runtime.db, today=runtime.today(), period=period, start=start, end=end, pathway=pathway,
                           unit=unit, indicator=indicator, units=units, by_unit=by_unit, limit=limit, after=after)


def compliance_export(runtime: PathwayRuntime, user: Principal, *, period: str, start: date | None,
                      end: date | None, pathway: str | None, unit: str | None, indicator: str | None,
                      by_unit: bool) -> tuple[list[ComplianceRow], dict[str, str]]:
    """The same rows as `compliance_report`, with the pathways' names to put beside their keys in an export."""
    rows = compliance_report(runtime, user, period=period, start=start, end=end, pathway=pathway, unit=unit,
                             indicator=indicator, by_unit=by_unit)
    return rows, {p["key"]: p["name"] for p in list_pathways(runtime.db, runtime.definitions)}


def registration_extract(runtime: PathwayRuntime, user: Principal, *, start: date,
                         end: date) -> list[RegistrationRow]:
    """The registry extract of a period, for administrators only: it is every patient's events, of every unit.
    Audited before it leaves, one row per pathway in it (with the period), or one row for an empty extract; a
    refused period reads nothing and leaves no row."""
    require_role(user, ADMIN)
    rows = registry.registration_extract(runtime.db, runtime.definitions, start, end)
    now = runtime.clock.now()
    detail = f"from={start.isoformat()} to={end.isoformat()}"
    shown = sorted({(r.patient_key, r.instance_id) for r in rows})
    record_reads(runtime.db, [audit_row(now, user.id, REGISTRY_EXTRACT_ACTION, patient_key=patient,
                                        instance_id=instance, detail=detail) for patient, instance in shown]
                 or [audit_row(now, user.id, REGISTRY_EXTRACT_ACTION, detail=detail)])
    return rows


#: The audit action of reading the data-quality report's pathways.
DATA_QUALITY_ACTION = "read_data_quality"


def data_quality_report(runtime: PathwayRuntime, user: Principal) -> dict[str, Any]:
    """Today's data-quality counts per unit (a coordinator: own units; managers and administrators: all), and —
    for coordinators and administrators — the pathways found, one audit row per pathway shown. Managers get
    counts only (`findings` None), no patient key."""
    require_role(user, *REPORT_ROLES)
    today = runtime.today()
    units = user.units if user.role == COORDINATOR else None
    counts = data_quality.data_quality_counts(runtime.db, runtime.definitions, today, units)
    findings = None
    if user.sees_patients:
        findings = data_quality.data_quality_findings(runtime.db, runtime.definitions, today, units)
        now = runtime.clock.now()
        shown = sorted({(f.patient_key, f.instance_id) for f in findings})
        record_reads(runtime.db, [audit_row(now, user.id, DATA_QUALITY_ACTION, patient_key=patient,
                                            instance_id=instance) for patient, instance in shown])
    return {"today": today, "thresholds": {str(k): v for k, v in data_quality.THRESHOLDS.items()},
            "checks": [str(c) for c in data_quality.CHECKS], "units": counts, "findings": findings}


def data_quality_count(runtime: PathwayRuntime, user: Principal) -> int:
    """The findings of the user's units together (administrators: all), for the worklist's line: a count, no
    patient data, so not audited; one query, its answer reused for a minute (`data_quality.TOTAL_SECONDS`)."""
    require_patient_access(user)
    units, today = user.visible_units(), runtime.today()
    key = (today, None if units is None else tuple(sorted(units)))
    return _TOTALS.setdefault(runtime, data_quality.TotalCache()).get(
        key, lambda: data_quality.data_quality_total(runtime.db, runtime.definitions, today, units))
