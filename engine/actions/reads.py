"""Audited reads of patient data: every task list, task and pathway a user is shown leaves an audit row, written
before the data is handed out, so a read that cannot be audited fails instead."""

from __future__ import annotations

import dataclasses
from typing import Any

from engine.access.audit import AuditFilter, audit_row, audit_trail, record_list_read, record_reads
from engine.access.patient_keys import validate_patient_key
from engine.access.policy import (
    check_task,
    require_patient_access,
    require_role,
    visible_incident,
    visible_instance,
    visible_task,
)
from engine.access.principals import ADMIN, COORDINATOR, MANAGER, MODELLER, Principal, display_names
from engine.catalogue.definition import RULE_SETS
from engine.deadlines.indicators import SETTINGS
from engine.reading import diagram, versions
from engine.reading.incidents import IncidentFilter, incident_view, list_incidents
from engine.reading.instances import find_patients, instance_detail, patient_pathways
from engine.reading.pathways import list_pathways
from engine.reading.tasks import TaskFilter, get_task, list_tasks
from engine.runtime import PathwayRuntime


def read_instance(runtime: PathwayRuntime, user: Principal, instance_id: str) -> dict[str, Any]:
    """An instance's detail for a user who may see it, audited."""
    instance = visible_instance(runtime.db, user, instance_id)
    record_reads(runtime.db, [audit_row(runtime.clock.now(), user.id, "read_instance",
                                       patient_key=instance.patient_key, instance_id=instance_id)])
    return instance_detail(runtime.db, instance_id, runtime.today())


def read_patient_pathways(runtime: PathwayRuntime, user: Principal, patient_key: str) -> list[dict[str, Any]]:
    """The patient's pathways in the user's units, audited once per pathway shown. A key that is not a valid
    national identity number is refused as at start (`patient_key_invalid`)."""
    require_patient_access(user)
    key = validate_patient_key(patient_key)
    pathways = patient_pathways(runtime.db, key, user.visible_units(), runtime.today())
    now = runtime.clock.now()
    record_reads(runtime.db, [audit_row(now, user.id, "read_patient", patient_key=key, instance_id=p["id"])
                              for p in pathways] or [audit_row(now, user.id, "read_patient", patient_key=key)])
    return pathways


def search_patients(runtime: PathwayRuntime, user: Principal, text: str) -> dict[str, Any]:
    """Patients of the user's units whose key contains `text` (bounded: see `find_patients`), audited as a read of
    patient data: one row per patient shown, with what was searched for, or one row for a search that found none."""
    require_patient_access(user)
    found = find_patients(runtime.db, text, user.visible_units())
    now = runtime.clock.now()
    detail = f"search={text.strip()[:64]}"
    record_reads(runtime.db, [audit_row(now, user.id, "search_patients", patient_key=p["patient_key"], detail=detail)
                              for p in found["items"]] or [audit_row(now, user.id, "search_patients", detail=detail)])
    return found


def start_choices(runtime: PathwayRuntime, user: Principal) -> dict[str, Any]:
    """What a pathway can be started with: the deployed pathways with their variants and default rule set, the
    user's units (administrators type one), the settings and the rule sets."""
    require_patient_access(user)
    pathways = []
    for summary in list_pathways(runtime.db, runtime.definitions):
        definition = runtime.definition_of(summary["version_id"])
        pathways.append({"key": summary["key"], "name": summary["name"], "severities": list(definition.severities),
                         "rule_set": definition.default_rule_set, "in_use_from": definition.in_use_from})
    return {"pathways": pathways, "units": list(user.units) if user.visible_units() is not None else None,
            "settings": list(SETTINGS), "rule_sets": list(RULE_SETS)}


def read_task(runtime: PathwayRuntime, user: Principal, task_id: str) -> dict[str, Any]:
    """A task with its form for a user who may see it, audited."""
    task = visible_task(runtime.db, user, task_id)
    record_reads(runtime.db, [audit_row(runtime.clock.now(), user.id, "read_task", patient_key=task.patient_key,
                                       instance_id=task.instance_id, task_id=task_id)])
    return with_assignee_names(runtime, [get_task(runtime.db, runtime.definitions, task_id, runtime.today())])[0]


