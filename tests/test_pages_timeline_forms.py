"""The coordinator's forms on the patient's timeline (`/forlop/{id}`): register a message the pathway waits for
(a crisis reported to the municipality's main course), close the pathway, or transfer it to another hospital trust;
each through the API's command, with its error codes translated. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.db.models import AuditEvent, PathwayMessage
from tests.test_web import field, login, text_of

TODAY = date(2026, 1, 20)


def _timeline(client, instance_id: str) -> str:
    page = client.get(f"/forlop/{instance_id}")
    assert page.status_code == 200, page.text
    return page.text


def _post(client, instance_id: str, action: str, **values) -> str:
    form = {"csrf": field(_timeline(client, instance_id), "csrf"), **values}
    sent = client.post(f"/forlop/{instance_id}/{action}", data=form, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == f"/forlop/{instance_id}", sent.text
    return _timeline(client, instance_id)


def _tsb_in_assessment(client, clock) -> str:
    clock.set(TODAY)
    runtime = client.app.state.runtime
    instance_id = runtime.start_pathway(patient_key="P-0001", pathway_key="tsb_d01", unit="DPS Nord",
                                        setting="outpatient", referral_received_on=date(2026, 1, 5))
    task = client.get("/tasks", params={"pathway": "tsb_d01"}).json()["items"][0]
    runtime.complete_task(task["id"], data={"outcome": "right_to_care"}, occurred_on=date(2026, 1, 7))
    return instance_id


def test_a_coordinator_transfers_a_pathway_to_another_trust_from_the_timeline(client, clock):
    instance_id = _tsb_in_assessment(client, clock)
    login(client, "dev-koordinator-nord")
    page = _timeline(client, instance_id)
    assert "Overføre til annet helseforetak" in page and 'name="helseforetak"' in page
    assert "<caption>" in page
    after = _post(client, instance_id, "overfor", helseforetak="Helse Bergen HF", dato="2026-01-19", notat="Flyttet")
    shown = text_of(after)
    assert "Forløpet er avsluttet som overført til Helse Bergen HF" in shown
    assert "Det mottakende helseforetaket registrerer en ny start av forløpet" in shown
    assert "fullført 19.01.2026 – Overført til annet helseforetak" in shown
    assert "Overført til Helse Bergen HF. Flyttet" in shown
    assert 'action="/forlop/' + instance_id + '/overfor"' not in after  # closed: no forms any more
    with client.app.state.db.reading() as session:
        assert session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "close_pathway")).all() == [
            "koordinator-nord"]


def test_closing_from_the_timeline_says_what_is_wrong_and_focuses_it(client, clock):
    instance_id = _tsb_in_assessment(client, clock)
    login(client, "dev-koordinator-nord")
    no_reason = _post(client, instance_id, "avslutt", arsak="", dato="2026-01-19")
    assert 'id="feiloppsummering" tabindex="-1" autofocus' in no_reason
    assert "Velg en årsak til avslutningen." in text_of(no_reason)
    future = _post(client, instance_id, "avslutt", arsak="other", dato="2026-01-21")
    assert "Datoen kan ikke være fram i tid." in text_of(future)
    no_trust = _post(client, instance_id, "overfor", helseforetak="  ", dato="2026-01-19")
    assert "Oppgi hvilket helseforetak pasienten overføres til" in text_of(no_trust)
    closed = _post(client, instance_id, "avslutt", arsak="contracted_specialist", dato="2026-01-19")
    assert "Forløpet er avsluttet. Løpende forløpstider telles ikke." in text_of(closed)
    assert "Overført til avtalespesialist" in text_of(closed)


def test_an_open_closure_task_is_linked_instead_of_the_closure_form(client, clock):
    clock.set(TODAY)
    runtime = client.app.state.runtime
    instance_id = runtime.start_pathway(patient_key="P-0002", pathway_key="tsb_d01", unit="DPS Nord",
                                        setting="outpatient", referral_received_on=date(2026, 1, 5))
    for element, data, on in (("assess_referral", {"outcome": "right_to_care"}, date(2026, 1, 7)),
                              ("first_attendance", {}, date(2026, 1, 12)),
                              ("somatic_health_check", {"somatic_follow_up_needed": False}, date(2026, 1, 12)),
                              ("clinical_decision_basic", {"outcome": "CI"}, date(2026, 1, 14))):
        task = next(t for t in client.get("/tasks", params={"patient_key": "P-0002"}).json()["items"]
                    if t["element_id"] == element)
        runtime.complete_task(task["id"], data=data, occurred_on=on)
    login(client, "dev-koordinator-nord")
    page = _timeline(client, instance_id)
    assert "Avslutningsoppgaven er åpen" in page and 'action="/forlop/' + instance_id + '/avslutt"' not in page


def test_a_crisis_is_registered_on_the_municipal_main_course_from_its_timeline(client, clock):
    clock.set(TODAY)
    runtime = client.app.state.runtime
    instance_id = runtime.start_pathway(patient_key="P-0003", pathway_key="municipal_main_course_3",
                                        unit="DPS Nord", setting="outpatient", referral_received_on=date(2026, 1, 5))
    login(client, "dev-koordinator-nord")
    page = _timeline(client, instance_id)
    assert '<option value="crisis_reported">Blålys: alvorlig forverring meldt</option>' in page
    assert "Avslutte forløpet nå" in page and "Overføre til annet helseforetak" not in page  # municipal: no trust
    received = text_of(_post(client, instance_id, "melding", melding="crisis_reported", dato="2026-01-19"))
    assert "Meldingen er registrert, og forløpet er ført videre." in received
    assert "Blålys: alvorlig forverring meldt" in received
    tasks = client.get("/tasks", params={"patient_key": "P-0003"}).json()["items"]
    assert [t["element_id"] for t in tasks] == ["blue_light_authority"]  # the crisis course has begun
    again = text_of(_post(client, instance_id, "melding", melding="crisis_reported", dato="2026-01-19"))
    assert "Forløpet venter ikke på denne meldingen nå." in again


def test_a_transfer_to_a_receiving_unit_shows_the_link_on_both_timelines(client, clock):
    instance_id = _tsb_in_assessment(client, clock)
    login(client, "dev-koordinator-nord")
    after = text_of(_post(client, instance_id, "overfor", helseforetak="Helse Sør HF", enhet="DPS Sør",
                          dato="2026-01-19"))
    assert "Forløpet er avsluttet som overført til Helse Sør HF, og en ny start er registrert i DPS Sør." in after
    assert "Samhandling med pasientens andre forløp" in after
    assert "Overført til Pakkeforløp rusbehandling (TSB)" in after and "DPS Sør (aktivt" in after
    page = _timeline(client, instance_id)
    [new_id] = [link["instance_id"] for link in client.get(
        f"/instances/{instance_id}", headers={"Authorization": "Bearer dev-admin"}).json()["linked_pathways"]]
    assert f'href="/forlop/{new_id}"' not in page  # DPS Sør's pathway: named, not linked, for DPS Nord
    login(client, "dev-koordinator-sor")
    received = _timeline(client, new_id)
    assert "Overført fra" in text_of(received) and f'href="/forlop/{instance_id}"' not in received
    login(client, "dev-admin")
    assert f'href="/forlop/{instance_id}"' in _timeline(client, new_id)


def test_a_message_no_pathway_waits_for_is_shown_as_not_delivered(client, clock):
    clock.set(TODAY)
    runtime = client.app.state.runtime
    instance_id = runtime.start_pathway(patient_key="P-0004", pathway_key="tsb_d01", unit="DPS Nord",
                                        setting="outpatient", referral_received_on=date(2026, 1, 5))
    with client.app.state.db.engine.begin() as conn:  # as the closure's follow-up plan would be kept
        conn.execute(PathwayMessage.__table__.insert().values(
            patient_key="P-0004", name="follow_up_plan", payload="{}", sender_instance_id=instance_id,
            sent_on=date(2026, 1, 19), created_at=client.app.state.runtime.clock.now()))
    login(client, "dev-koordinator-nord")
    shown = text_of(_timeline(client, instance_id))
    assert "Meldinger sendt og mottatt" in shown
    assert "ikke levert: ingen av pasientens forløp venter på meldingen ennå" in shown
