"""Closing a pathway before its process reaches the closure task, and a transfer to another hospital trust: the
closure is registered with its outcome, open tasks are withdrawn, running deadlines are not counted, timers stop,
and the patient can start anew (at the receiving trust). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.db.models import AuditEvent, DueTimer
from engine.errors import Conflict, ErrorCode, InvalidInput
from tests.support import complete, detail, open_task, start_tsb, to_clinical_decision

RECEIVED, ASSESSED, ATTENDED = date(2026, 1, 5), date(2026, 1, 7), date(2026, 1, 12)
NORD = {"Authorization": "Bearer dev-koordinator-nord"}
SOR = {"Authorization": "Bearer dev-koordinator-sor"}


def _in_assessment(runtime, clock, unit: str = "DPS Test") -> str:
    clock.set(date(2026, 1, 20))
    instance_id = start_tsb(runtime, received=RECEIVED, unit=unit)
    complete(runtime, instance_id, "assess_referral", ASSESSED, outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", ATTENDED)
    return instance_id


def test_a_pathway_closed_during_assessment_withdraws_its_tasks_and_counts_no_running_deadline(runtime, clock, db):
    instance_id = _in_assessment(runtime, clock)
    assert any(i["status"] == "pending" for i in detail(runtime, instance_id)["indicators"])
    runtime.close_pathway(instance_id, closed_on=date(2026, 1, 19), outcome="contracted_specialist",
                          note="Pasienten ønsker avtalespesialist", actor="koordinator-nord")
    closed = detail(runtime, instance_id)
    assert (closed["status"], closed["closed_on"], closed["open_tasks"]) == ("completed", date(2026, 1, 19), [])
    [closure] = [e for e in closed["measuring_points"] if e["code"] == "closure"]
    assert (closure["outcome"], closure["element_id"], closure["note"]) == (
        "contracted_specialist", "close_pathway", "Pasienten ønsker avtalespesialist")
    statuses = {i["indicator"]: i["status"] for i in closed["indicators"]}
    assert statuses["referral_assessment"] == "met"  # ended before the closure: still counted
    assert statuses["assessment_outpatient"] == "cancelled"  # still running at the closure: not counted
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(DueTimer)
                              .where(DueTimer.instance_id == instance_id)) == 0
        assert session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "close_pathway")).all() == [
            "2026-01-19 contracted_specialist"]
    # the patient may start the same pathway again
    assert start_tsb(runtime, received=date(2026, 1, 20)) != instance_id


def test_a_transfer_closes_with_the_transfer_outcome_and_names_the_receiving_trust(runtime, clock):
    instance_id = _in_assessment(runtime, clock)
    runtime.transfer_pathway(instance_id, transferred_on=date(2026, 1, 16), receiving_trust="  Helse  Bergen HF ",
                             note="Flyttet", actor="koordinator-nord")
    closed = detail(runtime, instance_id)
    [closure] = [e for e in closed["measuring_points"] if e["code"] == "closure"]
    assert (closure["outcome"], closure["note"]) == ("other_trust", "Overført til Helse Bergen HF. Flyttet")
    assert closed["status"] == "completed"


@pytest.mark.parametrize(("change", "code"), [
    ({"outcome": "moved_abroad"}, ErrorCode.CLOSURE_OUTCOME_INVALID),
    ({"closed_on": date(2026, 1, 21)}, ErrorCode.OCCURRED_ON_IN_FUTURE),
    ({"closed_on": date(2026, 1, 9)}, ErrorCode.OCCURRED_ON_BEFORE_PREVIOUS_POINT),
])
def test_a_closure_is_refused_with_its_code_and_nothing_changes(runtime, clock, change, code):
    instance_id = _in_assessment(runtime, clock)
    before = detail(runtime, instance_id)
    with pytest.raises(InvalidInput) as refused:
        runtime.close_pathway(instance_id, **{"closed_on": date(2026, 1, 19), "outcome": "other", **change})
    assert refused.value.code == code
    assert detail(runtime, instance_id) == before


def test_a_transfer_needs_the_receiving_trust(runtime, clock):
    instance_id = _in_assessment(runtime, clock)
    for name in ("", "   ", "x" * 201):
        with pytest.raises(InvalidInput) as refused:
            runtime.transfer_pathway(instance_id, transferred_on=date(2026, 1, 19), receiving_trust=name)
        assert refused.value.code == ErrorCode.RECEIVING_TRUST_INVALID
    assert detail(runtime, instance_id)["status"] == "active"


def test_an_open_closure_task_is_where_the_closure_is_registered(runtime, clock):
    clock.set(date(2026, 1, 20))
    instance_id = start_tsb(runtime, received=RECEIVED)
    to_clinical_decision(runtime, instance_id, assessed=ASSESSED, attended=ATTENDED, decided=date(2026, 1, 14),
                         outcome="CI")
    task = open_task(runtime, instance_id, "close_pathway")
    with pytest.raises(Conflict) as refused:
        runtime.close_pathway(instance_id, closed_on=date(2026, 1, 19), outcome="other")
    assert (refused.value.code, refused.value.params) == (ErrorCode.CLOSURE_TASK_OPEN, {"task_id": task["id"]})


def test_a_closed_pathway_cannot_be_closed_again(runtime, clock):
    instance_id = _in_assessment(runtime, clock)
    runtime.close_pathway(instance_id, closed_on=date(2026, 1, 19), outcome="other")
    with pytest.raises(Conflict) as refused:
        runtime.transfer_pathway(instance_id, transferred_on=date(2026, 1, 19), receiving_trust="Helse Bergen HF")
    assert refused.value.code == ErrorCode.INSTANCE_NOT_ACTIVE


def test_a_pathway_without_a_closure_task_is_not_closed_outside_its_process(runtime, clock):
    clock.set(date(2026, 1, 20))
    instance_id = runtime.start_pathway(patient_key="P-0009", pathway_key="service_allocation", unit="Bydel Nord",
                                        setting="outpatient", referral_received_on=RECEIVED)
    with pytest.raises(Conflict) as refused:
        runtime.close_pathway(instance_id, closed_on=date(2026, 1, 19), outcome="other")
    assert refused.value.code == ErrorCode.CLOSURE_NOT_DEFINED


def test_every_specialist_pathway_with_a_closure_task_can_record_a_transfer(runtime):
    definitions = {d.key: d for d in (runtime.definition_of(v) for v in _current_versions(runtime))}
    closing = {key for key, d in definitions.items() if d.closure_task is not None}
    assert {"tsb_d01", "psychosis", "mental_health_adults_d11", "ocd"} <= closing
    municipal = {"municipal_coordination", "municipal_main_course_1", "municipal_main_course_2",
                 "municipal_main_course_3"}
    assert {key for key in closing if definitions[key].can_transfer} == closing - municipal


def _current_versions(runtime) -> list[int]:
    from engine.db.models import PathwayVersion
    with runtime.db.reading() as session:
        return list(session.scalars(select(PathwayVersion.id).where(PathwayVersion.is_current)))


def test_the_api_closes_and_transfers_in_the_users_units_only(client, clock):
    clock.set(date(2026, 1, 20))
    instance_id = _in_assessment(client.app.state.runtime, clock, unit="DPS Nord")
    other = client.post(f"/instances/{instance_id}/transfer", headers=SOR,
                        json={"transferred_on": "2026-01-19", "receiving_trust": "Helse Bergen HF"})
    assert other.status_code == 404
    bad = client.post(f"/instances/{instance_id}/closure", headers=NORD,
                      json={"closed_on": "2026-01-19", "outcome": "nope"})
    assert bad.status_code == 422 and bad.json()["code"] == "closure_outcome_invalid"
    assert bad.json()["params"]["outcomes"] == ["municipal_follow_up", "contracted_specialist", "other_trust", "other"]
    not_a_date = client.post(f"/instances/{instance_id}/closure", headers=NORD, json={"closed_on": 0, "outcome": "other"})
    assert not_a_date.status_code == 422
    done = client.post(f"/instances/{instance_id}/transfer", headers=NORD,
                       json={"transferred_on": "2026-01-19", "receiving_trust": "Helse Bergen HF"})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    again = client.post(f"/instances/{instance_id}/closure", headers=NORD,
                        json={"closed_on": "2026-01-19", "outcome": "other"})
    assert again.status_code == 409 and again.json()["code"] == "instance_not_active"


def test_a_transfer_to_a_named_receiving_unit_starts_the_pathway_there_linked(runtime, clock, client):
    instance_id = _in_assessment(runtime, clock, unit="DPS Nord")
    new_id = runtime.transfer_pathway(instance_id, transferred_on=date(2026, 1, 16), receiving_trust="Helse Sør HF",
                                      receiving_unit="DPS Sør", actor="koordinator-nord")
    new = detail(runtime, new_id)
    assert (new["pathway"], new["unit"], new["status"], new["referral_received_on"], new["setting"]) == (
        "tsb_d01", "DPS Sør", "active", date(2026, 1, 16), "outpatient")
    assert [t["element_id"] for t in new["open_tasks"]][:1] == ["assess_referral"]
    [link] = detail(runtime, instance_id)["linked_pathways"]
    assert (link["kind"], link["direction"], link["instance_id"], link["unit"]) == ("transfer", "to", new_id, "DPS Sør")
    [back] = new["linked_pathways"]
    assert (back["kind"], back["direction"], back["instance_id"], back["status"]) == (
        "transfer", "from", instance_id, "completed")
    # the API shows the link to the transferring coordinator, who does not work in the receiving unit
    seen = client.get(f"/instances/{instance_id}", headers=NORD).json()["linked_pathways"]
    assert [(x["kind"], x["unit"]) for x in seen] == [("transfer", "DPS Sør")]
    assert client.get(f"/instances/{new_id}", headers=NORD).status_code == 404


def test_a_transfer_whose_new_start_is_refused_closes_nothing(runtime, clock):
    instance_id = _in_assessment(runtime, clock)
    with pytest.raises(InvalidInput) as refused:
        runtime.transfer_pathway(instance_id, transferred_on=date(2026, 1, 16), receiving_trust="Helse Sør HF",
                                 receiving_unit="x" * 101)
    assert refused.value.code == ErrorCode.UNIT_REQUIRED
    assert detail(runtime, instance_id)["status"] == "active"


def test_a_transfer_whose_new_start_loses_a_race_is_a_conflict_and_closes_nothing(runtime, clock, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    import engine.runtime.closure as closure

    instance_id = _in_assessment(runtime, clock)

    def lost_race(*args, **kwargs):
        raise IntegrityError("INSERT INTO pathway_instance", {}, Exception("duplicate key value: active_key"))

    monkeypatch.setattr(closure, "start_in", lost_race)
    with pytest.raises(Conflict) as refused:
        runtime.transfer_pathway(instance_id, transferred_on=date(2026, 1, 16), receiving_trust="Helse Sør HF",
                                 receiving_unit="DPS Sør")
    assert refused.value.code == ErrorCode.PATHWAY_ALREADY_ACTIVE and "tsb_d01" in str(refused.value)
    assert detail(runtime, instance_id)["status"] == "active"