def with_assignee_names(runtime: PathwayRuntime, tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tasks with the name of whoever claimed each (`assignee_name`), so a claim is shown by name."""
    names = display_names(runtime.db, {t["assignee"] for t in tasks if t["assignee"]})
    for task in tasks:
        task["assignee_name"] = names.get(task["assignee"], task["assignee"]) if task["assignee"] else None
    return tasks


def registration_form(runtime: PathwayRuntime, user: Principal, task_id: str) -> dict[str, Any]:
    """The task a registration is posted for, with its form, to read the posted fields by. Not audited: the
    registration that follows is, and so is the task page shown again when the registration is refused."""
    check_task(runtime.db, user, task_id)
    return get_task(runtime.db, runtime.definitions, task_id, runtime.today())


def read_tasks(runtime: PathwayRuntime, user: Principal, flt: TaskFilter, *, limit: int,
               offset: int, after: str | None = None) -> dict[str, Any]:
    """A page of the task list, limited to the user's units, most urgent first, with the quick filters' counts
    (`mine`: the user's own); one audit row for the read, naming every patient shown (`record_list_read`)."""
    require_patient_access(user)
    flt = dataclasses.replace(flt, units=user.visible_units())
    page = list_tasks(runtime.db, runtime.today(), flt, limit=limit, offset=offset, me=user.id, after=after)
    with_assignee_names(runtime, page["items"])
    record_list_read(runtime.db, runtime.clock.now(), user.id, "list_tasks",
                     ((t["patient_key"], t["instance_id"]) for t in page["items"]))
    return page


def read_incidents(runtime: PathwayRuntime, user: Principal, flt: IncidentFilter, *, limit: int,
                   offset: int) -> dict[str, Any]:
    """Incidents of the user's units (administrators: all); one audit row for the read, naming every patient
    shown (`record_list_read`)."""
    require_patient_access(user)
    page = list_incidents(runtime.db, dataclasses.replace(flt, units=user.visible_units()), limit=limit,
                          offset=offset)
    record_list_read(runtime.db, runtime.clock.now(), user.id, "list_incidents",
                     ((i["patient_key"], i["instance_id"]) for i in page["items"] if i["patient_key"]))
    return page


def read_incident(runtime: PathwayRuntime, user: Principal, incident_id: int) -> dict[str, Any]:
    row = visible_incident(runtime.db, user, incident_id)
    if row.patient_key:
        record_reads(runtime.db, [audit_row(runtime.clock.now(), user.id, "read_incident",
                                           patient_key=row.patient_key, instance_id=row.instance_id)])
    return incident_view(row)


def read_audit_trail(runtime: PathwayRuntime, user: Principal, flt: AuditFilter, *, limit: int,
                     offset: int) -> dict[str, Any]:
    """Audit rows, newest first, for administrators only. Reading the trail is itself audited, with the patient
    and the rest of the filter asked for: who looked at whose trail is part of the trail. A filter that is refused
    (a malformed or reversed date range) reads nothing and leaves no row."""
    require_role(user, ADMIN)
    flt.check()
    record_reads(runtime.db, [audit_row(runtime.clock.now(), user.id, "read_audit",
                                       patient_key=flt.patient_key or None, detail=flt.described())])
    return audit_trail(runtime.db, flt, limit=limit, offset=offset)


#: Who may see a pathway version's diagram and its counts; only those who see patients get the waiting patients.
DIAGRAM_ROLES = (MODELLER, MANAGER, COORDINATOR, ADMIN)


def _count_units(user: Principal) -> tuple[str, ...] | None:
    """The units a user's diagram counts cover: a coordinator's own, everyone else's all (counts are no patient
    data)."""
    return user.units if user.role == COORDINATOR else None


def read_version_bpmn(runtime: PathwayRuntime, user: Principal, key: str, version_id: int) -> bytes:
    """A deployed version's BPMN file, as it was deployed."""
    require_role(user, *DIAGRAM_ROLES)
    versions.find_version(runtime.db, key, version_id)
    return versions.version_source(runtime.db, version_id)


def read_diagram_overlay(runtime: PathwayRuntime, user: Principal, key: str, version_id: int) -> dict[str, Any]:
    """A version with its overlay: per element the patients waiting, overdue and the open incidents (a coordinator:
    own units only), and the deadline indicators between their elements. Counts only: not audited."""
    require_role(user, *DIAGRAM_ROLES)
    version = versions.find_version(runtime.db, key, version_id)
    definition = runtime.definition_of(version_id)
    counts = diagram.element_counts(runtime.db, definition, version_id, _count_units(user), runtime.today())
    return {"version": version, "today": runtime.today(), **diagram.diagram_overlay(definition, counts)}


def read_element_patients(runtime: PathwayRuntime, user: Principal, key: str, version_id: int,
                          element_id: str) -> list[dict[str, Any]]:
    """The patients waiting at one element of a version, for coordinators (own units) and administrators; one audit
    row for the read, naming every patient shown (`record_list_read`)."""
    require_patient_access(user)
    versions.find_version(runtime.db, key, version_id)
    definition = runtime.definition_of(version_id)
    diagram.require_element(definition, element_id)
    patients = diagram.waiting_patients(runtime.db, definition, version_id, element_id, user.visible_units(),
                                        runtime.today())
    record_list_read(runtime.db, runtime.clock.now(), user.id, "read_element_patients",
                     ((p["patient_key"], p["instance_id"]) for p in patients), detail=f"element={element_id}")
    return patients


def read_diagram_page(runtime: PathwayRuntime, user: Principal, key: str, version_id: int,
                      element_id: str | None) -> dict[str, Any]:
    """The diagram page: the overlay, and for a chosen element its counts and — for those who see patients — its
    waiting patients (audited)."""
    overlay = read_diagram_overlay(runtime, user, key, version_id)
    chosen = None
    if element_id is not None:
        definition = runtime.definition_of(version_id)
        diagram.require_element(definition, element_id)
        counts = next((e for e in overlay["elements"] if e["element_id"] == element_id),
                      {"element_id": element_id, "label": definition.element_label(element_id) or element_id,
                       "waiting": 0, "overdue": 0, "incidents": 0})
        patients = read_element_patients(runtime, user, key, version_id, element_id) if user.sees_patients else None
        chosen = {**counts, "patients": patients}
    return {**overlay, "chosen": chosen}
