"""The registration extract for the national registry (NPR): per patient and pathway each event of a period with
its date and code, the codes from the pathway files (`registrationCode`, unconfirmed ones flagged), administrators
only, every read audited. Engine, lint and API, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from engine.catalogue.parser import parse_pathway
from engine.catalogue.registration import RegistrationCode, RegistrationSyntaxError
from engine.db.models import AuditEvent, MeasuringPointEvent
from engine.errors import ErrorCode, InvalidInput
from engine.reading.registry import CSV_COLUMNS, RegistrationRow, registration_extract, to_csv
from tests.bpmn_samples import sample_pathway
from tests.support import complete, start_tsb

ADMIN = {"Authorization": "Bearer dev-admin"}
REFUSED = {"coordinator": "dev-koordinator-nord", "manager": "dev-leder", "modeller": "dev-modellerer"}
PERIOD = {"from": "2025-11-01", "to": "2025-12-31"}


def walk_tsb(runtime, patient: str = "NPR-0001", unit: str = "DPS Nord") -> str:
    """A TSB pathway (D01) through every coded event: start 3 Nov, first attendance 10 Nov, patient-deferred
    12 Nov, clinical decision CU 20 Nov then CT 1 Dec, treatment plan 3 Dec, closed 10 Dec ("other")."""
    instance_id = start_tsb(runtime, patient=patient, received=date(2025, 11, 3), unit=unit)
    complete(runtime, instance_id, "assess_referral", date(2025, 11, 5), outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", date(2025, 11, 10))
    runtime.register_patient_deferred(instance_id, deferred_from=date(2025, 11, 12), working_days=10,
                                      reason="asked_to_postpone")
    complete(runtime, instance_id, "somatic_health_check", date(2025, 11, 12), somatic_follow_up_needed=False)
    complete(runtime, instance_id, "clinical_decision_basic", date(2025, 11, 20), outcome="CU")
    complete(runtime, instance_id, "clinical_decision_extended", date(2025, 12, 1), outcome="CT")
    complete(runtime, instance_id, "plan_treatment", date(2025, 12, 3), detoxification=False)
    runtime.close_pathway(instance_id, closed_on=date(2025, 12, 10), outcome="other")
    return instance_id


def events(rows: list[RegistrationRow]) -> list[tuple]:
    return [(r.event, r.occurred_on.isoformat(), r.code, r.code_with_type, r.outcome, r.code_unconfirmed)
            for r in rows]


TSB_EVENTS = [
    ("pathway_start", "2025-11-03", None, None, None, True),
    ("first_attendance", "2025-11-10", None, None, None, True),
    ("patient_deferred", "2025-11-12", "L", None, None, False),
    ("clinical_decision", "2025-11-20", "CU", "D01CU", "CU", False),
    ("clinical_decision", "2025-12-01", "CT", "D01CT", "CT", False),
    ("treatment_plan", "2025-12-03", None, None, None, True),
    ("closure", "2025-12-10", None, None, "other", True),
]


# ---- the pathway files' codes ------------------------------------------------------------------------------

def test_a_code_with_the_outcome_is_c_followed_by_it():
    decision = RegistrationCode.parse("code=C; with_outcome=true; source=https://example.org/c")
    assert decision.code_for("CU") == "CU" and decision.code_for("U") == "CU" and decision.code_for(None) == "C"
    unknown = RegistrationCode.parse("code=; unconfirmed=true; note=ikke bekreftet")
    assert unknown.code_for("x") is None and unknown.unconfirmed


@pytest.mark.parametrize("text, why", [
    ("with_outcome=true; source=s", "missing 'code'"),
    ("code=; source=s", "marked unconfirmed"),
    ("code=c1; source=s", "capital letters"),
    ("code=C", "needs a source"),
    ("code=; unconfirmed=true", "needs a note"),
    ("code=C; source=s; colour=red", "unknown field"),
    ("code=C; unconfirmed=maybe; note=n", "true or false"),
])
def test_a_malformed_code_is_refused(text, why):
    with pytest.raises(RegistrationSyntaxError, match=why):
        RegistrationCode.parse(text)


ASSESSED = '<camunda:property name="measuringPoint" value="referral_assessed" />'


def _lint(task_properties: str, process_properties: str = "") -> list[str]:
    source = sample_pathway(properties=process_properties).replace(ASSESSED.encode(), task_properties.encode())
    return [p.message for p in parse_pathway(source, "t.bpmn")[1] if p.severity == "error"]


def test_lint_wants_a_well_formed_code_beside_a_measuring_point():
    code = '<camunda:property name="registrationCode" value="{}" />'
    assert _lint(ASSESSED + code.format("code=C; source=s")) == []
    assert _lint(code.format("code=C; source=s"))[0] == "registrationCode belongs on an element with a measuringPoint"
    assert _lint(ASSESSED + code.format("code=x; source=s"))[0].startswith("registrationCode: code must be")
    assert _lint(ASSESSED, '<camunda:property name="registrationCode:start" value="code=" />') == [
        "registrationCode: an empty code must be marked unconfirmed=true (with a note)"]


def test_an_unconfirmed_code_is_a_flag_of_the_catalogue():
    source = sample_pathway(properties='<camunda:property name="registrationCode:start" '
                                       'value="code=; unconfirmed=true; note=ikke bekreftet" />')
    definition = parse_pathway(source, "t.bpmn")[0]
    assert [(f.topic, f.note) for f in definition.flags] == [("registrationCode:start", "ikke bekreftet")]
    assert definition.reports_to_registry and not definition.type_unconfirmed


def test_the_shipped_specialist_pathways_flag_every_unconfirmed_code(runtime):
    from engine.reading.pathways import list_pathways
    definitions = {p["key"]: runtime.definition_of(p["version_id"]) for p in list_pathways(runtime.db,
                                                                                           runtime.definitions)}
    specialist = {k: d for k, d in definitions.items() if d.reports_to_registry}
    assert set(specialist) == {"tsb_d01", "mental_health_adults_d11", "mental_health_children_d12", "psychosis",
                               "ocd", "eating_disorders_children", "pregnant_women_substances"}
    for definition in specialist.values():
        codes = definition.registration_codes
        assert set(codes) == {"first_attendance", "clinical_decision", "treatment_plan", "evaluation", "closure"}
        assert codes["clinical_decision"].code == "C" and not codes["clinical_decision"].unconfirmed
        assert all(c.unconfirmed and not c.code for k, c in codes.items() if k != "clinical_decision")
        assert definition.start_registration.unconfirmed
    assert {k for k, d in specialist.items() if d.type_unconfirmed} == {
        "psychosis", "ocd", "eating_disorders_children", "pregnant_women_substances"}


# ---- the extract -------------------------------------------------------------------------------------------

def test_the_extract_codes_every_event_of_the_period(runtime):
    instance_id = walk_tsb(runtime)
    rows = registration_extract(runtime.db, runtime.definitions, date(2025, 11, 1), date(2025, 12, 31))
    assert events(rows) == TSB_EVENTS
    assert {(r.patient_key, r.instance_id, r.unit, r.pathway_type, r.pathway_type_unconfirmed) for r in rows} == {
        ("NPR-0001", instance_id, "DPS Nord", "D01", False)}
    deferred = next(r for r in rows if r.event == "patient_deferred")
    assert deferred.deferred_until is not None and deferred.deferred_until > deferred.occurred_on
    # only the days asked for; the municipal pathways and events without a code are not in it
    november = registration_extract(runtime.db, runtime.definitions, date(2025, 11, 10), date(2025, 11, 20))
    assert [e[0] for e in events(november)] == ["first_attendance", "patient_deferred", "clinical_decision"]


def test_an_unconfirmed_type_is_flagged_and_gets_no_prefix(runtime):
    instance_id = runtime.start_pathway(patient_key="NPR-0002", pathway_key="psychosis", unit="DPS Nord",
                                        setting="outpatient", referral_received_on=date(2025, 12, 1))
    complete(runtime, instance_id, "assess_referral", date(2025, 12, 2), outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", date(2025, 12, 4))
    rows = registration_extract(runtime.db, runtime.definitions, date(2025, 12, 1), date(2025, 12, 31))
    assert [(r.event, r.pathway_type, r.pathway_type_unconfirmed) for r in rows] == [
        ("pathway_start", None, True), ("first_attendance", None, True)]


def test_a_clinical_decision_at_referral_is_reported_as_c_and_its_outcome(runtime):
    """Right to treatment at referral: the decision with no first attendance before it, coded like any other."""
    instance_id = start_tsb(runtime, patient="NPR-0004", received=date(2025, 12, 1))
    complete(runtime, instance_id, "assess_referral", date(2025, 12, 2), outcome="right_to_treatment")
    complete(runtime, instance_id, "clinical_decision_at_referral", date(2025, 12, 2), outcome="CT")
    rows = registration_extract(runtime.db, runtime.definitions, date(2025, 12, 1), date(2025, 12, 31))
    assert [(r.event, r.code, r.code_with_type) for r in rows] == [
        ("pathway_start", None, None), ("clinical_decision", "CT", "D01CT")]


def test_an_undone_registration_leaves_the_extract(runtime):
    instance_id = start_tsb(runtime, patient="NPR-0003", received=date(2025, 12, 1))
    complete(runtime, instance_id, "assess_referral", date(2025, 12, 2), outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", date(2025, 12, 4))
    with runtime.db.reading() as session:
        event_id = session.scalar(select(MeasuringPointEvent.id).where(
            MeasuringPointEvent.instance_id == instance_id, MeasuringPointEvent.code == "first_attendance"))
    runtime.undo_event(instance_id, event_id, reason="feil pasient", actor="admin")
    rows = registration_extract(runtime.db, runtime.definitions, date(2025, 12, 1), date(2025, 12, 31))
    assert [r.event for r in rows] == ["pathway_start"]


@pytest.mark.parametrize("start, end, code", [
    (date(2025, 12, 2), date(2025, 12, 1), ErrorCode.RANGE_REVERSED),
    (date(2025, 1, 1), date(2026, 1, 2), ErrorCode.RANGE_TOO_LONG),
    (date(1999, 12, 31), date(2000, 1, 5), ErrorCode.DATE_INVALID),
])
def test_a_bad_period_is_refused_with_its_code(runtime, start, end, code):
    with pytest.raises(InvalidInput) as refused:
        registration_extract(runtime.db, runtime.definitions, start, end)
    assert refused.value.code == code


def test_a_leap_year_is_one_period():
    from engine.reading.registry import check_extract_period
    check_extract_period(date(2024, 1, 1), date(2024, 12, 31))


def test_the_csv_has_a_column_per_field_and_ja_nei(runtime):
    walk_tsb(runtime)
    rows = registration_extract(runtime.db, runtime.definitions, date(2025, 11, 1), date(2025, 12, 31))
    table = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert len(CSV_COLUMNS) == len(RegistrationRow.__dataclass_fields__) and list(table[0]) == list(CSV_COLUMNS)
    decision = table[3]
    assert (decision["hendelse"], decision["dato"], decision["kode"], decision["kode_med_type"],
            decision["forlopstype"], decision["kode_ubekreftet"]) == (
        "clinical_decision", "2025-11-20", "CU", "D01CU", "D01", "nei")
    assert table[0]["kode"] == "" and table[0]["kode_ubekreftet"] == "ja"


# ---- the API -----------------------------------------------------------------------------------------------

def _audit(client) -> list[tuple]:
    with client.app.state.db.reading() as session:
        return [(a.actor, a.patient_key, a.detail) for a in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "read_registry_extract").order_by(AuditEvent.id))]


def test_an_administrator_reads_the_extract_as_json_and_csv_audited(client):
    instance_id = walk_tsb(client.app.state.runtime)
    answer = client.get("/reports/registrations", params=PERIOD, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["from"] == "2025-11-01" and body["to"] == "2025-12-31"
    assert [(r["event"], r["occurred_on"], r["code"], r["code_with_type"], r["outcome"], r["code_unconfirmed"])
            for r in body["rows"]] == [tuple(e) for e in TSB_EVENTS]
    assert body["rows"][0]["pathway"] == "tsb_d01" and body["rows"][0]["instance_id"] == instance_id
    download = client.get("/reports/registrations.csv", params=PERIOD, headers=ADMIN)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert 'filename="registreringer-2025-11-01-2025-12-31.csv"' in download.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(download.text)))
    assert [(t["hendelse"], t["kode"]) for t in table][2:5] == [
        ("patient_deferred", "L"), ("clinical_decision", "CU"), ("clinical_decision", "CT")]
    assert _audit(client) == [("admin", "NPR-0001", "from=2025-11-01 to=2025-12-31")] * 2


def test_an_empty_extract_is_audited_too(client):
    assert client.get("/reports/registrations", params=PERIOD, headers=ADMIN).json()["rows"] == []
    assert _audit(client) == [("admin", None, "from=2025-11-01 to=2025-12-31")]


@pytest.mark.parametrize("role", sorted(REFUSED))
def test_every_other_role_is_refused(client, role):
    walk_tsb(client.app.state.runtime)
    for path in ("/reports/registrations", "/reports/registrations.csv"):
        answer = client.get(path, params=PERIOD, headers={"Authorization": f"Bearer {REFUSED[role]}"})
        assert answer.status_code == 403 and answer.json()["code"] == "role_forbidden", (role, path)
    assert _audit(client) == []


@pytest.mark.parametrize("params, code", [
    ({"from": "2025-12-02", "to": "2025-12-01"}, "range_reversed"),
    ({"from": "2025-01-01", "to": "2026-01-02"}, "range_too_long"),
    ({"from": "1999-12-31", "to": "2000-01-05"}, "date_invalid"),
    ({"from": "2025-13-01", "to": "2025-12-31"}, "request_invalid"),
    ({"from": "2025-11-01"}, "request_invalid"),
    ({}, "request_invalid"),
])
def test_a_bad_period_is_422_with_its_code_and_reads_nothing(client, params, code):
    for path in ("/reports/registrations", "/reports/registrations.csv"):
        answer = client.get(path, params=params, headers=ADMIN)
        assert answer.status_code == 422 and answer.json()["code"] == code, (path, answer.text)
    assert _audit(client) == []


# ---- the reports page --------------------------------------------------------------------------------------

def test_the_reports_page_offers_administrators_last_months_extract(client):
    from tests.test_web import login
    login(client, "dev-admin")
    page = client.get("/rapporter")  # today is 2026-01-05: last month is December 2025
    assert page.status_code == 200
    assert ('href="/reports/registrations.csv?from=2025-12-01&amp;to=2025-12-31" id="npr-csv-lenke"' in page.text
            and "Last ned CSV for desember 2025" in page.text)
    assert 'action="/reports/registrations.csv"' in page.text
    download = client.get("/reports/registrations.csv", params={"from": "2025-12-01", "to": "2025-12-31"})
    assert download.status_code == 200 and download.text.startswith(",".join(CSV_COLUMNS))
    for token in ("dev-leder", "dev-koordinator-nord"):
        login(client, token)
        page = client.get("/rapporter")
        assert page.status_code == 200 and "npr-csv-lenke" not in page.text and "/reports/registrations" not in page.text
