"""The coordinator's job in the pages, items 3–8 of the issue "coordinators and managers do their whole job in the
pages": what is really urgent on the worklist, finding a patient, claims that mean something, the event date of an
overdue task, and the error summary, captions and icons. On SQLite and PostgreSQL (the `client` fixture)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.db.models import AuditEvent
from engine.deadlines.rules import is_due_soon, soon_limit, urgency, week_end
from tests.support import complete, open_task
from tests.test_web import field, login, rows, start, text_of

TODAY = date(2026, 1, 5)  # a Monday


@pytest.fixture
def runtime(client):
    return client.app.state.runtime


def urgent_set(runtime) -> dict[str, str]:
    """A: assessment deadline due Wed 7 Jan (its somatic check and the late referral's follow-up have no due
    date of their own); B: referral due 19 Jan; C: referral overdue since 15 Dec, with its escalation (no due
    date)."""
    a = start(runtime, "URG-0001", date(2025, 11, 3))
    complete(runtime, a, "assess_referral", date(2025, 11, 4), outcome="right_to_care")
    complete(runtime, a, "first_attendance", date(2025, 12, 17))  # 21 days: due 7 January
    b = start(runtime, "URG-0002", TODAY)
    c = start(runtime, "URG-0003", date(2025, 12, 1))
    return {"a": a, "b": b, "c": c}


def date_value(html: str) -> str:
    return re.search(r'name="dato" type="date" value="([^"]*)"', html).group(1)


def audit_actions(client, action: str) -> list[tuple]:
    with client.app.state.db.reading() as session:
        return [(a.actor, a.patient_key, a.detail) for a in
                session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


# ---- 3. what is really urgent ---------------------------------------------------------------------------------


def test_the_urgency_rules_live_with_the_deadline_rules():
    friday = date(2026, 1, 9)
    assert soon_limit(friday) == date(2026, 1, 14) and week_end(friday) == date(2026, 1, 11)
    assert week_end(date(2026, 1, 11)) == date(2026, 1, 11)  # a Sunday is the end of its own week
    assert urgency(friday - timedelta(days=1), friday) == "overdue" and urgency(None, friday) is None
    assert urgency(friday, friday) == "due_soon" and is_due_soon(date(2026, 1, 14), friday)
    assert not is_due_soon(date(2026, 1, 15), friday) and not is_due_soon(friday - timedelta(days=1), friday)
    assert soon_limit(date(2026, 4, 1)) == date(2026, 4, 9)  # Easter: 2, 3 and 6 April are holidays


def test_a_task_without_a_due_date_sorts_by_its_pathways_nearest_deadline(client, runtime):
    urgent_set(runtime)
    login(client, "dev-koordinator-nord")
    page = client.get("/arbeidsliste")
    order = [(re.search(r'href="/forlop/[^"]+">([A-Z]+-\d+)', r).group(1), text_of(r)) for r in rows(page.text)]
    assert [p for p, _ in order] == ["URG-0003", "URG-0003", "URG-0001", "URG-0001", "URG-0001",
                                                   "URG-0002"]
    somatic = next(text for p, text in order if "Kartlegge somatisk helse" in text)
    assert "07.01.2026" in somatic and "Utredning innen forløpstid" in somatic and "Forfaller snart" in somatic
    escalation = next(text for p, text in order if "Følge opp henvisning" in text and p == "URG-0003")
    assert "15.12.2025" in escalation and "Forfalt" in escalation
    quick = {m[0]: int(m[1]) for m in re.findall(r'id="vis-([a-z]+)"[^>]*>[^<]*<span class="teller">\((\d+)\)',
                                                  page.text)}
    assert quick == {"forfalt": 2, "uke": 3, "snart": 3, "mine": 0, "ledige": 6, "driftsfeil": 0}
    soon = client.get("/arbeidsliste?vis=snart")
    assert len(rows(soon.text)) == 3 and all('">URG-0001</a>' in r for r in rows(soon.text))
    assert 'id="vis-snart" aria-current="true"' in soon.text


def test_the_api_sorts_filters_and_counts_as_the_page(client, runtime):
    ids = urgent_set(runtime)
    page = client.get("/tasks").json()
    assert [t["patient_key"] for t in page["items"]] == ["URG-0003", "URG-0003", "URG-0001", "URG-0001", "URG-0001",
                                                   "URG-0002"]
    assert page["counts"] == {"overdue": 2, "this_week": 3, "soon": 3, "mine": 0, "unclaimed": 6}
    somatic = next(t for t in page["items"] if t["element_id"] == "somatic_health_check")
    assert somatic["due_on"] is None and somatic["urgent_on"] == "2026-01-07"
    assert somatic["nearest_deadline"]["label"].startswith("Utredning innen forløpstid")
    assert [t["patient_key"] for t in client.get("/tasks?due=overdue").json()["items"]] == ["URG-0003"] * 2
    assert client.get("/tasks?due=this_week").json()["total"] == 3
    task_id = open_task(runtime, ids["b"], "assess_referral")["id"]
    client.post(f"/tasks/{task_id}/claim", json={"assignee": "admin"})
    claimed = client.get("/tasks?unclaimed=true").json()
    assert claimed["total"] == 5 and claimed["counts"]["mine"] == 1 and claimed["counts"]["unclaimed"] == 5
    assert client.get("/tasks?due=tomorrow").status_code == 422


# ---- 4. find a patient ----------------------------------------------------------------------------------------


def test_a_coordinator_finds_a_patient_by_part_of_the_key(client, runtime):
    ids = urgent_set(runtime)
    start(runtime, "URG-0009", TODAY, unit="DPS Sør")
    login(client, "dev-koordinator-nord")
    assert 'href="/pasienter"' in client.get("/arbeidsliste").text  # in the navigation
    found = client.get("/pasienter", params={"sok": "urg-000"})
    assert found.status_code == 200
    assert re.findall(r'href="/pasienter/([A-Z]+-\d+)"', found.text) == ["URG-0001", "URG-0002", "URG-0003"]
    short = client.get("/pasienter", params={"sok": "ur"})
    assert short.status_code == 422 and 'id="feiloppsummering" tabindex="-1" autofocus' in short.text
    assert "minst 3 tegn" in short.text
    patient = client.get("/pasienter/URG-0001")
    assert patient.status_code == 200 and f'href="/forlop/{ids["a"]}"' in patient.text
    text = text_of(patient.text)
    assert "Utredning innen forløpstid" in text and "07.01.2026" in text and "innfridd" in text  # running and ended
    assert "ingen forløp i dine enheter" in client.get("/pasienter/URG-0009").text.lower()  # DPS Sør's patient
    searches = audit_actions(client, "search_patients")
    assert [(actor, key) for actor, key, _ in searches] == [("koordinator-nord", k) for k in
                                                           ("URG-0001", "URG-0002", "URG-0003")]
    assert searches[0][2] == "search=urg-000"


def test_the_patient_search_api_is_bounded_and_own_units_only(client, runtime):
    for number in range(25):
        start(runtime, f"MANY-{number:04d}", TODAY)
    start(runtime, "MANY-0100", TODAY, unit="DPS Sør")
    nord = {"Authorization": "Bearer dev-koordinator-nord"}
    found = client.get("/patients", params={"search": "many"}, headers=nord).json()
    assert len(found["items"]) == 20 and found["more"] is True
    assert "MANY-0100" not in [p["patient_key"] for p in found["items"]]
    exact = client.get("/patients", params={"search": "MANY-0024"}, headers=nord).json()
    assert exact == {"items": [{"patient_key": "MANY-0024", "pathways": 1, "active_pathways": 1}], "more": False}
    assert client.get("/patients", params={"search": "%%%"}, headers=nord).json()["items"] == []  # no wildcards
    too_short = client.get("/patients", params={"search": "MA"}, headers=nord)
    assert too_short.status_code == 422 and too_short.json()["code"] == "patient_search_too_short"
    pathways = client.get("/patients/MANY-0001/pathways", headers=nord).json()
    assert [p["unit"] for p in pathways] == ["DPS Nord"] and pathways[0]["running_deadlines"]
    assert client.get("/patients/MANY-0100/pathways", headers=nord).json() == []
    assert client.get("/patients", params={"search": "many"},
                      headers={"Authorization": "Bearer dev-leder"}).status_code == 403


# ---- 5. claiming means something ------------------------------------------------------------------------------


def test_a_task_claimed_by_someone_else_needs_an_explicit_take_over(client, runtime):
    ids = urgent_set(runtime)
    task_id = open_task(runtime, ids["b"], "assess_referral")["id"]
    runtime.claim_task(task_id, "koordinator-sor")
    login(client, "dev-koordinator-nord")
    [row] = [r for r in rows(client.get("/arbeidsliste").text) if "URG-0002" in r]
    assert "Sindre Koordinator (DPS Sør)" in row and "koordinator-sor" not in text_of(row)
    assert re.search(r"Ta over<span class=\"skjult-tekst\"> «Vurdere henvisning» for pasient URG-0002</span>", row)
    page = client.get(f"/oppgaver/{task_id}")
    assert "Oppgaven er tatt av Sindre Koordinator (DPS Sør)" in page.text and 'name="ta_over"' in page.text
    form = {"csrf": field(page.text, "csrf"), "dato": TODAY.isoformat(), "felt_outcome": "right_to_care"}
    refused = client.post(f"/oppgaver/{task_id}", data=form)
    assert refused.status_code == 409 and 'id="ta_over-feil"' in refused.text
    assert open_task(runtime, ids["b"], "assess_referral")["assignee"] == "koordinator-sor"
    done = client.post(f"/oppgaver/{task_id}", data={**form, "ta_over": "ja"}, follow_redirects=False)
    assert done.status_code == 303
    assert audit_actions(client, "take_over_task") == [("koordinator-nord", "URG-0002", "koordinator-sor")]


def test_the_api_refuses_a_registration_of_someone_elses_task_without_take_over(client, runtime):
    ids = urgent_set(runtime)
    task_id = open_task(runtime, ids["b"], "assess_referral")["id"]
    nord = {"Authorization": "Bearer dev-koordinator-nord"}
    assert client.post(f"/tasks/{task_id}/claim", json={"assignee": "kollega"}).status_code == 200
    body = {"occurred_on": TODAY.isoformat(), "data": {"outcome": "right_to_care"}}
    refused = client.post(f"/tasks/{task_id}/complete", json=body, headers=nord)
    assert refused.status_code == 409 and refused.json()["code"] == "task_claimed_by_other"
    taken = client.post(f"/tasks/{task_id}/claim", json={"assignee": "koordinator-nord", "take_over": True},
                        headers=nord)
    assert taken.status_code == 200 and taken.json()["assignee_name"] == "Kari Koordinator (DPS Nord)"
    assert client.post(f"/tasks/{task_id}/complete", json=body, headers=nord).status_code == 200
    other = open_task(runtime, ids["c"], "assess_referral")["id"]
    client.post(f"/tasks/{other}/claim", json={"assignee": "kollega"})
    late = {"occurred_on": TODAY.isoformat(), "data": {"outcome": "right_to_care"}, "take_over": True}
    assert client.post(f"/tasks/{other}/complete", json=late, headers=nord).status_code == 200


def test_claim_buttons_on_the_task_page_name_the_patient_and_the_task(client, runtime):
    ids = urgent_set(runtime)
    task_id = open_task(runtime, ids["b"], "assess_referral")["id"]
    login(client, "dev-koordinator-nord")
    page = client.get(f"/oppgaver/{task_id}").text
    about = '<span class="skjult-tekst"> «Vurdere henvisning» for pasient URG-0002</span>'
    assert f"Ta oppgaven{about}" in page and f'action="/oppgaver/{task_id}/ta"' in page
    claimed = client.post(f"/oppgaver/{task_id}/ta", data={"csrf": field(page, "csrf"),
                                                           "tilbake": f"/oppgaver/{task_id}"})
    assert f"Frigi{about}" in claimed.text and '<dd id="ansvarlig">Meg</dd>' in claimed.text


# ---- 6. the event date of an overdue task ---------------------------------------------------------------------


def test_an_overdue_task_has_no_date_filled_in_and_needs_one(client, runtime):
    ids = urgent_set(runtime)
    task_id = open_task(runtime, ids["c"], "assess_referral")["id"]
    login(client, "dev-koordinator-nord")
    page = client.get(f"/oppgaver/{task_id}").text
    assert date_value(page) == "" and 'id="dato-forfalt"' in page and "Fristen er passert" in page
    missing = client.post(f"/oppgaver/{task_id}", data={"csrf": field(page, "csrf"), "dato": "",
                                                       "felt_outcome": "right_to_care"})
    assert missing.status_code == 422 and 'id="dato-feil"' in missing.text
    assert 'id="feiloppsummering" tabindex="-1" autofocus' in missing.text
    assert open_task(runtime, ids["c"], "assess_referral")["status"] == "open"  # nothing registered
    on_time = open_task(runtime, ids["b"], "assess_referral")["id"]
    assert date_value(client.get(f"/oppgaver/{on_time}").text) == TODAY.isoformat()


# ---- 8. captions and icons --------------------------------------------------------------------------------------


def test_tables_have_captions_and_icons_need_no_font(client, runtime):
    ids = urgent_set(runtime)
    login(client, "dev-koordinator-nord")
    pages = ["/arbeidsliste", f"/oppgaver/{open_task(runtime, ids['a'], 'somatic_health_check')['id']}",
             "/pasienter/URG-0001", "/pasienter?sok=URG", "/driftsfeil", "/forlopstyper"]
    for url in pages:
        html = client.get(url).text
        tables = re.findall(r"<table[^>]*>\s*(<caption)?", html)
        assert all(caption for caption in tables), url
        assert not re.search("[\u2600-\u27bf\u2b00-\u2bff\U0001f300-\U0001faff]", html), url  # no glyph icons
    css = client.get("/static/style.css").text
    coordinator_block = css[css.index("/* Coordinator pages"):]
    for selector in (".merkelapp.forfalt::before", ".merkelapp.snart::before", ".status.status-met::before"):
        assert selector in coordinator_block  # the font glyphs are replaced by SVG images


def test_the_worklist_pages_no_deeper_than_its_count():
    """Page numbers stop at the count's cap (1000 tasks, 20 pages of 50): a deeper offset reads every task it
    skips; beyond it a coordinator filters (or a client pages the API by cursor)."""
    from api.pages.worklist import LAST_PAGE, PAGE_SIZE, _page_number
    from engine.reading.tasks import COUNT_CAP
    assert LAST_PAGE * PAGE_SIZE == COUNT_CAP == 1000
    assert [_page_number(raw) for raw in ("1", "20", "21", "10000", "-3", "x")] == [1, 20, 20, 20, 1, 1]
