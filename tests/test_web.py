"""The web pages (api/pages/) through the TestClient, on SQLite and PostgreSQL: log-in, roles, CSRF, the worklist,
claiming, registering a task, the pathway timeline and the audit rows every page with patient data leaves."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from api.pages.tasks import check_form
from api.pages.worklist import urgency
from engine.db.models import AuditEvent, AuditShown
from engine.deadlines.calendar import add_working_days, working_days_between
from tests.support import TSB, complete, detail, open_task

TODAY = date(2026, 1, 5)  # conftest START_DAY, a Monday


# ---- helpers -----------------------------------------------------------------------------------------------


def anonymous(client):
    """The fixture's client sends an admin bearer token by default; the pages are tested through the cookie."""
    client.headers.pop("Authorization", None)
    client.cookies.clear()
    return client


def login(client, token: str, neste: str = "/start"):
    anonymous(client)
    page = client.get("/logg-inn", params={"neste": neste})
    assert page.status_code == 200
    response = client.post("/logg-inn", data={"login_csrf": field(page.text, "login_csrf"), "dev_token": token,
                                              "neste": neste}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no field {name}"
    return unescape(match.group(1))


def text_of(html: str) -> str:
    html = re.sub(r"<head>.*?</head>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def patient_of(row: str) -> str:
    return re.search(r'href="/forlop/[^"]+">([A-Z]+-\d+)</a>', row).group(1)


def rows(html: str) -> list[str]:
    """The worklist's table rows (raw HTML), in order."""
    body = re.search(r'<table class="oppgaver">.*?</table>', html, flags=re.S)
    return re.findall(r"<tr class=.*?</tr>", body.group(0), flags=re.S) if body else []


def start(runtime, patient: str, received: date, unit: str = "DPS Nord", pathway: str = TSB) -> str:
    return runtime.start_pathway(patient_key=patient, pathway_key=pathway, unit=unit, setting="outpatient",
                                 referral_received_on=received)


def audit(client) -> list[tuple]:
    with client.app.state.db.reading() as session:
        return [(a.actor, a.action, a.patient_key, a.task_id) for a in
                session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.fixture
def runtime(client):
    return client.app.state.runtime


# ---- log-in and roles --------------------------------------------------------------------------------------


def test_pages_need_a_login_and_come_back_after_it(client):
    anonymous(client)
    for path in ("/arbeidsliste", "/rapporter", "/forlopstyper", "/oppgaver/x", "/forlop/x", "/logg-ut"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/logg-inn?neste="), path
    assert client.get("/", follow_redirects=False).headers["location"] == "/start"
    assert client.get("/start", follow_redirects=False).headers["location"] == "/logg-inn"
    page = client.get("/arbeidsliste?forlop=tsb_d01")
    assert "Logg inn" in page.text and "Kari Koordinator" in page.text  # the dev users to choose from
    assert field(page.text, "neste") == "/arbeidsliste?forlop=tsb_d01"
    response = login(client, "dev-koordinator-nord", neste="/arbeidsliste?forlop=tsb_d01")
    assert response.headers["location"] == "/arbeidsliste?forlop=tsb_d01"
    cookie = [c for c in response.headers.get_list("set-cookie") if c.startswith("pathways_token=")][0]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    page = client.get("/arbeidsliste?forlop=tsb_d01")
    assert page.status_code == 200 and "Du er logget inn som Kari Koordinator" in page.text
    assert "Du er logget inn" not in client.get("/arbeidsliste").text  # the message is shown once


def test_login_refuses_a_wrong_token_a_missing_form_token_and_foreign_redirects(client):
    anonymous(client)
    page = client.get("/logg-inn")
    wrong = client.post("/logg-inn", data={"login_csrf": field(page.text, "login_csrf"), "token": "nope"})
    assert wrong.status_code == 401 and "Ukjent eller ugyldig nøkkel" in wrong.text
    assert "pathways_token" not in client.cookies
    no_form_token = client.post("/logg-inn", data={"token": "dev-admin"})
    assert no_form_token.status_code == 400 and "pathways_token" not in client.cookies
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        assert login(client, "dev-admin", neste=target).headers["location"] == "/start"
    # a pasted token works like choosing a dev user
    page = anonymous(client).get("/logg-inn")
    pasted = client.post("/logg-inn", data={"login_csrf": field(page.text, "login_csrf"), "token": "dev-leder"},
                         follow_redirects=False)
    assert pasted.status_code == 303 and client.get("/start", follow_redirects=False).headers["location"] == "/rapporter"


def test_logout_needs_the_csrf_token(client):
    login(client, "dev-koordinator-nord")
    page = client.get("/logg-ut")
    assert page.status_code == 200
    refused = client.post("/logg-ut", data={"csrf": "wrong"})
    assert refused.status_code == 403 and "sikkerhetsnøkkel" in refused.text
    assert client.get("/arbeidsliste", follow_redirects=False).status_code == 200
    done = client.post("/logg-ut", data={"csrf": field(page.text, "csrf")}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/logg-inn"
    assert client.get("/arbeidsliste", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("token, home", [("dev-koordinator-nord", "/arbeidsliste"), ("dev-admin", "/arbeidsliste"),
                                         ("dev-leder", "/rapporter"), ("dev-modellerer", "/forlopstyper")])
def test_each_role_starts_on_its_own_page(client, token, home):
    login(client, token)
    assert client.get("/start", follow_redirects=False).headers["location"] == home
    assert client.get(home).status_code == 200


def test_managers_and_modellers_get_no_patient_pages(client, runtime):
    instance_id = start(runtime, "WEB-0001", TODAY)
    task_id = open_task(runtime, instance_id, "assess_referral")["id"]
    for token in ("dev-leder", "dev-modellerer"):
        login(client, token)
        for path in ("/arbeidsliste", f"/oppgaver/{task_id}", f"/forlop/{instance_id}"):
            response = client.get(path)
            assert response.status_code == 403, (token, path)
            assert "ikke tilgang til pasientopplysninger" in response.text and "WEB-0001" not in response.text
        page = client.get("/forlopstyper")
        assert page.status_code == 200 and "Pakkeforløp rusbehandling (TSB)" in page.text
        assert "Arbeidsliste" not in text_of(page.text)  # not in the menu either
    login(client, "dev-modellerer")
    assert client.get("/rapporter").status_code == 403
    assert audit(client) == []  # refused reads leave no rows, and show nothing


def test_a_coordinator_sees_only_their_own_units(client, runtime):
    mine = start(runtime, "WEB-0001", TODAY, unit="DPS Nord")
    theirs = start(runtime, "WEB-0002", TODAY, unit="DPS Sør")
    their_task = open_task(runtime, theirs, "assess_referral")["id"]
    login(client, "dev-koordinator-nord")
    page = client.get("/arbeidsliste")
    assert "WEB-0001" in page.text and "WEB-0002" not in page.text
    assert "WEB-0002" not in client.get("/arbeidsliste?enhet=DPS Sør").text
    csrf = field(page.text, "csrf")
    for method, path, data in (("get", f"/forlop/{theirs}", None), ("get", f"/oppgaver/{their_task}", None),
                               ("post", f"/oppgaver/{their_task}/ta", {"csrf": csrf}),
                               ("post", f"/oppgaver/{their_task}/frigi", {"csrf": csrf}),
                               ("post", f"/oppgaver/{their_task}", {"csrf": csrf, "dato": "2026-01-05",
                                                                  "felt_outcome": "right_to_care"})):
        response = getattr(client, method)(path, **({"data": data} if data else {}))
        assert response.status_code == 404, (path, response.status_code)
        assert "Finnes ikke" in response.text and "WEB-0002" not in response.text
        assert "Traceback" not in response.text
    assert open_task(runtime, theirs, "assess_referral")["assignee"] is None
    assert client.get(f"/forlop/{mine}").status_code == 200
    assert client.get("/forlop/does-not-exist").status_code == 404


def test_pages_send_headers_against_caching_framing_and_scripts(client):
    login(client, "dev-admin")
    response = client.get("/arbeidsliste")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'none'" in response.headers["content-security-policy"]
    assert "<script" not in response.text
    assert client.get("/static/style.css").status_code == 200


# ---- the worklist ------------------------------------------------------------------------------------------


def test_urgency_counts_working_days():
    friday = date(2026, 1, 9)
    assert urgency(None, friday) is None
    assert urgency(friday - timedelta(days=1), friday) == ("forfalt", "Forfalt")
    assert urgency(friday, friday) == ("snart", "Forfaller snart")
    # Friday + 3 working days is Wednesday (the weekend does not count), Thursday is the 4th
    assert urgency(date(2026, 1, 14), friday) == ("snart", "Forfaller snart")
    assert urgency(date(2026, 1, 15), friday) is None
    # Easter 2026: Thursday 2 April to Monday 6 April are public holidays
    assert urgency(date(2026, 4, 9), date(2026, 4, 1)) == ("snart", "Forfaller snart")


def test_worklist_sorts_by_due_date_and_marks_overdue_and_soon(client, runtime):
    # referral assessment is due 10 working days after the referral
    received = {"WEB-0001": TODAY - timedelta(days=30), "WEB-0002": TODAY, "WEB-0003": TODAY - timedelta(days=15),
                "WEB-0004": TODAY - timedelta(days=40)}
    ids = {patient: start(runtime, patient, day) for patient, day in received.items()}
    # WEB-0004's referral is assessed: its next task (first attendance) has no due date, so it comes last
    complete(runtime, ids["WEB-0004"], "assess_referral", TODAY - timedelta(days=35), outcome="right_to_care")
    due = {p: add_working_days(day, 10) for p, day in received.items() if p != "WEB-0004"}
    assert due["WEB-0001"] < TODAY and working_days_between(TODAY, due["WEB-0003"]) <= 3
    assert working_days_between(TODAY, due["WEB-0002"]) > 3
    login(client, "dev-koordinator-nord")
    # (the late referrals also have an escalation task without due date in the unit lead's lane)
    page = client.get("/arbeidsliste?rolle=Forløpskoordinator")
    listed = rows(page.text)
    order = [patient_of(row) for row in listed]
    assert order == ["WEB-0001", "WEB-0003", "WEB-0002", "WEB-0004"]
    overdue, soon, later, undated = listed
    assert 'class="forfalt"' in overdue and ">Forfalt<" in overdue and due["WEB-0001"].strftime("%d.%m.%Y") in overdue
    assert 'class="snart"' in soon and ">Forfaller snart<" in soon
    assert 'class=""' in later and "Forfalt" not in later and "Forfaller snart" not in later
    assert "Registrere første fremmøte" in undated and "–" in undated
    assert "4 oppgaver" in page.text
    assert f'href="/oppgaver/{open_task(runtime, ids["WEB-0001"], "assess_referral")["id"]}"' in overdue
    assert f'href="/forlop/{ids["WEB-0001"]}"' in overdue


def test_worklist_filters(client, runtime):
    tsb = start(runtime, "WEB-0001", TODAY)
    adults = start(runtime, "WEB-0002", TODAY, pathway="mental_health_adults_d11")
    start(runtime, "WEB-0003", TODAY, unit="DPS Sør")
    login(client, "dev-koordinator-nord")

    def patients(query: str) -> list[str]:
        page = client.get("/arbeidsliste" + query)
        assert page.status_code == 200
        return sorted(patient_of(row) for row in rows(page.text))

    assert patients("") == ["WEB-0001", "WEB-0002"]
    assert patients("?forlop=mental_health_adults_d11") == ["WEB-0002"]
    assert patients("?pasient=WEB-0001") == ["WEB-0001"]
    assert patients("?pasient=WEB-0003") == []  # another unit's patient is not found
    assert patients("?rolle=Forløpskoordinator") == ["WEB-0001", "WEB-0002"]
    assert patients("?rolle=Enhetsleder") == []
    assert patients("?ansvarlig=mine") == []
    runtime.claim_task(open_task(runtime, tsb, "assess_referral")["id"], "koordinator-nord")
    assert patients("?ansvarlig=mine") == ["WEB-0001"]
    assert patients("?ansvarlig=mine&forlop=mental_health_adults_d11") == []
    assert patients("?side=abc") == ["WEB-0001", "WEB-0002"]  # a bad page number is the first page
    assert "Ingen åpne oppgaver med disse filtrene" in client.get("/arbeidsliste?pasient=NONE-0001").text
    assert adults
    # the administrator sees every unit and can pick one
    login(client, "dev-admin")
    assert patients("") == ["WEB-0001", "WEB-0002", "WEB-0003"]
    assert patients("?enhet=DPS Sør") == ["WEB-0003"]


def test_claim_and_release_from_the_worklist(client, runtime):
    instance_id = start(runtime, "WEB-0001", TODAY)
    task_id = open_task(runtime, instance_id, "assess_referral")["id"]
    login(client, "dev-koordinator-nord")
    page = client.get("/arbeidsliste?forlop=tsb_d01")
    assert "Ta oppgaven" in page.text
    csrf = field(page.text, "csrf")
    back = field(page.text, "tilbake")
    assert back == "/arbeidsliste?forlop=tsb_d01&side=1"
    no_token = client.post(f"/oppgaver/{task_id}/ta", data={"tilbake": back})
    assert no_token.status_code == 403 and open_task(runtime, instance_id, "assess_referral")["assignee"] is None
    other_users_token = client.post(f"/oppgaver/{task_id}/ta", data={"csrf": "0" * 64})
    assert other_users_token.status_code == 403
    claimed = client.post(f"/oppgaver/{task_id}/ta", data={"csrf": csrf, "tilbake": back}, follow_redirects=False)
    assert claimed.status_code == 303 and claimed.headers["location"] == back
    assert open_task(runtime, instance_id, "assess_referral")["assignee"] == "koordinator-nord"
    page = client.get(back)
    assert "Du har tatt oppgaven «Vurdere henvisning»" in page.text
    [row] = rows(page.text)
    assert "Meg" in row and "Frigi" in row and "Ta oppgaven" not in row
    # someone else cannot take it over; they see why, in Norwegian
    runtime.unclaim_task(task_id)
    runtime.claim_task(task_id, "kollega")
    taken = client.post(f"/oppgaver/{task_id}/ta", data={"csrf": csrf, "tilbake": "https://evil.example/"},
                        follow_redirects=False)
    assert taken.headers["location"] == "/arbeidsliste"
    assert "allerede tatt av en annen" in client.get("/arbeidsliste").text
    runtime.unclaim_task(task_id)
    runtime.claim_task(task_id, "koordinator-nord")
    released = client.post(f"/oppgaver/{task_id}/frigi", data={"csrf": csrf, "tilbake": back})
    assert released.status_code == 200 and "er frigitt" in released.text
    assert open_task(runtime, instance_id, "assess_referral")["assignee"] is None
    actions = [(actor, action) for actor, action, _, _ in audit(client) if action.endswith("claim_task")]
    assert actions == [("koordinator-nord", "claim_task"), ("koordinator-nord", "unclaim_task")]


def test_the_csrf_token_belongs_to_the_login(client, runtime):
    instance_id = start(runtime, "WEB-0001", TODAY)
    task_id = open_task(runtime, instance_id, "assess_referral")["id"]
    login(client, "dev-admin")
    admins = field(client.get("/arbeidsliste").text, "csrf")
    login(client, "dev-koordinator-nord")
    coordinators = field(client.get("/arbeidsliste").text, "csrf")
    assert admins != coordinators
    assert client.post(f"/oppgaver/{task_id}/ta", data={"csrf": admins}).status_code == 403
    assert client.post(f"/oppgaver/{task_id}/ta", data={"csrf": coordinators}).status_code == 200


# ---- registering ------------------------------------------------------------------------------------------


def test_the_task_page_shows_the_form_from_the_definition(client, runtime):
    instance_id = start(runtime, "WEB-0001", TODAY - timedelta(days=3))
    task_id = open_task(runtime, instance_id, "assess_referral")["id"]
    login(client, "dev-koordinator-nord")
    page = client.get(f"/oppgaver/{task_id}")
    assert page.status_code == 200
    html = page.text
    assert re.search(r'<input id="dato" name="dato" type="date" value="2026-01-05" max="2026-01-05" '
                     r'min="2026-01-02"', html)
    assert '<select id="felt_outcome" name="felt_outcome" required>' in html
    assert '<option value="right_to_care">Rett til nødvendig helsehjelp – start pakkeforløp</option>' in html
    assert '<select id="felt_referral_type" name="felt_referral_type">' in html  # optional
    assert "Vurdere henvisning" in html and "WEB-0001" in html
    # a boolean is a checkbox
    complete(runtime, instance_id, "assess_referral", TODAY, outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", TODAY)
    somatic = open_task(runtime, instance_id, "somatic_health_check")["id"]
    html = client.get(f"/oppgaver/{somatic}").text
    assert '<input id="felt_somatic_follow_up_needed" name="felt_somatic_follow_up_needed" type="checkbox"' in html


def test_a_bounded_number_field_is_a_bounded_input_and_its_refusal_reads_in_bokmal(client, runtime):
    instance_id = start(runtime, "WEB-0003", TODAY, pathway="municipal_main_course_3")
    complete(runtime, instance_id, "assign_coordinator", TODAY, coordinator_name="Ola Nordmann")
    task_id = open_task(runtime, instance_id, "establish_responsibility_group")["id"]
    login(client, "dev-koordinator-nord")
    page = client.get(f"/oppgaver/{task_id}").text
    assert re.search(r'<input id="felt_meeting_interval_months" name="felt_meeting_interval_months" type="number" '
                     r'step="1" inputmode="numeric" value="" min="1" max="24" required', page)
    refused = client.post(f"/oppgaver/{task_id}", data={"csrf": field(page, "csrf"), "dato": TODAY.isoformat(),
                                                         "felt_meeting_interval_months": "100000000"})
    assert refused.status_code == 422
    assert "Skriv et helt tall fra 1 til 24." in text_of(refused.text)
    assert open_task(runtime, instance_id, "establish_responsibility_group")["id"] == task_id  # nothing registered


def test_check_form_types_and_messages():
    fields = [
        {"id": "outcome", "label": "Utfall", "type": "enum", "required": True,
         "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]},
        {"id": "flag", "label": "Flagg", "type": "boolean", "required": False, "options": []},
        {"id": "count", "label": "Antall", "type": "long", "required": False, "options": []},
        {"id": "when", "label": "Når", "type": "date", "required": False, "options": []},
        {"id": "note", "label": "Notat", "type": "string", "required": True, "options": []},
    ]
    ok = check_form(fields, {"dato": "2026-01-05", "felt_outcome": "b", "felt_flag": "ja", "felt_count": "12",
                             "felt_when": "2025-12-01", "felt_note": " tekst "}, TODAY, None)
    assert ok.errors == {} and ok.occurred_on == TODAY
    assert ok.data == {"outcome": "b", "flag": True, "count": 12, "when": "2025-12-01", "note": "tekst"}
    unchecked = check_form(fields, {"dato": "2026-01-05", "felt_outcome": "a", "felt_note": "x"}, TODAY, None)
    assert unchecked.data["flag"] is False and "count" not in unchecked.data
    bad = check_form(fields, {"dato": "2026-02-30", "felt_outcome": "c", "felt_count": "1,5", "felt_when": "i går",
                              "felt_note": ""}, TODAY, None)
    assert bad.errors == {"dato": "Ugyldig dato. Bruk formatet åååå-mm-dd.",
                          "felt_outcome": "Velg et av alternativene i listen.", "felt_count": "Skriv et helt tall.",
                          "felt_when": "Ugyldig dato. Bruk formatet åååå-mm-dd.", "felt_note": "Feltet må fylles ut."}
    assert check_form(fields, {"felt_outcome": "a", "felt_note": "x"}, TODAY, None).errors == {
        "dato": "Oppgi datoen da det skjedde."}
    assert "fram i tid" in check_form(fields, {"dato": "2026-01-06", "felt_outcome": "a", "felt_note": "x"},
                                      TODAY, None).errors["dato"]
    assert "før forrige registrerte målepunkt (04.01.2026)" in check_form(
        fields, {"dato": "2026-01-03", "felt_outcome": "a", "felt_note": "x"}, TODAY, date(2026, 1, 4)).errors["dato"]
    assert "velg" in check_form(fields, {"dato": "2026-01-05", "felt_note": "x"}, TODAY, None).errors[
        "felt_outcome"].lower()


def test_register_with_errors_keeps_the_input_then_succeeds(client, runtime):
    instance_id = start(runtime, "WEB-0001", TODAY - timedelta(days=5))
    task_id = open_task(runtime, instance_id, "assess_referral")["id"]
    login(client, "dev-koordinator-nord")
    csrf = field(client.get(f"/oppgaver/{task_id}").text, "csrf")
    refused = client.post(f"/oppgaver/{task_id}", data={"csrf": csrf, "dato": "2026-01-09",
                                                        "felt_referral_type": "acute_overdose"})
    assert refused.status_code == 422
    html = refused.text
    assert "Registreringen er ikke lagret" in html and "Traceback" not in html
    assert "Datoen kan ikke være fram i tid (i dag er 05.01.2026)." in html
    assert "Vurdering: Velg et alternativ." in html  # in the summary, with the field's label
    assert 'id="felt_outcome-feil">Velg et alternativ.' in html  # and next to the field
    assert 'value="2026-01-09"' in html  # the input is kept
    assert '<option value="acute_overdose" selected>' in html
    assert open_task(runtime, instance_id, "assess_referral")["status"] == "open"
    before_previous = client.post(f"/oppgaver/{task_id}", data={"csrf": csrf, "dato": "2025-12-01",
                                                               "felt_outcome": "right_to_care"})
    assert before_previous.status_code == 422 and "før forrige registrerte målepunkt (31.12.2025)" in before_previous.text
    no_csrf = client.post(f"/oppgaver/{task_id}", data={"dato": "2026-01-05", "felt_outcome": "right_to_care"})
    assert no_csrf.status_code == 403 and open_task(runtime, instance_id, "assess_referral")["status"] == "open"

    done = client.post(f"/oppgaver/{task_id}", data={"csrf": csrf, "dato": "2026-01-02",
                                                    "felt_outcome": "right_to_care",
                                                    "felt_referral_type": "ordinary"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/arbeidsliste"
    page = client.get("/arbeidsliste")
    assert "Registrert: «Vurdere henvisning» (02.01.2026)." in page.text
    assert f"/oppgaver/{task_id}" not in page.text
    assert "Registrere første fremmøte" in page.text  # the pathway moved on
    points = detail(runtime, instance_id)["measuring_points"]
    assert [(p["code"], p["occurred_on"], p["outcome"], p["registered_by"]) for p in points][-1] == (
        "referral_assessed", date(2026, 1, 2), "right_to_care", "koordinator-nord")
    # the finished task's page says so instead of offering the form again
    finished = client.get(f"/oppgaver/{task_id}")
    assert finished.status_code == 200 and "ikke lenger åpen" in finished.text and 'name="dato"' not in finished.text
    again = client.post(f"/oppgaver/{task_id}", data={"csrf": csrf, "dato": "2026-01-05",
                                                     "felt_outcome": "right_to_care"})
    assert again.status_code == 409 and "ikke lenger åpen" in again.text


def test_register_a_checkbox(client, runtime):
    instance_id = start(runtime, "WEB-0001", TODAY - timedelta(days=5))
    complete(runtime, instance_id, "assess_referral", TODAY - timedelta(days=4), outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", TODAY - timedelta(days=1))
    task_id = open_task(runtime, instance_id, "somatic_health_check")["id"]
    login(client, "dev-koordinator-nord")
    csrf = field(client.get(f"/oppgaver/{task_id}").text, "csrf")
    done = client.post(f"/oppgaver/{task_id}", data={"csrf": csrf, "dato": "2026-01-05",
                                                    "felt_somatic_follow_up_needed": "ja"}, follow_redirects=False)
    assert done.status_code == 303
    assert detail(runtime, instance_id)["measuring_points"][-1]["code"] == "somatic_health_assessed"


# ---- the timeline ------------------------------------------------------------------------------------------


def test_timeline_shows_points_deadlines_and_statuses_in_norwegian(client, runtime, clock):
    late = start(runtime, "WEB-0001", date(2025, 11, 3), pathway="mental_health_adults_d11")
    complete(runtime, late, "assess_referral", date(2025, 11, 4), outcome="right_to_care")
    complete(runtime, late, "first_attendance", date(2025, 11, 10))
    login(client, "dev-koordinator-nord")
    page = client.get(f"/forlop/{late}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Pakkeforløp psykiske lidelser – voksne – pasient WEB-0001" in text
    assert "poliklinikk" in text and "aktivt" in text
    # measuring points in date order, with their element names and outcomes
    received = text.index("03.11.2025 Henvisning mottatt")
    assessed = text.index("04.11.2025 Vurdere henvisning (Henvisning vurdert) – Rett til nødvendig helsehjelp")
    attended = text.index("10.11.2025 Registrere første fremmøte")
    assert received < assessed < attended
    # each deadline: from, to, due date, status in Norwegian; the unconfirmed one flagged
    rows_ = re.findall(r'<tr class="status-[a-z]+">.*?</tr>', page.text, flags=re.S)
    referral = next(r for r in rows_ if "Henvisning vurdert innen" in r)
    assert "status-met" in referral and ">innfridd<" in referral and "Henvisning mottatt 03.11.2025" in text_of(referral)
    assessment = next(r for r in rows_ if "Utredning innen forløpstid" in r)
    assert ">forfalt<" in assessment and "22.12.2025" in assessment and "42 dager" in assessment
    assert "ikke bekreftet</span>" in assessment and "⚠" not in assessment  # an inline SVG, not a font's emoji
    assert "Første fremmøte 10.11.2025" in text_of(assessment)
    assert "Frist: Utredning innen forløpstid forfalt" in text
    # open tasks with links
    task_id = open_task(runtime, late, "clinical_decision_basic")["id"]
    assert f'<a href="/oppgaver/{task_id}">Klinisk beslutning etter basisutredning</a>' in page.text
    assert client.get(f"/forlop/{late}", follow_redirects=False).status_code == 200


def test_timeline_statuses_breached_deferred_and_cancelled_labels(client, runtime, clock):
    instance_id = start(runtime, "WEB-0001", date(2025, 11, 3))
    complete(runtime, instance_id, "assess_referral", date(2025, 12, 1), outcome="right_to_care")  # too late
    login(client, "dev-koordinator-nord")
    text = text_of(client.get(f"/forlop/{instance_id}").text)
    assert "brutt" in text and "(avsluttet 01.12.2025)" in text
    from api.pages.labels import STATUS_LABELS
    assert STATUS_LABELS == {"pending": "venter", "overdue": "forfalt", "met": "innfridd", "breached": "brutt",
                             "deferred": "pasientutsatt", "cancelled": "avbrutt"}


# ---- audit -------------------------------------------------------------------------------------------------


def test_every_page_with_patient_data_leaves_audit_rows(client, runtime):
    first = start(runtime, "WEB-0001", TODAY)
    second = start(runtime, "WEB-0002", TODAY)
    start(runtime, "WEB-0003", TODAY, unit="DPS Sør")
    task_id = open_task(runtime, first, "assess_referral")["id"]
    login(client, "dev-koordinator-nord")
    assert audit(client) == []
    client.get("/arbeidsliste")  # one row for the list read, naming each patient it showed
    assert audit(client) == [("koordinator-nord", "list_tasks", None, None)]
    with client.app.state.db.reading() as session:
        assert sorted(session.execute(select(AuditShown.patient_key, AuditShown.instance_id)).all()) == [
            ("WEB-0001", first), ("WEB-0002", second)]
    client.get(f"/oppgaver/{task_id}")
    assert audit(client)[-1] == ("koordinator-nord", "read_task", "WEB-0001", task_id)
    client.get(f"/forlop/{second}")
    assert audit(client)[-1] == ("koordinator-nord", "read_instance", "WEB-0002", None)
    before = len(audit(client))
    client.get("/forlopstyper")
    client.get("/rapporter")
    assert len(audit(client)) == before  # no patient data there
    client.get("/arbeidsliste?pasient=NONE-0001")
    assert len(audit(client)) == before  # nobody shown, nobody audited


def test_no_icon_depends_on_a_font():
    """Marks are inline SVG or text (issue 12, item 8): no emoji or dingbat glyph in a template or the style sheet."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "api"
    glyph = re.compile("[\u2600-\u27bf\U0001f300-\U0001faff\ufe0f]")
    found = [f"{path.name}: {match.group()!r}" for path in [*(root / "templates").glob("*.html"), root / "static" /
                                                            "style.css"]
             for match in glyph.finditer(path.read_text(encoding="utf-8"))]
    assert found == []
