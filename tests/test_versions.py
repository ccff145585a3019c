"""A pathway's versions: who deployed each and when, patients per version, the file of each, what changed between
two (elements, flows, forms, deadline indicators), and deploying from the page after a check that changes nothing.
On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from html import unescape
from pathlib import Path

from sqlalchemy import select

from engine.catalogue.parser import parse_pathway
from engine.db.models import AuditEvent, PathwayVersion
from engine.modelling.version_diff import diff_versions
from tests.test_web import field, login, text_of

TSB_FILE = Path(__file__).resolve().parent.parent / "pathways" / "tsb_d01.bpmn"
MODELLER = {"Authorization": "Bearer dev-modellerer"}
MANAGER = {"Authorization": "Bearer dev-leder"}


def _changed_tsb() -> bytes:
    """The TSB file with a longer assessment deadline, a renamed task, an outcome less and one flow fewer."""
    source = TSB_FILE.read_bytes()
    source = source.replace(b"from=first_attendance; to=clinical_decision; limit=21",
                            b"from=first_attendance; to=clinical_decision; limit=28")
    source = source.replace(b'name="Vurdere henvisning"', b'name="Vurdere henvisningen"')
    source = source.replace('<camunda:value id="other" name="Annen årsak"/>'.encode(), b"")
    return source


def _definition(source: bytes):
    definition, problems = parse_pathway(source, "tsb_d01.bpmn")
    assert definition is not None, problems
    return definition


def test_the_diff_names_each_changed_element_form_field_flow_and_deadline():
    old, new = _definition(TSB_FILE.read_bytes()), _definition(_changed_tsb())
    changes = {(c.kind, c.change, c.id): c for c in diff_versions(old, new)}
    assert changes[("indicator", "changed", "assessment_outpatient")].details == ("limit: 21 → 28",)
    assert "bpmn_name" in changes[("element", "changed", "assess_referral")].details
    assert changes[("element", "changed", "assess_referral")].label == "Vurdere henvisningen"
    outcome = changes[("form", "changed", "close_pathway.outcome")]
    assert outcome.details == ("options: municipal_follow_up, contracted_specialist, other_trust, other → "
                               "municipal_follow_up, contracted_specialist, other_trust",)
    assert diff_versions(old, old) == []
    no_flow = re.sub(rb'<bpmn:sequenceFlow id="flow_to_end"[^>]*/>', b"", TSB_FILE.read_bytes())
    no_flow = no_flow.replace(b"<bpmn:incoming>flow_to_end</bpmn:incoming>", b"")
    no_flow = no_flow.replace(b"<bpmn:outgoing>flow_to_end</bpmn:outgoing>", b"")
    assert ("flow", "removed", "flow_to_end") in {(c.kind, c.change, c.id)
                                                  for c in diff_versions(old, _definition(no_flow))}


def test_the_diff_names_a_changed_bound_of_a_form_field():
    main_course_3 = TSB_FILE.parent / "municipal_main_course_3.bpmn"
    old = parse_pathway(main_course_3.read_bytes(), "municipal_main_course_3.bpmn")[0]
    wider = main_course_3.read_bytes().replace(b'<camunda:constraint name="max" config="24" />',
                                               b'<camunda:constraint name="max" config="36" />')
    changes = {c.id: c.details for c in diff_versions(old, parse_pathway(wider, "municipal_main_course_3.bpmn")[0])}
    assert changes["establish_responsibility_group.meeting_interval_months"] == ("max: 24 → 36",)
    assert changes["evaluate_individual_plan.ip_evaluation_interval_months"] == ("max: 24 → 36",)


def test_versions_say_who_deployed_them_and_how_many_patients_run_on_each(client, clock):
    runtime = client.app.state.runtime
    runtime.start_pathway(patient_key="P-0001", pathway_key="tsb_d01", unit="DPS Nord", setting="outpatient",
                          referral_received_on=date(2026, 1, 5))
    deployed = client.post("/pathways", params={"filename": "tsb_d01.bpmn"}, content=_changed_tsb(), headers=MODELLER)
    assert deployed.status_code == 201
    versions = client.get("/pathways/tsb_d01/versions", headers=MANAGER).json()
    new, old = versions["versions"][:2]
    assert (new["version_id"], new["deployed_by"], new["is_current"]) == (deployed.json()["version_id"],
                                                                          "modellerer", True)
    assert (old["deployed_by"], old["running_instances"], old["instances"], new["running_instances"]) == (
        None, 1, 1, 0)
    diff = client.get("/pathways/tsb_d01/diff", params={"from_version": old["version_id"],
                                                        "to_version": new["version_id"]}).json()
    assert {"kind": "indicator", "change": "changed", "id": "assessment_outpatient",
            "label": "Utredning innen forløpstid (poliklinikk)", "details": ["limit: 21 → 28"]} in diff["changes"]
    file = client.get(f"/pathways/tsb_d01/versions/{old['version_id']}/bpmn")
    assert file.content == TSB_FILE.read_bytes() and file.headers["content-type"] == "application/xml"
    assert client.get("/pathways/psychosis/versions/%d/bpmn" % old["version_id"]).status_code == 404
    with client.app.state.db.reading() as session:
        assert session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "deploy_pathway")).one() \
            .startswith(f"tsb_d01 version {new['version_id']} (new version")


def test_a_file_is_checked_without_changing_anything_and_only_modellers_deploy(client):
    checked = client.post("/pathways/lint", params={"filename": "tsb.bpmn"}, content=_changed_tsb(), headers=MODELLER)
    report = checked.json()
    assert checked.status_code == 200 and report["valid"] and report["pathway"] == "tsb_d01"
    assert [c["id"] for c in report["changes"] if c["kind"] == "indicator"] == ["assessment_outpatient"]
    broken = client.post("/pathways/lint", content=b"<bpmn/>", headers=MODELLER).json()
    assert not broken["valid"] and broken["problems"][0]["line"] == 1
    with client.app.state.db.reading() as session:
        assert len(session.scalars(select(PathwayVersion).where(PathwayVersion.pathway_key == "tsb_d01")).all()) == 1
    for path in ("/pathways/lint", "/pathways"):
        assert client.post(path, content=_changed_tsb(), headers=MANAGER).status_code == 403


def _upload(client, source: bytes, name: str = "tsb_d01.bpmn"):
    page = client.get("/forlopstyper/last-opp")
    assert page.status_code == 200, page.text
    return client.post("/forlopstyper/last-opp", data={"csrf": field(page.text, "csrf")},
                       files={"fil": (name, source, "application/xml")})


def test_a_modeller_checks_a_file_on_the_page_then_takes_it_into_use(client):
    login(client, "dev-modellerer")
    assert "Last opp en ny forløpsfil" in client.get("/forlopstyper").text
    broken = _upload(client, TSB_FILE.read_bytes().replace(b'value="first_attendance"', b'value="Bad Code"', 1))
    assert broken.status_code == 422 and 'id="feiloppsummering" tabindex="-1" autofocus' in broken.text
    assert "<caption>Feil og advarsler</caption>" in broken.text
    assert 'action="/forlopstyper/ta-i-bruk"' not in broken.text
    checked = _upload(client, _changed_tsb().replace(b"\n", b"\r\n"))
    assert checked.status_code == 200 and "Filen er gyldig" in checked.text
    assert "limit: 21 → 28" in text_of(checked.text)
    source = re.search(r'<textarea name="kilde"[^>]*>(.*?)</textarea>', checked.text, re.S).group(1)
    checksum = field(checked.text, "sjekksum")
    sent = unescape(source).replace("\n", "\r\n")  # as a browser sends a text field
    tampered = client.post("/forlopstyper/ta-i-bruk", data={"csrf": field(checked.text, "csrf"), "filnavn": "t.bpmn",
                                                            "sjekksum": checksum, "kilde": sent + " "},
                           follow_redirects=True)
    assert "Filen ble endret etter kontrollen" in tampered.text
    done = client.post("/forlopstyper/ta-i-bruk", data={"csrf": field(checked.text, "csrf"), "filnavn": "t.bpmn",
                                                        "sjekksum": checksum, "kilde": sent}, follow_redirects=True)
    assert "er tatt i bruk. Nye forløp starter på den" in text_of(done.text)
    assert "<caption>Versjoner av <code>tsb_d01</code>, nyeste først</caption>" in done.text
    assert "modellerer" in text_of(done.text) and "limit: 21 → 28" in text_of(done.text)
    stored = client.get("/pathways/tsb_d01/versions").json()["versions"][0]
    assert stored["content_hash"] == hashlib.sha256(_changed_tsb()).hexdigest()  # LF line ends, as checked


def test_the_upload_page_is_for_modellers_and_administrators(client):
    login(client, "dev-leder")
    assert client.get("/forlopstyper/last-opp").status_code == 403
    assert "Last opp en ny forløpsfil" not in client.get("/forlopstyper").text
    assert client.get("/forlopstyper/tsb_d01/versjoner").status_code == 200
    assert client.get("/forlopstyper/ukjent/versjoner").status_code == 404
