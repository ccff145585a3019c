"""Roles, units and the audit trail through the API; patient key validation; token users."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.access.patient_keys import validate_patient_key
from engine.access.principals import Users
from engine.db.models import AuditEvent, AuditShown
from engine.errors import InvalidInput

NORD = {"Authorization": "Bearer dev-koordinator-nord"}
SOR = {"Authorization": "Bearer dev-koordinator-sor"}
MANAGER = {"Authorization": "Bearer dev-leder"}
MODELLER = {"Authorization": "Bearer dev-modellerer"}
VALID_FNR = "15038512363"  # check digits computed with python-stdnum
VALID_D_NUMBER = "55038512357"


def _start(client, unit: str, patient: str, headers) -> dict:
    response = client.post("/instances", headers=headers, json={
        "patient_key": patient, "pathway": "tsb_d01", "unit": unit, "setting": "outpatient",
        "referral_received_on": "2026-01-05"})
    assert response.status_code == 201, response.text
    return response.json()


def _audit(client) -> list[tuple]:
    """(actor, action, patient): a list read's patients are the ones it showed (`audit_shown`)."""
    db = client.app.state.db
    with db.reading() as session:
        shown: dict[int, list[str]] = {}
        for event_id, patient in session.execute(select(AuditShown.event_id, AuditShown.patient_key)
                                                 .order_by(AuditShown.patient_key)):
            shown.setdefault(event_id, []).append(patient)
        return [(a.actor, a.action, a.patient_key or ",".join(shown.get(a.id, [])) or None)
                for a in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_no_or_a_wrong_token_is_401_with_the_bearer_challenge(client):
    response = client.get("/tasks", headers={"Authorization": ""})
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert "log in" in response.json()["detail"]
    assert client.get("/tasks", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/health", headers={"Authorization": ""}).status_code == 200


def test_a_coordinator_sees_and_changes_only_their_own_units(client):
    mine = _start(client, "DPS Nord", "P-0001", NORD)
    theirs = _start(client, "DPS Sør", "P-0002", SOR)
    refused = client.post("/instances", headers=NORD, json={
        "patient_key": "P-0003", "pathway": "tsb_d01", "unit": "DPS Sør", "setting": "outpatient",
        "referral_received_on": "2026-01-05"})
    assert refused.status_code == 403 and "your own units" in refused.json()["detail"]
    listed = client.get("/tasks", headers=NORD).json()
    assert {t["unit"] for t in listed["items"]} == {"DPS Nord"}
    assert client.get("/tasks?unit=DPS Sør", headers=NORD).json()["total"] == 0
    their_task = theirs["open_tasks"][0]["id"]
    for method, path, body in (
        ("get", f"/instances/{theirs['id']}", None),
        ("get", f"/tasks/{their_task}", None),
        ("post", f"/tasks/{their_task}/claim", {"assignee": "kari"}),
        ("post", f"/tasks/{their_task}/unclaim", None),
        ("post", f"/tasks/{their_task}/complete", {"occurred_on": "2026-01-05", "data": {"outcome": "right_to_care"}}),
        # what is wrong with the form is not said either: that would tell the task exists
        ("post", f"/tasks/{their_task}/complete", {"occurred_on": "2026-01-05", "data": {"outcome": "no_such"}}),
        ("post", f"/tasks/{their_task}/complete", {"occurred_on": "2099-01-05", "data": {}}),
        ("post", f"/instances/{theirs['id']}/patient-deferred",
         {"deferred_from": "2026-01-05", "working_days": 10, "reason": "other"}),
        ("post", f"/instances/{theirs['id']}/messages", {"name": "crisis_reported"}),
    ):
        response = getattr(client, method)(path, headers=NORD, **({"json": body} if body is not None else {}))
        assert response.status_code == 404, (path, response.status_code, response.text)
    assert client.get(f"/instances/{mine['id']}", headers=NORD).status_code == 200
    assert client.get(f"/instances/{theirs['id']}", headers=SOR).status_code == 200
    assert client.get(f"/tasks/{their_task}", headers=SOR).json()["status"] == "open"


def test_managers_and_modellers_see_no_patient_data(client):
    instance = _start(client, "DPS Nord", "P-0001", NORD)
    task_id = instance["open_tasks"][0]["id"]
    for headers in (MANAGER, MODELLER):
        for path in ("/tasks", f"/tasks/{task_id}", f"/instances/{instance['id']}"):
            response = client.get(path, headers=headers)
            assert response.status_code == 403 and "sees no patient data" in response.json()["detail"], path
        assert client.get("/pathways", headers=headers).status_code == 200
    assert client.post("/scheduler/run", headers=MANAGER).status_code == 403


def test_only_modellers_and_admins_deploy(client):
    from tests.bpmn_samples import sample_pathway

    for key, headers, expected in (("by_admin", {}, 201), ("by_coordinator", NORD, 403),
                                   ("by_manager", MANAGER, 403), ("by_modeller", MODELLER, 201)):
        response = client.post("/pathways?filename=s.bpmn", content=sample_pathway(key=key),
                               headers={"content-type": "application/xml", **headers})
        assert response.status_code == expected, response.text


def test_every_read_and_change_of_patient_data_is_audited(client):
    instance = _start(client, "DPS Nord", "P-0001", NORD)
    task_id = instance["open_tasks"][0]["id"]
    client.get("/tasks", headers=NORD)
    client.get(f"/tasks/{task_id}", headers=NORD)
    client.post(f"/tasks/{task_id}/claim", headers=NORD, json={"assignee": "koordinator-nord"})
    client.post(f"/tasks/{task_id}/complete", headers=NORD,
                json={"occurred_on": "2026-01-05", "data": {"outcome": "right_to_care"}})
    after = client.get(f"/instances/{instance['id']}", headers=NORD).json()
    [attendance] = after["open_tasks"]
    client.post(f"/tasks/{attendance['id']}/complete", headers=NORD, json={"occurred_on": "2026-01-05", "data": {}})
    client.post(f"/instances/{instance['id']}/patient-deferred", headers=NORD,
                json={"deferred_from": "2026-01-05", "working_days": 10, "reason": "did_not_attend"})
    client.get(f"/instances/{instance['id']}", headers=SOR)  # not visible: nothing read, nothing audited
    assert _audit(client) == [
        ("koordinator-nord", action, "P-0001") for action in (
            "start_pathway", "list_tasks", "read_task", "claim_task", "complete_task", "read_instance",
            "complete_task", "register_patient_deferred")]


def test_a_failed_change_leaves_no_audit_row(client):
    instance = _start(client, "DPS Nord", "P-0001", NORD)
    task_id = instance["open_tasks"][0]["id"]
    response = client.post(f"/tasks/{task_id}/complete", headers=NORD, json={"occurred_on": "2026-01-05", "data": {}})
    assert response.status_code == 422
    assert [action for _, action, _ in _audit(client)] == ["start_pathway"]


@pytest.mark.parametrize("key", [VALID_FNR, VALID_D_NUMBER, "150385 12363", "DEMO-000123", "P-1"])
def test_valid_patient_keys(key):
    assert validate_patient_key(key) == key.replace(" ", "")


@pytest.mark.parametrize("key, reason", [
    ("15038512364", "not a valid Norwegian national identity number"),  # last check digit wrong
    ("15038512263", "not a valid Norwegian national identity number"),  # a typo in the individual number
    ("1503851236", "not a valid Norwegian national identity number"),  # 10 digits
    ("P-", "pseudonym"), ("demo-1", "pseudonym"), ("has spaces", "pseudonym"), ("", "pseudonym"),
])
def test_invalid_patient_keys_are_refused_with_the_reason(key, reason):
    with pytest.raises(InvalidInput, match=reason):
        validate_patient_key(key)


def test_the_api_refuses_a_bad_identity_number_and_stores_nothing(client):
    response = client.post("/instances", json={"patient_key": "15038512364", "pathway": "tsb_d01", "unit": "DPS Nord",
                                               "setting": "outpatient", "referral_received_on": "2026-01-05"})
    assert response.status_code == 422 and "identity number" in response.json()["detail"]
    assert client.get("/tasks").json()["total"] == 0


def test_token_users_only_in_token_mode(db, clock):
    users = Users(db)
    token = users.add("kari", "Kari Nordmann", "coordinator", ("DPS Nord",), clock.now())
    kari = users.authenticate(token)
    assert (kari.id, kari.role, kari.units) == ("kari", "coordinator", ("DPS Nord",))
    assert users.authenticate("dev-admin") is None and users.authenticate(token + "x") is None
    assert Users(db, dev_mode=True).authenticate("dev-admin").role == "admin"
    with pytest.raises(InvalidInput, match="already a user"):
        users.add("kari", "Kari", "manager", (), clock.now())
    with pytest.raises(InvalidInput, match="at least one unit"):
        users.add("ola", "Ola", "coordinator", (), clock.now())
    with pytest.raises(InvalidInput, match="role must be one of"):
        users.add("ola", "Ola", "boss", (), clock.now())


def test_user_add_command_prints_a_working_token(tmp_path, monkeypatch, capsys):
    from engine.cli import main as cli_main
    from engine.db.database import Database

    url = f"sqlite:///{tmp_path}/users.db"
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", url)
    assert cli_main(["user", "add", "kari", "--role", "coordinator", "--unit", "DPS Nord", "--unit", "DPS Sør"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    db = Database(url)
    try:
        assert Users(db).authenticate(token).units == ("DPS Nord", "DPS Sør")
    finally:
        db.dispose()
    assert cli_main(["user", "add", "ola", "--role", "coordinator"]) == 1
    assert "at least one unit" in capsys.readouterr().out


def test_an_administrator_reads_the_audit_trail_of_a_patient(client):
    _start(client, "DPS Nord", "P-0001", NORD)
    _start(client, "DPS Sør", "P-0002", SOR)
    assert client.get("/audit", headers=NORD).status_code == 403
    trail = client.get("/audit?patient_key=P-0001").json()
    # newest first; reading the trail is itself audited, before the trail is read
    assert [(row["actor"], row["action"]) for row in trail["items"]] == [
        ("admin", "read_audit"), ("koordinator-nord", "start_pathway")]
    assert trail["total"] == 2
    assert client.get("/audit?actor=koordinator-sor").json()["items"][0]["patient_key"] == "P-0002"
    # a read of the trail by actor (no patient) is audited too, with what was asked for
    [latest] = client.get("/audit?actor=admin&limit=1").json()["items"]
    assert (latest["action"], latest["patient_key"], latest["detail"]) == ("read_audit", None, "actor=admin")
