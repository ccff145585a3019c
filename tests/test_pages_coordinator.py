"""The coordinator's whole job in the pages (issue: coordinators and managers do their whole job in the pages):
starting a pathway from a referral, with the patient's other pathways and the API's validation."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.db.models import AuditEvent, PathwayInstance
from tests.support import saved_workflow
from tests.test_web import field, login

DAY = date(2026, 1, 5)


def _start_page(client) -> str:
    page = client.get("/forlop/ny")
    assert page.status_code == 200, page.text
    return page.text


def _post(client, **values):
    form = {"csrf": field(_start_page(client), "csrf"), "pasient": "P-0001", "forlop": "tsb_d01",
            "enhet": "DPS Nord", "behandling": "outpatient", "variant": "", "regelsett": "",
            "mottatt": DAY.isoformat(), "handling": "start", **values}
    return client.post("/forlop/ny", data=form, follow_redirects=False)


def test_a_coordinator_starts_a_pathway_from_a_referral(client):
    login(client, "dev-koordinator-nord")
    page = _start_page(client)
    assert 'href="/forlop/ny" aria-current="page"' in page and "Start forløp fra henvisning" in page
    assert '<option value="DPS Nord"' in page and "DPS Sør" not in page  # only the user's units
    assert "spiseforstyrrelser" in page and "Alvorlig tilstand" in page  # the variants where a pathway has them
    started = _post(client)
    assert started.status_code == 303 and started.headers["location"].startswith("/forlop/")
    timeline = client.get(started.headers["location"])
    assert "Forløpet er startet for P-0001" in timeline.text
    db = client.app.state.db
    with db.reading() as session:
        [instance] = session.scalars(select(PathwayInstance)).all()
        assert (instance.unit, instance.referral_received_on, instance.setting) == ("DPS Nord", DAY, "outpatient")
        actors = set(session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "start_pathway")))
    assert actors == {"koordinator-nord"}


def test_the_start_form_refuses_by_field_with_the_api_codes(client):
    login(client, "dev-koordinator-nord")
    bad_key = _post(client, pasient="12345678901")
    assert bad_key.status_code == 422 and 'id="feiloppsummering" tabindex="-1" autofocus' in bad_key.text
    assert 'href="#pasient"' in bad_key.text and 'id="pasient-feil"' in bad_key.text
    assert "ikke et gyldig fødselsnummer" in bad_key.text
    future = _post(client, mottatt="2026-02-01")
    assert future.status_code == 422 and "fram i tid" in future.text and 'id="mottatt-feil"' in future.text
    missing = _post(client, mottatt="")
    assert missing.status_code == 422 and "Oppgi datoen henvisningen ble mottatt" in missing.text
    severity = _post(client, variant="severe")
    assert severity.status_code == 422 and 'id="variant-feil"' in severity.text and "Gyldige verdier" in severity.text
    other_unit = _post(client, enhet="DPS Sør")
    assert other_unit.status_code == 422 and "dine egne enheter" in other_unit.text
    assert 'value="P-0001"' in other_unit.text  # what was typed is kept
    with client.app.state.db.reading() as session:
        assert session.scalars(select(PathwayInstance)).all() == []


def test_the_patients_other_pathways_are_shown_for_own_units_only(client):
    runtime = client.app.state.runtime
    runtime.start_pathway(patient_key="P-0001", pathway_key="psychosis", unit="DPS Nord", setting="outpatient",
                          referral_received_on=DAY)
    runtime.start_pathway(patient_key="P-0001", pathway_key="ocd", unit="DPS Sør", setting="outpatient",
                          referral_received_on=DAY)
    login(client, "dev-koordinator-nord")
    shown = client.post("/forlop/ny", data={"csrf": field(_start_page(client), "csrf"), "pasient": "P-0001",
                                            "handling": "finn"})
    assert shown.status_code == 200 and "Pasientens forløp i dine enheter" in shown.text
    assert "psykoselidelser" in shown.text and "tvangslidelse" not in shown.text.split("Pasientens forløp")[1].split("</section>")[0]  # DPS Sør's pathway is not shown
    assert "<caption>Forløp for P-0001</caption>" in shown.text
    with client.app.state.db.reading() as session:
        reads = session.scalars(select(AuditEvent).where(AuditEvent.action == "read_patient")).all()
    assert [(r.actor, r.patient_key) for r in reads] == [("koordinator-nord", "P-0001")]
    again = _post(client, forlop="psychosis")
    assert again.status_code == 409 and "allerede et aktivt forløp" in again.text
    assert "Åpne pasientens aktive forløp" in again.text  # own unit: a link to it
    elsewhere = _post(client, forlop="ocd")
    assert elsewhere.status_code == 409 and "Åpne pasientens aktive forløp" not in elsewhere.text


def test_managers_cannot_open_the_start_form(client):
    login(client, "dev-leder")
    assert client.get("/forlop/ny").status_code == 403


def test_a_pathway_started_after_an_emergency_admission_carries_its_start_route(client):
    login(client, "dev-koordinator-nord")
    page = _start_page(client)
    assert 'name="vei" type="radio" value="emergency"' in page and "Etter øyeblikkelig hjelp-innleggelse" in page
    bad = _post(client, vei="ambulance")
    assert bad.status_code == 422 and 'id="vei-feil"' in bad.text and "øyeblikkelig hjelp" in bad.text
    started = _post(client, vei="emergency")
    assert started.status_code == 303
    instance_id = started.headers["location"].rsplit("/", 1)[1]
    workflow = saved_workflow(client.app.state.runtime, instance_id)
    assert workflow.get_next_task(spec_name="assess_referral").data["start_route"] == "emergency"
