"""The diagram of a pathway version with its live overlay (engine/reading/diagram.py, engine/actions/reads.py,
api/routes/diagram.py, api/pages/diagram.py), on SQLite and PostgreSQL: the counts per element are those of the
projected tables (recounted here row by row), a coordinator's cover their own units only, managers and modellers
get counts and never a patient key, the waiting patients' read is audited, and unknown pathways, versions and
elements are 404."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.catalogue.deployment import deploy
from engine.db.models import (
    AuditEvent,
    AuditShown,
    CoordinatorTask,
    DueTimer,
    Incident,
    PathwayInstance,
    PathwayVersion,
)
from engine.deadlines.rules import is_overdue
from engine.reading.diagram import timer_elements
from engine.statuses import IncidentStatus, TaskStatus
from tests.bpmn_samples import timer_then_script
from tests.support import TSB, complete
from tests.test_web import anonymous, login

BROKEN = timer_then_script("follow_up_weeks = missing_variable + 1")
FIXED = timer_then_script("follow_up_weeks = 2")
TOKENS = {"admin": "dev-admin", "nord": "dev-koordinator-nord", "sor": "dev-koordinator-sor",
          "manager": "dev-leder", "modeller": "dev-modellerer"}


def _as(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[who]}"}


def _version(db, key: str, current: bool = True) -> int:
    with db.reading() as session:
        ids = session.scalars(select(PathwayVersion.id).where(PathwayVersion.pathway_key == key)
                              .order_by(PathwayVersion.id)).all()
    return ids[-1] if current else ids[0]


def _start(runtime, patient: str, unit: str, days_ago: int, key: str = TSB) -> str:
    return runtime.start_pathway(patient_key=patient, pathway_key=key, unit=unit, setting="outpatient",
                                 referral_received_on=runtime.today() - timedelta(days=days_ago))


@pytest.fixture
def ward(client, clock):
    """A reminder pathway stopped by a broken script for one DPS Nord patient (an incident, its timer kept), and
    four TSB patients: in DPS Nord one in time and one overdue at the referral assessment, one at the first
    attendance; in DPS Sør one at the assessment."""
    db, runtime = client.app.state.db, client.app.state.runtime
    day = runtime.today()
    deploy(db, clock, BROKEN, "reminder.bpmn")
    broken = _start(runtime, "P-0900", "DPS Nord", 0, key="reminder")
    complete(runtime, broken, "assess", day)
    deploy(db, clock, FIXED, "reminder.bpmn")
    clock.set(day + timedelta(days=2))
    runtime.tick()
    patients = {"N1": _start(runtime, "P-0001", "DPS Nord", 3), "N2": _start(runtime, "P-0002", "DPS Nord", 30),
                "N3": _start(runtime, "P-0003", "DPS Nord", 5), "S1": _start(runtime, "P-0004", "DPS Sør", 1)}
    complete(runtime, patients["N3"], "assess_referral", runtime.today(), outcome="right_to_care")
    return client, patients


def _overlay(client, key: str, version_id: int, who: str = "admin") -> dict[str, dict]:
    response = client.get(f"/pathways/{key}/versions/{version_id}/overlay", headers=_as(who))
    assert response.status_code == 200, response.text
    return {e["element_id"]: e for e in response.json()["elements"]}


def _recount(runtime, version_id: int, units: set[str] | None = None) -> dict[str, tuple[int, int, int]]:
    """Element -> (waiting, overdue, incidents), counted here row by row from the projected tables."""
    definition = runtime.definition_of(version_id)
    timer_element = timer_elements(definition)
    waiting, overdue, incidents = defaultdict(set), defaultdict(set), defaultdict(int)
    with runtime.db.reading() as session:
        instances = {i.id: i for i in session.scalars(select(PathwayInstance)
                                                      .where(PathwayInstance.pathway_version_id == version_id))}
        for task in session.scalars(select(CoordinatorTask).where(CoordinatorTask.status == TaskStatus.OPEN)):
            if task.instance_id in instances and (units is None or task.unit in units):
                waiting[task.element_id].add(task.instance_id)
                if is_overdue(task.due_on, runtime.today()):
                    overdue[task.element_id].add(task.instance_id)
        for timer in session.scalars(select(DueTimer)):
            if timer.instance_id in instances and (units is None or instances[timer.instance_id].unit in units):
                waiting[timer_element.get(timer.element_id, timer.element_id)].add(timer.instance_id)
        for incident in session.scalars(select(Incident).where(Incident.status == IncidentStatus.OPEN)):
            if incident.pathway_version_id == version_id and (units is None or incident.unit in units):
                incidents[incident.element_id] += 1
    elements = set(waiting) | set(incidents)
    return {e: (len(waiting[e]), len(overdue[e]), incidents[e]) for e in elements}


def _shown(overlay: dict[str, dict]) -> dict[str, tuple[int, int, int]]:
    return {e: (c["waiting"], c["overdue"], c["incidents"]) for e, c in overlay.items()
            if c["waiting"] or c["overdue"] or c["incidents"]}


def test_the_counts_per_element_are_those_of_the_tables(ward):
    client, _ = ward
    runtime = client.app.state.runtime
    tsb = _version(client.app.state.db, TSB)
    overlay = _overlay(client, TSB, tsb)
    assert _shown(overlay) == _recount(runtime, tsb)
    assert (overlay["assess_referral"]["waiting"], overlay["assess_referral"]["overdue"]) == (3, 1)
    assert overlay["first_attendance"]["waiting"] == 1
    # the assessment's deadline timer waits for the two in time; the overdue one's fired and opened the follow-up
    assert overlay["timer_referral_deadline"]["waiting"] == 2
    assert overlay["follow_up_late_assessment"]["waiting"] == 1
    assert overlay["close_pathway"]["waiting"] == 0  # every task of the version has a row, also without patients
    assert _overlay(client, TSB, tsb, "manager") == overlay == _overlay(client, TSB, tsb, "modeller")


def test_a_coordinator_counts_the_patients_of_own_units_only(ward):
    client, _ = ward
    runtime = client.app.state.runtime
    tsb = _version(client.app.state.db, TSB)
    nord, sor = _overlay(client, TSB, tsb, "nord"), _overlay(client, TSB, tsb, "sor")
    assert _shown(nord) == _recount(runtime, tsb, {"DPS Nord"})
    assert _shown(sor) == _recount(runtime, tsb, {"DPS Sør"})
    assert (nord["assess_referral"]["waiting"], nord["assess_referral"]["overdue"]) == (2, 1)
    assert (sor["assess_referral"]["waiting"], sor["assess_referral"]["overdue"]) == (1, 0)
    assert sor["first_attendance"]["waiting"] == 0


def test_open_incidents_are_counted_on_their_element_and_version(ward):
    client, _ = ward
    runtime, db = client.app.state.runtime, client.app.state.db
    broken, fixed = _version(db, "reminder", current=False), _version(db, "reminder")
    on_broken = _overlay(client, "reminder", broken)
    assert _shown(on_broken) == _recount(runtime, broken)
    assert on_broken["compute"]["incidents"] == 1
    assert on_broken["wait"]["waiting"] == 1  # the timer is kept for the retry
    assert _overlay(client, "reminder", broken, "nord")["compute"]["incidents"] == 1
    assert _overlay(client, "reminder", broken, "sor").get("compute", {"incidents": 0})["incidents"] == 0
    assert _shown(_overlay(client, "reminder", fixed)) == {}


def test_the_deadline_indicators_name_the_elements_they_run_between(ward):
    client, _ = ward
    body = client.get(f"/pathways/{TSB}/versions/{_version(client.app.state.db, TSB)}/overlay").json()
    first = next(i for i in body["indicators"] if i["key"] == "referral_assessment")
    assert (first["from"], first["to"]) == ("referral_received", "referral_assessed")
    assert [e["element_id"] for e in first["from_elements"]] == ["start_referral_received"]
    assert [e["element_id"] for e in first["to_elements"]] == ["assess_referral"]
    outpatient = next(i for i in body["indicators"] if i["key"] == "assessment_outpatient")
    assert {e["element_id"] for e in outpatient["to_elements"]} == {"clinical_decision_at_referral",
                                                                   "clinical_decision_basic",
                                                                   "clinical_decision_extended"}
    assert body["version"]["number"] == 1 and body["version"]["is_current"] is True


def test_the_waiting_patients_of_an_element_by_role_and_unit_audited(ward):
    client, patients = ward
    db = client.app.state.db
    url = f"/pathways/{TSB}/versions/{_version(db, TSB)}/elements/assess_referral/patients"
    everyone = client.get(url, headers=_as("admin")).json()
    assert sorted(p["patient_key"] for p in everyone) == ["P-0001", "P-0002", "P-0004"]
    assert [p["patient_key"] for p in everyone if p["overdue"]] == ["P-0002"]
    nord = client.get(url, headers=_as("nord")).json()
    assert sorted(p["instance_id"] for p in nord) == sorted([patients["N1"], patients["N2"]])
    for who in ("manager", "modeller"):
        refused = client.get(url, headers=_as(who))
        assert (refused.status_code, refused.json()["code"]) == (403, "no_patient_access")
        assert "P-000" not in refused.text
    with db.reading() as session:  # one row for the read, naming the patients it showed
        [row] = session.scalars(select(AuditEvent).where(AuditEvent.action == "read_element_patients",
                                                         AuditEvent.actor == "koordinator-nord")).all()
        shown = session.scalars(select(AuditShown.patient_key).where(AuditShown.event_id == row.id)).all()
    assert row.patient_key is None and row.detail == "element=assess_referral"
    assert sorted(shown) == ["P-0001", "P-0002"]
    timers = client.get(url.replace("assess_referral", "timer_referral_deadline"), headers=_as("sor")).json()
    assert [(p["patient_key"], p["waits_for"]) for p in timers] == [("P-0004", "timer")]


def test_unknown_pathway_version_or_element_is_404_and_the_bpmn_is_the_deployed_file(ward):
    client, _ = ward
    db = client.app.state.db
    tsb, reminder = _version(db, TSB), _version(db, "reminder")
    for path, code in ((f"/pathways/nope/versions/{tsb}/overlay", "pathway_not_found"),
                       (f"/pathways/{TSB}/versions/999999/overlay", "pathway_version_not_found"),
                       (f"/pathways/{TSB}/versions/{reminder}/bpmn", "pathway_version_not_found"),
                       (f"/pathways/{TSB}/versions/{tsb}/elements/nope/patients", "element_not_found")):
        response = client.get(path)
        assert (response.status_code, response.json()["code"]) == (404, code), path
    assert client.get(f"/pathways/{TSB}/versions/0/overlay").status_code == 422
    with db.reading() as session:
        source = session.scalar(select(PathwayVersion.source).where(PathwayVersion.id == tsb))
    for who in ("manager", "modeller", "nord"):
        bpmn = client.get(f"/pathways/{TSB}/versions/{tsb}/bpmn", headers=_as(who))
        assert bpmn.status_code == 200 and bpmn.headers["content-type"].startswith("application/xml")
        assert bpmn.content == source
    anonymous(client)
    assert client.get(f"/pathways/{TSB}/versions/{tsb}/bpmn").status_code == 401


# ---- the page ----------------------------------------------------------------------------------------------


def test_the_page_shows_the_counts_in_a_table_and_managers_never_a_patient_key(ward):
    client, _ = ward
    tsb = _version(client.app.state.db, TSB)
    login(client, "dev-leder")
    catalogue = client.get("/forlopstyper").text
    assert f'href="/forlopstyper/{TSB}/versjoner/{tsb}/diagram"' in catalogue
    page = client.get(f"/forlopstyper/{TSB}/versjoner/{tsb}/diagram", params={"element": "assess_referral"})
    assert page.status_code == 200
    assert "<caption>Pasienter per steg i versjon 1</caption>" in page.text
    row = page.text.split('data-element="assess_referral"')[1].split("</tr>")[0]
    assert '<td class="tall" data-count="waiting">3</td>' in row and '<td class="tall" data-count="overdue">1</td>' in row
    assert "3 venter · 1 over fristen" in page.text and "Du ser antall" in page.text
    assert "P-000" not in page.text and "/forlop/" not in page.text.replace("/forlopstyper/", "")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "script-src 'none'" in client.get("/forlopstyper").headers["content-security-policy"]


def test_a_coordinator_chooses_an_element_and_sees_own_patients(ward):
    client, patients = ward
    tsb = _version(client.app.state.db, TSB)
    login(client, "dev-koordinator-nord")
    page = client.get(f"/forlopstyper/{TSB}/versjoner/{tsb}/diagram", params={"element": "assess_referral"}).text
    assert "<caption>Pasienter som venter ved «Vurdere henvisning»</caption>" in page
    assert f'href="/forlop/{patients["N1"]}">P-0001</a>' in page and f'href="/forlop/{patients["N2"]}">P-0002</a>' in page
    assert "P-0004" not in page  # DPS Sør
    assert '?element=assess_referral#valgt' in page  # each row with patients links to its list


def test_the_page_answers_unknown_versions_and_elements_with_404_and_bad_ids_with_400(ward):
    client, _ = ward
    tsb = _version(client.app.state.db, TSB)
    login(client, "dev-modellerer")
    assert client.get(f"/forlopstyper/{TSB}/versjoner/999999/diagram").status_code == 404
    assert client.get(f"/forlopstyper/nope/versjoner/{tsb}/diagram").status_code == 404
    assert client.get(f"/forlopstyper/{TSB}/versjoner/{tsb}/diagram", params={"element": "nope"}).status_code == 404
    assert client.get(f"/forlopstyper/{TSB}/versjoner/abc/diagram").status_code == 400
