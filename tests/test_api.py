from datetime import date

import pytest

from engine.catalogue.parser import load_definition, pathway_files
from tests.bpmn_samples import sample_pathway
from tests.support import PATHWAYS_DIR

START = {"patient_key": "P-0001", "pathway": "tsb_d01", "unit": "DPS Nord", "setting": "outpatient",
         "referral_received_on": "2026-01-05"}


def start(client, **changes):
    response = client.post("/instances", json={**START, **changes})
    assert response.status_code == 201, response.text
    return response.json()


def first_task(client, instance):
    [task] = instance["open_tasks"]
    return task


def test_pathway_list_and_detail(client):
    [pathway] = [p for p in client.get("/pathways").json() if p["key"] == "tsb_d01"]
    assert pathway["type_code"] == "D01"
    keys = {i["key"]: i for i in pathway["indicators"]}
    assert keys["assessment_inpatient"]["limit"] == 7 and keys["assessment_inpatient"]["setting"] == "inpatient"
    assert keys["referral_assessment"]["unit"] == "working_days"
    assert client.get("/pathways/tsb_d01").json()["name"] == "Pakkeforløp rusbehandling (TSB)"
    missing = client.get("/pathways/nope")
    assert missing.status_code == 404 and "no deployed pathway" in missing.json()["detail"]


def test_start_pathway_and_read_the_instance(client):
    instance = start(client)
    assert instance["status"] == "active"
    assert instance["indicators"][0]["indicator"] == "referral_assessment"
    assert instance["indicators"][0]["due_on"] == "2026-01-19"
    assert instance["indicators"][0]["from"] == "referral_received"
    task = first_task(client, instance)
    assert task["element_id"] == "assess_referral" and task["due_on"] == "2026-01-19"
    again = client.get(f"/instances/{instance['id']}")
    assert again.status_code == 200 and again.json()["id"] == instance["id"]
    assert client.get("/instances/nope").status_code == 404


@pytest.mark.parametrize("changes, status, message", [
    ({"referral_received_on": "2026-01-06"}, 422, "in the future"),
    ({"referral_received_on": "05.01.2026"}, 422, "referral_received_on"),
    ({"setting": "home"}, 422, "setting"),
    ({"patient_key": "has spaces"}, 422, "patient_key"),
    ({"pathway": "nope"}, 404, "no deployed pathway"),
    ({"unexpected": 1}, 422, "unexpected"),
])
def test_start_pathway_errors(client, changes, status, message):
    response = client.post("/instances", json={**START, **changes})
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_second_active_pathway_is_refused_with_409(client):
    start(client)
    response = client.post("/instances", json=START)
    assert response.status_code == 409
    assert "already has an active tsb_d01 pathway" in response.json()["detail"]


