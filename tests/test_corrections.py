"""Corrections of registrations: a wrong date moved, a registration undone; deadlines and compliance follow, and
nothing is lost (the old value, who, when and why are kept and audited)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.db.models import AuditEvent, EventCorrection
from engine.errors import Conflict, ErrorCode, InvalidInput, NotFound
from engine.reading.compliance import compliance
from tests.support import complete, detail, indicator, open_task, start_tsb

RECEIVED, ASSESSED = date(2026, 1, 5), date(2026, 1, 7)


def _event(runtime, instance_id: str, code: str, nth: int = 0) -> dict:
    return [m for m in detail(runtime, instance_id)["measuring_points"] if m["code"] == code and not m["undone"]][nth]


def _at_assessment(runtime, clock, attended: date) -> str:
    clock.set(date(2026, 2, 20))
    instance_id = start_tsb(runtime, received=RECEIVED)
    complete(runtime, instance_id, "assess_referral", ASSESSED, outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", attended)
    complete(runtime, instance_id, "somatic_health_check", attended, somatic_follow_up_needed=False)
    return instance_id


def test_a_wrongly_dated_first_attendance_is_corrected_and_the_assessment_deadline_follows(runtime, clock, db):
    instance_id = _at_assessment(runtime, clock, date(2026, 1, 14))  # it really was the 12th
    assert indicator(runtime, instance_id, "assessment_outpatient")["due_on"] == date(2026, 2, 4)
    assert open_task(runtime, instance_id, "clinical_decision_basic")["due_on"] == date(2026, 2, 4)
    event = _event(runtime, instance_id, "first_attendance")
    runtime.correct_event_date(instance_id, event["id"], occurred_on=date(2026, 1, 12),
                               reason="Feil dato registrert; timen var mandag", actor="koordinator")
    assessment = indicator(runtime, instance_id, "assessment_outpatient")
    assert (assessment["start_on"], assessment["due_on"]) == (date(2026, 1, 12), date(2026, 2, 2))
    assert open_task(runtime, instance_id, "clinical_decision_basic")["due_on"] == date(2026, 2, 2)
    complete(runtime, instance_id, "clinical_decision_basic", date(2026, 2, 3), outcome="CT")
    assert indicator(runtime, instance_id, "assessment_outpatient")["status"] == "breached"
    # ... and corrected again, after the decision: the status and compliance follow
    runtime.correct_event_date(instance_id, event["id"], occurred_on=date(2026, 1, 14),
                               reason="Likevel onsdag, ifølge journalen", actor="koordinator")
    assert indicator(runtime, instance_id, "assessment_outpatient")["status"] == "met"
    [row] = [r for r in compliance(db, today=clock.now().date(), pathway="tsb_d01")
             if r.indicator_key == "assessment_outpatient"]
    assert (row.numerator, row.denominator) == (1, 1) or row.suppressed
    corrected = _event(runtime, instance_id, "first_attendance")
    assert corrected["occurred_on"] == date(2026, 1, 14)
    assert [(c["old_occurred_on"], c["new_occurred_on"], c["corrected_by"]) for c in corrected["corrections"]] == [
        (date(2026, 1, 14), date(2026, 1, 12), "koordinator"), (date(2026, 1, 12), date(2026, 1, 14), "koordinator")]
    with db.reading() as session:
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "correct_event_date")).all() \
            == ["correct_event_date"] * 2


def test_a_corrected_date_obeys_the_rules_of_a_new_registration(runtime, clock):
    instance_id = _at_assessment(runtime, clock, date(2026, 1, 14))
    event = _event(runtime, instance_id, "first_attendance")

    def refused(day: date, reason: str = "feil dato") -> str:
        with pytest.raises((InvalidInput, NotFound)) as error:
            runtime.correct_event_date(instance_id, event["id"], occurred_on=day, reason=reason, actor="k")
        return error.value.code

    assert refused(date(2026, 3, 1)) == ErrorCode.OCCURRED_ON_IN_FUTURE
    assert refused(date(2026, 1, 6)) == ErrorCode.OCCURRED_ON_BEFORE_PREVIOUS_POINT  # assessed on the 7th
    assert refused(date(2026, 1, 15)) == ErrorCode.OCCURRED_ON_AFTER_NEXT_POINT  # somatic check on the 14th
    assert refused(date(2026, 1, 14)) == ErrorCode.CORRECTION_UNCHANGED
    assert refused(date(2026, 1, 12), reason="  ") == ErrorCode.REASON_REQUIRED
    with pytest.raises(NotFound):
        runtime.correct_event_date(instance_id, 10**9, occurred_on=date(2026, 1, 12), reason="x", actor="k")
    assert indicator(runtime, instance_id, "assessment_outpatient")["start_on"] == date(2026, 1, 14)


def test_undo_a_clinical_decision_and_register_the_right_one(runtime, clock, db):
    instance_id = _at_assessment(runtime, clock, date(2026, 1, 12))
    complete(runtime, instance_id, "clinical_decision_basic", date(2026, 1, 30), outcome="CT")
    assert indicator(runtime, instance_id, "first_evaluation_outpatient")["start_on"] == date(2026, 1, 30)
    decision = _event(runtime, instance_id, "clinical_decision")
    task_id = open_task(runtime, instance_id, "plan_treatment")["id"]
    runtime.undo_event(instance_id, decision["id"], reason="Skulle vært CU (utvidet utredning)", actor="koordinator")
    reopened = open_task(runtime, instance_id, "clinical_decision_basic")
    assert reopened["due_on"] == date(2026, 2, 2)
    reopened_deadline = indicator(runtime, instance_id, "assessment_outpatient")
    assert (reopened_deadline["status"], reopened_deadline["end_on"]) == ("overdue", None)  # due 2 Feb, open again
    assert "first_evaluation_outpatient" not in {i["indicator"] for i in detail(runtime, instance_id)["indicators"]}
    assert task_id not in {t["id"] for t in detail(runtime, instance_id)["open_tasks"]}  # the plan task is gone
    undone = [m for m in detail(runtime, instance_id)["measuring_points"] if m["undone"]]
    assert [(m["code"], m["outcome"], m["corrections"][0]["kind"]) for m in undone] == [
        ("clinical_decision", "CT", "undo")]
    runtime.complete_task(reopened["id"], data={"outcome": "CU"}, occurred_on=date(2026, 1, 30), actor="koordinator")
    assert indicator(runtime, instance_id, "assessment_outpatient")["status"] == "met"
    shown = detail(runtime, instance_id)
    assert "first_evaluation_outpatient" not in {i["indicator"] for i in shown["indicators"]}  # CU starts none
    assert [(m["code"], m["outcome"], m["undone"]) for m in shown["measuring_points"] if m["code"] ==
            "clinical_decision"] == [("clinical_decision", "CT", True), ("clinical_decision", "CU", False)]


def test_undo_is_refused_while_later_registrations_depend_on_it(runtime, clock):
    instance_id = _at_assessment(runtime, clock, date(2026, 1, 12))
    complete(runtime, instance_id, "clinical_decision_basic", date(2026, 1, 30), outcome="CT")
    complete(runtime, instance_id, "plan_treatment", date(2026, 2, 2), detoxification=False)
    decision = _event(runtime, instance_id, "clinical_decision")
    with pytest.raises(Conflict) as refused:
        runtime.undo_event(instance_id, decision["id"], reason="feil utfall", actor="k")
    assert refused.value.code == ErrorCode.LATER_REGISTRATIONS_DEPEND
    assert refused.value.params["later"] == ["Utarbeide behandlingsplan sammen med pasienten"]
    runtime.undo_event(instance_id, _event(runtime, instance_id, "treatment_plan")["id"], reason="for tidlig",
                       actor="k")
    runtime.undo_event(instance_id, decision["id"], reason="feil utfall", actor="k")
    assert open_task(runtime, instance_id, "clinical_decision_basic")


def test_a_parallel_branch_can_be_undone_until_the_branches_join(runtime, clock):
    clock.set(date(2026, 2, 20))
    instance_id = start_tsb(runtime, received=RECEIVED)
    complete(runtime, instance_id, "assess_referral", ASSESSED, outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", date(2026, 1, 12))
    complete(runtime, instance_id, "somatic_health_check", date(2026, 1, 12), somatic_follow_up_needed=False)
    somatic = _event(runtime, instance_id, "somatic_health_assessed")
    runtime.undo_event(instance_id, somatic["id"], reason="registrert på feil pasient", actor="k")
    assert open_task(runtime, instance_id, "somatic_health_check") and open_task(
        runtime, instance_id, "clinical_decision_basic")
    complete(runtime, instance_id, "somatic_health_check", date(2026, 1, 13), somatic_follow_up_needed=False)
    complete(runtime, instance_id, "clinical_decision_basic", date(2026, 1, 30), outcome="CT")
    again = _event(runtime, instance_id, "somatic_health_assessed")
    with pytest.raises(Conflict) as refused:
        runtime.undo_event(instance_id, again["id"], reason="x", actor="k")
    assert refused.value.code == ErrorCode.LATER_REGISTRATIONS_DEPEND


def test_undo_a_deferral_and_the_late_decision_is_breached(runtime, clock):
    instance_id = _at_assessment(runtime, clock, date(2026, 1, 12))
    runtime.register_patient_deferred(instance_id, deferred_from=date(2026, 1, 20), working_days=10,
                                      reason="cancelled_appointment")
    complete(runtime, instance_id, "clinical_decision_basic", date(2026, 2, 10), outcome="CT")
    assert indicator(runtime, instance_id, "assessment_outpatient")["status"] == "deferred"
    deferral = _event(runtime, instance_id, "patient_deferred")
    assert (deferral["deferred_until"], deferral["reason"]) == (date(2026, 2, 3), "cancelled_appointment")
    with pytest.raises(InvalidInput) as refused:
        runtime.correct_event_date(instance_id, deferral["id"], occurred_on=date(2026, 1, 21), reason="x",
                                   actor="k")
    assert refused.value.code == ErrorCode.EVENT_NOT_CORRECTABLE
    runtime.undo_event(instance_id, deferral["id"], reason="Det var behandleren som avlyste", actor="k")
    assessment = indicator(runtime, instance_id, "assessment_outpatient")
    assert (assessment["status"], assessment["deferral_registered"]) == ("breached", False)


def test_a_date_correction_moves_a_waiting_timer(runtime, clock, db):
    from engine.db.models import DueTimer
    clock.set(date(2026, 1, 6))
    instance_id = start_tsb(runtime, received=date(2026, 1, 6))  # typed the 6th; it came on the 5th
    with db.reading() as session:
        before = session.scalars(select(DueTimer.due_at).where(DueTimer.instance_id == instance_id)).all()
    referral = _event(runtime, instance_id, "referral_received")
    runtime.correct_event_date(instance_id, referral["id"], occurred_on=RECEIVED, reason="feil mottaksdato",
                               actor="k")
    with db.reading() as session:
        after = session.scalars(select(DueTimer.due_at).where(DueTimer.instance_id == instance_id)).all()
    assert len(before) == len(after) == 1 and (before[0] - after[0]).days == 1
    view = detail(runtime, instance_id)
    assert view["referral_received_on"] == RECEIVED
    assert indicator(runtime, instance_id, "referral_assessment")["due_on"] == date(2026, 1, 19)
    with db.reading() as session:
        assert session.scalar(select(EventCorrection.reason)) == "feil mottaksdato"


# ---- API and the timeline page ----------------------------------------------------------------------------------


def test_corrections_through_the_api(client, clock):
    runtime = client.app.state.runtime
    clock.set(date(2026, 2, 20))
    nord = {"Authorization": "Bearer dev-koordinator-nord"}
    instance_id = start_tsb(runtime, received=RECEIVED, unit="DPS Nord")
    complete(runtime, instance_id, "assess_referral", ASSESSED, outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", date(2026, 1, 14))
    event = _event(runtime, instance_id, "first_attendance")
    url = f"/instances/{instance_id}/events/{event['id']}"
    moved = client.post(f"{url}/correction", json={"occurred_on": "2026-01-12", "reason": "feil dato"}, headers=nord)
    assert moved.status_code == 200, moved.text
    [point] = [m for m in moved.json()["measuring_points"] if m["id"] == event["id"]]
    assert point["occurred_on"] == "2026-01-12" and point["corrections"][0]["old_occurred_on"] == "2026-01-14"
    assert client.post(f"{url}/correction", json={"occurred_on": "2026-01-12", "reason": ""}).status_code == 422
    later = client.post(f"{url}/correction", json={"occurred_on": "2026-03-01", "reason": "x"}).json()
    assert later["code"] == "occurred_on_in_future"
    sor = {"Authorization": "Bearer dev-koordinator-sor"}
    assert client.post(f"{url}/undo", json={"reason": "x"}, headers=sor).status_code == 404
    assert client.post(f"{url}/undo", json={"reason": "x"}, headers={"Authorization": "Bearer dev-leder"}) \
        .status_code == 403
    undone = client.post(f"{url}/undo", json={"reason": "registrert på feil pasient"}, headers=nord).json()
    assert "first_attendance" in [t["element_id"] for t in undone["open_tasks"]]
    assert client.post(f"{url}/undo", json={"reason": "x"}).json()["code"] == "event_not_found"
    assert client.post(f"/instances/{instance_id}/events/99999999999/undo", json={"reason": "x"}).status_code == 422
    with client.app.state.db.reading() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor == "koordinator-nord")).all()
    assert actions == ["correct_event_date", "undo_event"]


def test_the_timeline_corrects_defers_and_undoes(client, clock):
    from tests.test_web import field, login, text_of
    runtime = client.app.state.runtime
    clock.set(date(2026, 2, 20))
    instance_id = start_tsb(runtime, received=RECEIVED, unit="DPS Nord")
    complete(runtime, instance_id, "assess_referral", ASSESSED, outcome="right_to_care")
    login(client, "dev-koordinator-nord")
    page = client.get(f"/forlop/{instance_id}")
    assert "Ingen løpende forløpstid kan pasientutsettes nå" in text_of(page.text)
    complete(runtime, instance_id, "first_attendance", date(2026, 1, 14))
    page = client.get(f"/forlop/{instance_id}")
    assert "Registrer pasientutsatt" in page.text and "(kan pasientutsettes)" in text_of(page.text)
    csrf = field(page.text, "csrf")
    short = client.post(f"/forlop/{instance_id}/pasientutsatt",
                        data={"csrf": csrf, "fra": "2026-01-19", "virkedager": "5", "arsak": "did_not_attend"})
    assert "mer enn 7 virkedager (perioden er 5 virkedager)" in text_of(short.text)
    deferred = client.post(f"/forlop/{instance_id}/pasientutsatt",
                           data={"csrf": csrf, "fra": "2026-01-19", "til": "2026-02-02", "arsak": "did_not_attend"})
    assert "Pasientutsettelsen er registrert." in text_of(deferred.text)
    assert "til og med 02.02.2026, møtte ikke" in text_of(deferred.text)
    event = _event(runtime, instance_id, "first_attendance")
    corrected = client.post(f"/forlop/{instance_id}/registreringer/{event['id']}/korriger",
                            data={"csrf": csrf, "dato": "2026-01-12", "begrunnelse": "Timen var mandag"})
    text = text_of(corrected.text)
    assert "Datoen er korrigert" in text and "14.01.2026 → 12.01.2026 – «Timen var mandag»" in text
    refused = client.post(f"/forlop/{instance_id}/registreringer/{event['id']}/korriger",
                          data={"csrf": csrf, "dato": "2026-01-06", "begrunnelse": "x"})
    assert "Datoen kan ikke være før forrige registrerte målepunkt." in text_of(refused.text)
    undone = client.post(f"/forlop/{instance_id}/registreringer/{event['id']}/angre",
                         data={"csrf": csrf, "begrunnelse": "Feil pasient"})
    assert "Registreringen er angret" in text_of(undone.text) and "angret" in text_of(undone.text)
    assert client.post(f"/forlop/{instance_id}/registreringer/{event['id']}/angre",
                       data={"begrunnelse": "x"}).status_code == 403  # no CSRF token
