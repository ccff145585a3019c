"""Incidents: one broken pathway file does not stop other patients' timers; the failed item is recorded, backs
off, and moves on after a fix and a retry. Commands that fail inside the engine answer engine_error."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.catalogue.deployment import deploy
from engine.db.models import AuditEvent, AuditShown, DueTimer, Incident, MeasuringPointEvent, PathwayInstance
from engine.errors import ErrorCode, InvalidInput
from engine.runtime import PathwayRuntime
from engine.runtime.incidents import BACKOFF, MAX_ATTEMPTS, SYSTEM_ACTOR
from engine.statuses import IncidentStatus
from tests.bpmn_samples import timer_then_script
from tests.support import complete, open_task

BROKEN = timer_then_script("follow_up_weeks = missing_variable + 1")
FIXED = timer_then_script("follow_up_weeks = 2")
DAY = date(2026, 1, 5)


def _start(runtime: PathwayRuntime, patient: str, unit: str = "DPS Test") -> str:
    instance_id = runtime.start_pathway(patient_key=patient, pathway_key="reminder", unit=unit,
                                        setting="outpatient", referral_received_on=DAY)
    complete(runtime, instance_id, "assess", DAY)
    return instance_id


def _incidents(db) -> list[Incident]:
    with db.reading() as session:
        return list(session.scalars(select(Incident).order_by(Incident.id)))


def _open_elements(runtime: PathwayRuntime, instance_id: str) -> list[str]:
    from tests.support import detail
    return [t["element_id"] for t in detail(runtime, instance_id)["open_tasks"]]


@pytest.fixture
def broken_and_fine(db, clock):
    """One patient on the broken version, then 99 on a version whose script works."""
    deploy(db, clock, BROKEN, "reminder.bpmn")
    runtime = PathwayRuntime(db, clock)
    broken = _start(runtime, "P-9999")
    deploy(db, clock, FIXED, "reminder.bpmn")
    fine = [_start(runtime, f"P-{n:04d}") for n in range(99)]
    clock.set(DAY + timedelta(days=2))
    return runtime, broken, fine


def test_one_broken_file_does_not_stop_the_other_patients_timers(broken_and_fine, db, clock):
    runtime, broken, fine = broken_and_fine
    fired, _ = runtime.tick()
    assert fired == 99
    assert all(_open_elements(runtime, i) == ["follow_up"] for i in fine)
    assert _open_elements(runtime, broken) == []  # rolled back: still waiting at the timer, nothing half-written
    [incident] = _incidents(db)
    assert (incident.instance_id, incident.kind, incident.status) == (broken, "timer", IncidentStatus.OPEN)
    assert (incident.element_id, incident.element_label) == ("compute", "Beregne oppfølging")
    assert "missing_variable" in incident.error
    assert incident.attempts == 1 and incident.pathway_key == "reminder" and incident.unit == "DPS Test"
    assert incident.next_attempt_at == clock.now() + BACKOFF[0]
    with db.reading() as session:  # the timer is kept for the retry
        assert session.scalar(select(func.count()).select_from(DueTimer).where(DueTimer.instance_id == broken)) == 1


def test_a_parked_item_waits_for_its_back_off_and_then_stops(broken_and_fine, db, clock):
    runtime, broken, _ = broken_and_fine
    runtime.tick()
    assert runtime.tick() == (0, 0)  # the second tick neither fails nor retries before the back-off
    assert _incidents(db)[0].attempts == 1
    now = clock.now()
    for attempt, wait in enumerate(BACKOFF, start=2):
        now += wait
        clock.set(now)
        runtime.tick()
        assert _incidents(db)[0].attempts == attempt
    assert _incidents(db)[0].attempts == MAX_ATTEMPTS and _incidents(db)[0].next_attempt_at is None
    clock.set(now + timedelta(days=30))
    runtime.tick()
    assert len(_incidents(db)) == 1 and _incidents(db)[0].attempts == MAX_ATTEMPTS  # waits for a person now


def test_retry_on_the_fixed_version_moves_the_instance_on(broken_and_fine, db, clock):
    runtime, broken, _ = broken_and_fine
    runtime.tick()
    [incident] = _incidents(db)
    assert runtime.retry_incident(incident.id, actor="admin") is False  # same broken version: fails again
    assert _incidents(db)[0].attempts == 2 and _incidents(db)[0].status == IncidentStatus.OPEN
    assert runtime.retry_incident(incident.id, actor="admin", on_current_version=True) is True
    assert _open_elements(runtime, broken) == ["follow_up"]
    [resolved] = _incidents(db)
    assert (resolved.status, resolved.resolved_by) == (IncidentStatus.RESOLVED, "admin")
    with db.reading() as session:
        version_ids = set(session.scalars(select(PathwayInstance.pathway_version_id)))
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == broken)
                                       .order_by(AuditEvent.id)))
    assert len(version_ids) == 1  # the broken instance is now on the fixed version with the others
    assert actions[-4:] == ["retry_incident", "retry_incident", "rebind_version", "fire_timer"]
    with db.reading() as session:
        actor = session.scalar(select(AuditEvent.actor).where(AuditEvent.action == "fire_timer",
                                                              AuditEvent.instance_id == broken))
    assert actor == SYSTEM_ACTOR


def test_the_scheduler_resolves_an_incident_when_its_retry_succeeds(db, clock):
    deploy(db, clock, FIXED, "reminder.bpmn")
    runtime = PathwayRuntime(db, clock)
    instance_id = _start(runtime, "P-1")
    clock.set(DAY + timedelta(days=2))
    # the database refuses the first attempt (a passing cause), not the file
    import engine.runtime.sweeps as sweeps
    real = sweeps.run_engine

    def failing(*args, **kwargs):
        raise RuntimeError("database restarting")

    sweeps.run_engine = failing
    try:
        runtime.tick()
    finally:
        sweeps.run_engine = real
    assert _incidents(db)[0].attempts == 1 and "RuntimeError: database restarting" in _incidents(db)[0].error
    clock.set(clock.now() + BACKOFF[0])
    assert runtime.tick()[0] == 1
    assert _open_elements(runtime, instance_id) == ["follow_up"]
    assert _incidents(db)[0].status == IncidentStatus.RESOLVED
    assert _incidents(db)[0].resolved_by == SYSTEM_ACTOR


def test_resolve_by_hand_needs_a_note_and_is_audited(broken_and_fine, db):
    runtime, broken, _ = broken_and_fine
    runtime.tick()
    [incident] = _incidents(db)
    with pytest.raises(InvalidInput) as refused:
        runtime.resolve_incident(incident.id, note="  ", actor="admin")
    assert refused.value.code == ErrorCode.NOTE_REQUIRED
    runtime.resolve_incident(incident.id, note="Forløpet avsluttes i DIPS", actor="admin")
    assert _incidents(db)[0].resolution == "Forløpet avsluttes i DIPS"
    with db.reading() as session:
        assert session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "resolve_incident")).startswith(
            str(incident.id))
    runtime.tick()  # a resolved incident no longer parks the item: it is tried (and fails) as a new incident
    assert [i.status for i in _incidents(db)] == [IncidentStatus.RESOLVED, IncidentStatus.OPEN]


def test_a_completion_that_fails_inside_the_engine_answers_engine_error_and_writes_nothing(db, clock):
    from tests.bpmn_samples import sample_pathway
    deploy(db, clock, sample_pathway(condition="outcome == undefined_name"), "sample.bpmn")
    runtime = PathwayRuntime(db, clock)
    instance_id = runtime.start_pathway(patient_key="P-1", pathway_key="sample", unit="DPS Test",
                                        setting="outpatient", referral_received_on=DAY)
    task = open_task(runtime, instance_id, "assess")
    with pytest.raises(InvalidInput) as failed:
        runtime.complete_task(task["id"], data={"outcome": "yes"}, occurred_on=DAY, actor="koordinator")
    assert failed.value.code == ErrorCode.ENGINE_ERROR
    assert failed.value.params["element"] and "undefined_name" in failed.value.params["detail"]
    assert open_task(runtime, instance_id, "assess")["id"] == task["id"]
    with db.reading() as session:
        codes = list(session.scalars(select(MeasuringPointEvent.code)))
    assert codes == ["referral_received"]  # the refused registration left no measuring point
    runtime.clear_live_cache()
    assert open_task(runtime, instance_id, "assess")["id"] == task["id"]


def test_state_that_cannot_be_saved_is_an_engine_error(db, clock, monkeypatch):
    deploy(db, clock, FIXED, "reminder.bpmn")
    runtime = PathwayRuntime(db, clock)
    instance_id = runtime.start_pathway(patient_key="P-1", pathway_key="reminder", unit="DPS Test",
                                        setting="outpatient", referral_received_on=DAY)
    import engine.runtime.projection as projection

    def unsaveable(workflow):
        raise TypeError("Object of type set is not JSON serializable")

    monkeypatch.setattr(projection, "dump_state", unsaveable)
    with pytest.raises(InvalidInput) as failed:
        complete(runtime, instance_id, "assess", DAY)
    assert failed.value.code == ErrorCode.ENGINE_ERROR and "JSON" in failed.value.params["detail"]
    monkeypatch.undo()
    assert open_task(runtime, instance_id, "assess")


# ---- API and pages ---------------------------------------------------------------------------------------------


@pytest.fixture
def app_with_incident(client, clock):
    """The service with one patient of DPS Nord stopped by a broken file, and one of DPS Sør running fine."""
    from tests.test_web import login  # noqa: F401  (the pages are tested through the login cookie below)
    db, runtime = client.app.state.db, client.app.state.runtime
    deploy(db, clock, BROKEN, "reminder.bpmn")
    broken = _start_in(runtime, "P-0001", "DPS Nord")
    deploy(db, clock, FIXED, "reminder.bpmn")
    fine = _start_in(runtime, "P-0002", "DPS Sør")
    clock.set(DAY + timedelta(days=2))
    assert client.post("/scheduler/run").json()["instances_advanced"] == 1
    return client, broken, fine


def _start_in(runtime, patient: str, unit: str) -> str:
    instance_id = runtime.start_pathway(patient_key=patient, pathway_key="reminder", unit=unit,
                                        setting="outpatient", referral_received_on=DAY)
    complete(runtime, instance_id, "assess", DAY)
    return instance_id


def test_incidents_api_lists_by_unit_and_retries_on_the_current_version(app_with_incident):
    client, broken, fine = app_with_incident
    page = client.get("/incidents").json()
    assert page["total"] == 1
    [incident] = page["items"]
    assert (incident["instance_id"], incident["element_id"], incident["attempts"]) == (broken, "compute", 1)
    nord = {"Authorization": "Bearer dev-koordinator-nord"}
    sor = {"Authorization": "Bearer dev-koordinator-sor"}
    assert client.get("/incidents", headers=nord).json()["total"] == 1
    assert client.get("/incidents", headers=sor).json()["total"] == 0
    with client.app.state.db.reading() as session:  # one row per list read that showed someone, naming them
        reads = session.scalars(select(AuditEvent).where(AuditEvent.action == "list_incidents")
                                .order_by(AuditEvent.id)).all()
        shown = session.execute(select(AuditShown.event_id, AuditShown.patient_key, AuditShown.instance_id)).all()
    assert [(r.actor, r.patient_key) for r in reads] == [("admin", None), ("koordinator-nord", None)]
    assert sorted(shown) == sorted((r.id, "P-0001", broken) for r in reads)
    assert client.get(f"/incidents/{incident['id']}", headers=sor).status_code == 404
    assert client.post(f"/incidents/{incident['id']}/retry", json={}, headers=sor).status_code == 404
    assert client.get("/incidents", headers={"Authorization": "Bearer dev-leder"}).status_code == 403
    shown = client.get(f"/instances/{broken}").json()
    assert [i["element_id"] for i in shown["open_incidents"]] == ["compute"]

    again = client.post(f"/incidents/{incident['id']}/retry", json={}, headers=nord).json()
    assert (again["status"], again["attempts"]) == ("open", 2)
    fixed = client.post(f"/incidents/{incident['id']}/retry", json={"on_current_version": True}, headers=nord)
    assert fixed.status_code == 200 and fixed.json()["status"] == "resolved"
    assert fixed.json()["resolved_by"] == "koordinator-nord"
    assert [t["element_id"] for t in client.get(f"/instances/{broken}").json()["open_tasks"]] == ["follow_up"]
    assert client.get("/incidents").json()["total"] == 0
    assert client.get("/incidents", params={"status": "resolved"}).json()["total"] == 1
    resolved_again = client.post(f"/incidents/{incident['id']}/resolve", json={"note": "x"})
    assert (resolved_again.status_code, resolved_again.json()["code"]) == (409, "incident_resolved")
    assert client.get("/incidents/999999").json()["code"] == "incident_not_found"
    assert client.get("/incidents/99999999999999999999").status_code == 422


def test_resolve_through_the_api_needs_a_note(app_with_incident):
    client, _, _ = app_with_incident
    [incident] = client.get("/incidents").json()["items"]
    assert client.post(f"/incidents/{incident['id']}/resolve", json={"note": ""}).status_code == 422
    assert client.post(f"/incidents/{incident['id']}/resolve", json={"note": "   "}).json()["code"] == "note_required"
    done = client.post(f"/incidents/{incident['id']}/resolve", json={"note": "Avsluttet i DIPS"}).json()
    assert (done["status"], done["resolution"]) == ("resolved", "Avsluttet i DIPS")


def _condition_fails(client, clock) -> tuple[str, dict]:
    """A DPS Nord pathway whose gateway condition after the assessment names an unknown variable."""
    from tests.bpmn_samples import sample_pathway
    db, runtime = client.app.state.db, client.app.state.runtime
    deploy(db, clock, sample_pathway(condition="outcome == undefined_name"), "sample.bpmn")
    instance_id = runtime.start_pathway(patient_key="P-0001", pathway_key="sample", unit="DPS Nord",
                                        setting="outpatient", referral_received_on=DAY)
    return instance_id, open_task(runtime, instance_id, "assess")


def test_a_completion_failing_in_the_engine_answers_422_engine_error_with_the_element(client, clock):
    _, task = _condition_fails(client, clock)
    answer = client.post(f"/tasks/{task['id']}/complete", json={"occurred_on": str(DAY), "data": {"outcome": "yes"}})
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "engine_error" and body["params"]["element"] and "undefined_name" in body["detail"]


def test_incident_pages_marker_and_worklist_count(app_with_incident):
    from tests.test_web import field, login, text_of
    client, broken, fine = app_with_incident
    login(client, "dev-koordinator-nord")
    worklist = client.get("/arbeidsliste")
    assert "1 forløp har stoppet med driftsfeil" in text_of(worklist.text)
    timeline = client.get(f"/forlop/{broken}")
    assert 'id="driftsfeil"' in timeline.text and "Beregne oppfølging" in text_of(timeline.text)
    page = client.get("/driftsfeil")
    assert page.status_code == 200 and "missing_variable" in text_of(page.text)
    [incident_id] = client.get("/incidents", headers={"Authorization": "Bearer dev-admin"}).json()["items"][:1]
    action = f"/driftsfeil/{incident_id['id']}/prov-igjen"
    refused = client.post(action, data={"gjeldende": "ja"}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    done = client.post(action, data={"csrf": field(page.text, "csrf"), "gjeldende": "ja"})
    assert "Forløpet gikk videre" in text_of(done.text)
    assert "stoppet med driftsfeil" not in text_of(client.get("/arbeidsliste").text)
    assert 'id="driftsfeil"' not in client.get(f"/forlop/{broken}").text
    login(client, "dev-koordinator-sor")
    assert "Ingen driftsfeil" in text_of(client.get("/driftsfeil", params={"vis": "alle"}).text)
    login(client, "dev-leder")
    assert client.get("/driftsfeil").status_code == 403


def test_the_task_page_says_in_bokmal_where_the_engine_stopped(client, clock):
    from tests.test_web import field, login, text_of
    runtime = client.app.state.runtime
    instance_id, task = _condition_fails(client, clock)
    login(client, "dev-koordinator-nord")
    page = client.get(f"/oppgaver/{task['id']}")
    answer = client.post(f"/oppgaver/{task['id']}", data={"csrf": field(page.text, "csrf"), "dato": str(DAY),
                                                           "felt_outcome": "yes"})
    text = text_of(answer.text)
    assert "Forløpsmotoren kunne ikke fortsette forløpet" in text and "Ingenting ble lagret" in text
    assert open_task(runtime, instance_id, "assess")["id"] == task["id"]


def test_a_script_that_would_exhaust_the_server_becomes_an_incident(db, clock):
    growing = "&#10;".join(["x = 3"] + ["x = x * x"] * 22)  # 22 squarings: billions of digits unbounded
    deploy(db, clock, timer_then_script(growing), "reminder.bpmn")
    runtime = PathwayRuntime(db, clock)
    instance_id = _start(runtime, "P-0001")
    clock.set(DAY + timedelta(days=2))
    assert runtime.tick()[0] == 0
    [incident] = _incidents(db)
    assert incident.instance_id == instance_id and "4096 bits" in incident.error