def test_malformed_json_is_a_422_not_a_500(client):
    response = client.post("/instances", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_complete_task_and_its_errors(client, clock):
    instance = start(client)
    task = first_task(client, instance)
    url = f"/tasks/{task['id']}/complete"
    future = client.post(url, json={"occurred_on": "2026-01-06", "data": {"outcome": "right_to_care"}})
    assert future.status_code == 422 and "in the future" in future.json()["detail"]
    before = client.post(url, json={"occurred_on": "2026-01-02", "data": {"outcome": "right_to_care"}})
    assert before.status_code == 422 and "before the previous measuring point" in before.json()["detail"]
    missing_field = client.post(url, json={"occurred_on": "2026-01-05", "data": {}})
    assert missing_field.status_code == 422 and "is required" in missing_field.json()["detail"]
    done = client.post(url, json={"occurred_on": "2026-01-05", "data": {"outcome": "right_to_care"}})
    assert done.status_code == 200
    body = done.json()
    assert body["indicators"][0]["status"] == "met"
    assert [t["element_id"] for t in body["open_tasks"]] == ["first_attendance"]
    twice = client.post(url, json={"occurred_on": "2026-01-05", "data": {"outcome": "right_to_care"}})
    assert twice.status_code == 409
    unknown = client.post("/tasks/nope/complete", json={"occurred_on": "2026-01-05"})
    assert unknown.status_code == 404


def test_task_detail_shows_the_form(client):
    task = first_task(client, start(client))
    detail = client.get(f"/tasks/{task['id']}").json()
    [field] = [f for f in detail["form"] if f["id"] == "outcome"]
    assert field["type"] == "enum" and field["required"] is True
    assert [o["id"] for o in field["options"]] == ["right_to_care", "right_to_treatment", "no_right_to_care"]


def test_a_limit_field_refuses_an_interval_beyond_its_max_with_a_field_code(client):
    # a hundred million months would overflow the due date: the form refuses it before the engine computes one
    instance = start(client, pathway="municipal_main_course_3")
    coordinator = first_task(client, instance)
    done = client.post(f"/tasks/{coordinator['id']}/complete",
                       json={"occurred_on": "2026-01-05", "data": {"coordinator_name": "Ola Nordmann"}})
    assert done.status_code == 200, done.text
    [group] = [t for t in done.json()["open_tasks"] if t["element_id"] == "establish_responsibility_group"]
    [field] = [f for f in client.get(f"/tasks/{group['id']}").json()["form"] if f["id"] == "meeting_interval_months"]
    assert (field["min"], field["max"]) == (1, 24)
    url = f"/tasks/{group['id']}/complete"
    for months in (100_000_000, "25", 0):
        refused = client.post(url, json={"occurred_on": "2026-01-05", "data": {"meeting_interval_months": months}})
        assert refused.status_code == 422, refused.text
        body = refused.json()
        assert body["code"] == "form_invalid"
        assert [(f["field"], f["code"], f["params"]) for f in body["fields"]] == [
            ("meeting_interval_months", "number_out_of_range", {"min": 1, "max": 24})]
    accepted = client.post(url, json={"occurred_on": "2026-01-05", "data": {"meeting_interval_months": 24}})
    assert accepted.status_code == 200, accepted.text
    [first_meeting] = [i for i in accepted.json()["indicators"] if i["indicator"] == "first_responsibility_group_meeting"]
    assert first_meeting["due_on"] == "2028-01-05"


def test_claim_and_unclaim(client):
    task = first_task(client, start(client))
    claimed = client.post(f"/tasks/{task['id']}/claim", json={"assignee": "kari"})
    assert claimed.status_code == 200 and claimed.json()["assignee"] == "kari"
    taken = client.post(f"/tasks/{task['id']}/claim", json={"assignee": "ola"})
    assert taken.status_code == 409 and "kari" in taken.json()["detail"]
    assert client.post(f"/tasks/{task['id']}/claim", json={"assignee": ""}).status_code == 422
    released = client.post(f"/tasks/{task['id']}/unclaim")
    assert released.status_code == 200 and released.json()["assignee"] is None
    assert client.post("/tasks/nope/unclaim").status_code == 404


def test_task_list_filters_sorting_and_paging(client, clock):
    clock.set(date(2026, 2, 2))
    # Referrals received on different days, so the assessment deadlines differ.
    a = start(client, patient_key="A-1", referral_received_on="2026-01-05", unit="DPS Nord")
    b = start(client, patient_key="B-1", referral_received_on="2026-01-26", unit="DPS Nord")
    c = start(client, patient_key="C-1", referral_received_on="2026-01-12", unit="DPS Sør", setting="inpatient")
    # A and C were registered after their assessment deadline had passed: the escalation is there at once.
    escalations = client.get("/tasks?lane=Enhetsleder").json()["items"]
    assert sorted(t["patient_key"] for t in escalations) == ["A-1", "C-1"]
    assert all(t["due_on"] is None for t in escalations)
    page = client.get("/tasks?lane=Forløpskoordinator").json()
    assert page["total"] == 3
    assert [t["patient_key"] for t in page["items"]] == ["A-1", "C-1", "B-1"]  # due 19 Jan, 26 Jan, 9 Feb
    assert [t["overdue"] for t in page["items"]] == [True, True, False]
    # A-1's escalation has no due date of its own: it sorts by A-1's running (overdue) assessment deadline.
    assert [t["patient_key"] for t in client.get("/tasks?unit=DPS Nord").json()["items"]] == ["A-1", "A-1", "B-1"]
    assert [t["patient_key"] for t in client.get("/tasks?overdue=true").json()["items"]] == ["A-1", "C-1"]
    assert [t["patient_key"] for t in client.get("/tasks?overdue=false&lane=Forløpskoordinator").json()["items"]] == ["B-1"]
    assert [t["patient_key"] for t in client.get("/tasks?due_before=2026-01-20").json()["items"]] == ["A-1"]
    assert client.get("/tasks?pathway=other").json()["total"] == 0
    assert client.get("/tasks").json()["total"] == 5
    assert [t["element_id"] for t in client.get("/tasks?patient_key=C-1").json()["items"]] == [
        "assess_referral", "follow_up_late_assessment"]
    client.post(f"/tasks/{first_task(client, b)['id']}/claim", json={"assignee": "kari"})
    assert [t["patient_key"] for t in client.get("/tasks?assignee=kari").json()["items"]] == ["B-1"]
    second = client.get("/tasks?lane=Forløpskoordinator&limit=2&offset=2").json()
    assert second["total"] == 3 and [t["patient_key"] for t in second["items"]] == ["B-1"]
    assert client.get("/tasks?limit=0").status_code == 422
    assert client.get("/tasks?due_before=tomorrow").status_code == 422
    # B's timer is not due yet; the scheduler persists the two passed deadlines as overdue.
    assert client.post("/scheduler/run").json() == {"instances_advanced": 0, "measurements_marked_overdue": 2}
    clock.set(date(2026, 2, 10))
    assert client.post("/scheduler/run").json() == {"instances_advanced": 1, "measurements_marked_overdue": 1}
    assert client.get("/tasks?lane=Enhetsleder").json()["total"] == 3
    assert a and c


def _complete(client, instance, element, on, **data):
    [task] = [t for t in instance["open_tasks"] if t["element_id"] == element]
    response = client.post(f"/tasks/{task['id']}/complete", json={"occurred_on": on, "data": data})
    assert response.status_code == 200, response.text
    return response.json()


def test_patient_deferred_endpoint(client, clock):
    instance = start(client)
    deferral = {"deferred_from": "2026-01-05", "working_days": 10, "reason": "cancelled_appointment",
                "note": "Pasienten avlyste timen"}
    url = f"/instances/{instance['id']}/patient-deferred"
    refused = client.post(url, json=deferral)  # only the referral assessment runs: the patient cannot delay it
    assert (refused.status_code, refused.json()["code"]) == (409, "no_deferrable_deadline")
    instance = _complete(client, instance, "assess_referral", "2026-01-05", outcome="right_to_care")
    instance = _complete(client, instance, "first_attendance", "2026-01-05")
    too_short = client.post(url, json={**deferral, "working_days": None, "deferred_until": "2026-01-14"})
    assert too_short.json()["code"] == "deferral_too_short" and too_short.json()["params"] == {"working_days": 7}
    assert client.post(url, json={**deferral, "deferred_until": "2026-01-30"}).json()["code"] == \
        "deferral_period_invalid"  # both the last day and the length
    assert client.post(url, json={**deferral, "reason": "bored"}).status_code == 422
    assert client.post(url, json={**deferral, "deferred_from": "2026-02-01"}).json()["code"] == "occurred_on_in_future"
    response = client.post(url, json=deferral)
    assert response.status_code == 200, response.text
    body = response.json()
    point = body["measuring_points"][-1]
    assert (point["code"], point["occurred_on"], point["deferred_until"], point["reason"]) == (
        "patient_deferred", "2026-01-05", "2026-01-19", "cancelled_appointment")
    deferred = {i["indicator"]: i["deferral_registered"] for i in body["indicators"]}
    assert deferred == {"referral_assessment": False, "assessment_outpatient": True}
    assert client.post("/instances/nope/patient-deferred", json=deferral).status_code == 404


def test_deploy_endpoint_reports_problems_with_line_and_element(client):
    bad = client.post("/pathways?filename=bad.bpmn", content=sample_pathway(condition="open('x')"),
                      headers={"content-type": "application/xml"})
    assert bad.status_code == 422
    [problem] = bad.json()["problems"]
    assert problem["element_id"] == "flow_no" and problem["line"] and problem["file"] == "bad.bpmn"
    good = client.post("/pathways?filename=sample.bpmn", content=sample_pathway(),
                       headers={"content-type": "application/xml"})
    assert good.status_code == 201 and good.json()["created"] is True and good.json()["pathway"] == "sample"
    same = client.post("/pathways", content=sample_pathway(), headers={"content-type": "application/xml"})
    assert same.json()["created"] is False
    assert client.post("/pathways", content=b"").status_code == 422
    deployed = {load_definition(path.read_bytes(), path.name).key for path in pathway_files(PATHWAYS_DIR)}
    assert {p["key"] for p in client.get("/pathways").json()} == {"sample"} | deployed


def test_openapi_documents_the_api(client):
    spec = client.get("/openapi.json").json()
    assert {"/instances", "/tasks", "/tasks/{task_id}/complete", "/pathways"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_a_pathway_that_fails_at_run_time_gives_422_and_changes_nothing(client):
    broken = sample_pathway(key="broken", condition="outcome > 3")  # passes lint, fails on text vs number
    assert client.post("/pathways", content=broken, headers={"content-type": "application/xml"}).status_code == 201
    instance = start(client, pathway="broken")
    task = first_task(client, instance)
    response = client.post(f"/tasks/{task['id']}/complete", json={"occurred_on": "2026-01-05",
                                                                  "data": {"outcome": "yes"}})
    assert response.status_code == 422
    assert "could not continue" in response.json()["detail"]
    after = client.get(f"/instances/{instance['id']}").json()
    assert [t["id"] for t in after["open_tasks"]] == [task["id"]]
    assert [m["code"] for m in after["measuring_points"]] == ["referral_received"]


def test_message_endpoint_delivers_to_a_waiting_pathway_and_explains_refusals(client):
    from tests.test_messages import RECEIVER

    assert client.post("/pathways?filename=receiver.bpmn", content=RECEIVER.encode(),
                       headers={"content-type": "application/xml"}).status_code == 201
    waiting = client.post("/instances", json={"patient_key": "P-9", "pathway": "receiver", "unit": "Kommune",
                                               "setting": "outpatient", "referral_received_on": "2026-01-05"})
    assert waiting.status_code == 201, waiting.text
    instance_id = waiting.json()["id"]
    response = client.post(f"/instances/{instance_id}/messages",
                           json={"name": "crisis_reported", "data": {"reported_by": "fastlege"}})
    assert response.status_code == 200
    assert [t["element_id"] for t in response.json()["open_tasks"]] == ["crisis"]
    again = client.post(f"/instances/{instance_id}/messages", json={"name": "crisis_reported"})
    assert again.status_code == 409 and "not waiting for the message" in again.json()["detail"]
    assert client.post(f"/instances/{instance_id}/messages", json={"name": "bad name!"}).status_code == 422
    assert client.post("/instances/nope/messages", json={"name": "crisis_reported"}).status_code == 404
