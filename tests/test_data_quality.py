"""The data-quality report, like the registry's monthly feedback: active pathways missing an expected registration,
per unit and check; coordinators see their own units with links to the pathways, managers counts only, the
worklist a count. Engine, API and pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import event, select

from api.pages.labels import DATA_QUALITY_LABELS
from engine.access.principals import DEV_USERS
from engine.db.models import AuditEvent
from engine.reading.data_quality import (
    CHECKS,
    DECISION_OVERDUE_DAYS,
    EVALUATION_OVERDUE_DAYS,
    INACTIVE_DAYS,
    data_quality_counts,
    data_quality_findings,
    data_quality_total,
)
from tests.support import complete, start_tsb, to_clinical_decision

TODAY = date(2026, 1, 5)  # conftest START_DAY
ZERO = dict.fromkeys(CHECKS, 0)


def flawed(runtime) -> dict[str, str]:
    """One pathway per check, and their near misses (today 5 January 2026; TSB outpatient):

    DPS Nord  decision: first attendance 3 Nov, assessment due 24 Nov (42 days past due)  -> a
              decision_ok: first attendance 1 Dec, due 22 Dec (14 days past due)          -> nothing
              evaluation: decision CT 1 Oct, first evaluation due 8 Oct (89 days past due) -> b
              psychosis: started 1 Dec, the pathway has no confirmed type code             -> d
    DPS Sør   idle: referral 1 Jun 2025, nothing registered since (218 days)               -> c
              (and its referral assessment is overdue, which is the compliance report's business)
    Porsgrunn a municipal coordination idle as long: the municipality does not report      -> nothing
    """
    ids = {"decision": start_tsb(runtime, patient="DQ-0001", received=date(2025, 10, 27), unit="DPS Nord")}
    complete(runtime, ids["decision"], "assess_referral", date(2025, 10, 28), outcome="right_to_care")
    complete(runtime, ids["decision"], "first_attendance", date(2025, 11, 3))
    ids["decision_ok"] = start_tsb(runtime, patient="DQ-0002", received=date(2025, 11, 24), unit="DPS Nord")
    complete(runtime, ids["decision_ok"], "assess_referral", date(2025, 11, 25), outcome="right_to_care")
    complete(runtime, ids["decision_ok"], "first_attendance", date(2025, 12, 1))
    ids["evaluation"] = start_tsb(runtime, patient="DQ-0003", received=date(2025, 9, 15), unit="DPS Nord")
    to_clinical_decision(runtime, ids["evaluation"], assessed=date(2025, 9, 16), attended=date(2025, 9, 22),
                         decided=date(2025, 10, 1))
    complete(runtime, ids["evaluation"], "plan_treatment", date(2025, 10, 2), detoxification=False)
    ids["psychosis"] = runtime.start_pathway(patient_key="DQ-0004", pathway_key="psychosis", unit="DPS Nord",
                                             setting="outpatient", referral_received_on=date(2025, 12, 1))
    ids["idle"] = start_tsb(runtime, patient="DQ-0005", received=date(2025, 6, 1), unit="DPS Sør")
    ids["municipal"] = runtime.start_pathway(patient_key="DQ-0006", pathway_key="municipal_coordination",
                                             unit="Porsgrunn kommune", setting="outpatient",
                                             referral_received_on=date(2025, 6, 1))
    return ids


NORD = {**ZERO, "missing_clinical_decision": 1, "evaluation_overdue": 1, "type_code_missing": 1}
SOR = {**ZERO, "no_closure": 1}


def counts(rows) -> dict[str, dict[str, int]]:
    return {u.unit: u.counts for u in rows}


# ---- engine ------------------------------------------------------------------------------------------------

def test_the_thresholds_are_named_and_every_check_has_a_text():
    assert (DECISION_OVERDUE_DAYS, EVALUATION_OVERDUE_DAYS, INACTIVE_DAYS) == (30, 60, 180)
    assert set(DATA_QUALITY_LABELS) == set(CHECKS)


def test_each_check_finds_its_pathway_and_not_the_near_misses(runtime):
    ids = flawed(runtime)
    assert counts(data_quality_counts(runtime.db, runtime.definitions, TODAY)) == {"DPS Nord": NORD, "DPS Sør": SOR}
    findings = data_quality_findings(runtime.db, runtime.definitions, TODAY)
    assert [(f.check, f.unit, f.instance_id, f.since.isoformat()) for f in findings] == [
        ("missing_clinical_decision", "DPS Nord", ids["decision"], "2025-11-24"),
        ("evaluation_overdue", "DPS Nord", ids["evaluation"], "2025-10-08"),
        ("no_closure", "DPS Sør", ids["idle"], "2025-06-01"),
    ]
    assert counts(data_quality_counts(runtime.db, runtime.definitions, TODAY, ["DPS Sør"])) == {"DPS Sør": SOR}
    assert data_quality_total(runtime.db, runtime.definitions, TODAY, ["DPS Nord"]) == 3


def test_a_registration_or_a_closure_clears_the_finding(runtime):
    ids = flawed(runtime)
    complete(runtime, ids["decision"], "somatic_health_check", date(2026, 1, 5), somatic_follow_up_needed=False)
    complete(runtime, ids["decision"], "clinical_decision_basic", date(2026, 1, 5), outcome="CT")
    runtime.close_pathway(ids["idle"], closed_on=date(2026, 1, 5), outcome="other")
    assert counts(data_quality_counts(runtime.db, runtime.definitions, TODAY)) == {
        "DPS Nord": {**NORD, "missing_clinical_decision": 0}}


def test_a_day_before_the_threshold_nothing_is_found(runtime):
    flawed(runtime)
    assert data_quality_total(runtime.db, runtime.definitions, date(2025, 12, 24), ["DPS Nord"]) == 2  # b, d
    assert data_quality_total(runtime.db, runtime.definitions, date(2025, 12, 25), ["DPS Nord"]) == 3


# ---- API ---------------------------------------------------------------------------------------------------

def _get(client, token: str):
    return client.get("/reports/data-quality", headers={"Authorization": f"Bearer {token}"})


def _audited(client) -> list[tuple]:
    with client.app.state.db.reading() as session:
        return [(a.actor, a.patient_key) for a in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "read_data_quality").order_by(AuditEvent.id))]


def test_the_api_follows_the_roles(client):
    ids = flawed(client.app.state.runtime)
    admin = _get(client, "dev-admin").json()
    assert {u["unit"]: u["counts"] for u in admin["units"]} == {"DPS Nord": NORD, "DPS Sør": SOR}
    assert admin["thresholds"] == {"missing_clinical_decision": 30, "evaluation_overdue": 60, "no_closure": 180}
    assert [f["instance_id"] for f in admin["findings"]] == [ids["decision"], ids["evaluation"], ids["idle"]]
    nord = _get(client, "dev-koordinator-nord").json()
    assert [u["unit"] for u in nord["units"]] == ["DPS Nord"] and nord["units"][0]["total"] == 3
    assert {f["patient_key"] for f in nord["findings"]} == {"DQ-0001", "DQ-0003"}
    manager = _get(client, "dev-leder")
    assert manager.status_code == 200 and manager.json()["findings"] is None
    assert "DQ-0" not in manager.text and len(manager.json()["units"]) == 2
    refused = _get(client, "dev-modellerer")
    assert refused.status_code == 403 and refused.json()["code"] == "role_forbidden"
    assert _audited(client) == [("admin", "DQ-0001"), ("admin", "DQ-0003"), ("admin", "DQ-0005"),
                                ("koordinator-nord", "DQ-0001"), ("koordinator-nord", "DQ-0003")]


# ---- pages -------------------------------------------------------------------------------------------------

def test_the_page_links_a_coordinators_pathways_and_shows_a_manager_counts(client):
    from tests.test_web import login, text_of
    ids = flawed(client.app.state.runtime)
    login(client, "dev-koordinator-nord")
    page = client.get("/rapporter/datakvalitet")
    assert page.status_code == 200
    assert f'href="/forlop/{ids["decision"]}">DQ-0001</a>' in page.text
    assert f'href="/forlop/{ids["evaluation"]}">DQ-0003</a>' in page.text
    assert "DPS Sør" not in page.text and "DQ-0005" not in page.text
    assert "Mangler klinisk beslutning" in page.text and "mer enn 30 dager" in text_of(page.text)
    login(client, "dev-leder")
    page = client.get("/rapporter/datakvalitet")
    assert page.status_code == 200 and "DQ-0" not in page.text and "/forlop/" not in page.text
    unit_rows = re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', page.text, flags=re.S)
    assert [u for u, _ in unit_rows] == ["DPS Nord", "DPS Sør"]
    assert re.search(r'data-col="sum">3<', unit_rows[0][1]) and re.search(r'data-col="no_closure">1<', unit_rows[1][1])
    assert 'id="datakvalitet-lenke"' in client.get("/rapporter").text
    login(client, "dev-modellerer")
    assert client.get("/rapporter/datakvalitet").status_code == 403


def test_the_worklist_shows_the_units_count_with_one_query(client):
    from tests.test_web import login
    flawed(client.app.state.runtime)
    login(client, "dev-koordinator-sor")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = client.app.state.db.reader
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get("/arbeidsliste")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200
    assert re.search(r'id="datakvalitet-antall">Datakvalitet: 1 funn', page.text)
    assert sum("UNION ALL" in s for s in statements) == 1
    login(client, "dev-koordinator-bup")
    assert "datakvalitet-antall" not in client.get("/arbeidsliste").text  # nothing found: no line


def test_the_worklists_count_is_reused_for_a_minute_and_counted_again_after(client, monkeypatch):
    from engine.actions.reports import data_quality_count
    from engine.reading import data_quality
    runtime = client.app.state.runtime
    flawed(runtime)
    admin = DEV_USERS["dev-admin"]
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    now = [1000.0]
    monkeypatch.setattr(data_quality, "monotonic", lambda: now[0])
    event.listen(runtime.db.reader, "before_cursor_execute", seen)
    try:
        assert data_quality_count(runtime, admin) == 4
        start_tsb(runtime, patient="DQ-0007", received=date(2025, 6, 1), unit="DPS Sør")  # idle: one more
        now[0] += data_quality.TOTAL_SECONDS - 1
        assert data_quality_count(runtime, admin) == 4  # within the minute: the count before, not counted again
        assert sum("UNION ALL" in s for s in statements) == 1
        now[0] += 1
        assert data_quality_count(runtime, admin) == 5
        assert sum("UNION ALL" in s for s in statements) == 2
    finally:
        event.remove(runtime.db.reader, "before_cursor_execute", seen)
