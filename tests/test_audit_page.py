"""The audit trail for administrators: the engine's filter by patient, actor, action and Norwegian days, `GET /audit`
with the same filter, and the page `/revisjonslogg` (Norwegian local times, paged, bokmål error summary, admins
only), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from api.pages.audit import PAGE_SIZE
from engine.access.audit import AuditFilter, audit_row, audit_trail, record_reads
from engine.db.models import AuditEvent
from engine.errors import ErrorCode, InvalidInput
from tests.test_web import login, text_of

UTC = timezone.utc
#: Norway moves to summer time on 29 March 2026 at 02:00: a row at 23:30 UTC on the 28th is 00:30 on the 29th.
BEFORE_MIDNIGHT_OSLO = datetime(2026, 3, 28, 22, 30, tzinfo=UTC)  # 28.03 kl. 23:30
AFTER_MIDNIGHT_OSLO = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # 29.03 kl. 00:30
SUMMER_AFTERNOON = datetime(2026, 3, 30, 13, 4, tzinfo=UTC)  # 30.03 kl. 15:04 (UTC+2)


def _trail_rows(db) -> None:
    record_reads(db, [
        audit_row(BEFORE_MIDNIGHT_OSLO, "koordinator-nord", "read_task", patient_key="P-0001", task_id="t1"),
        audit_row(AFTER_MIDNIGHT_OSLO, "koordinator-nord", "start_pathway", patient_key="P-0001", detail="tsb_d01"),
        audit_row(SUMMER_AFTERNOON, "koordinator-sor", "read_instance", patient_key="P-0002"),
    ])


def _actions(page: dict) -> list[str]:
    return [row["action"] for row in page["items"]]


# ---- the engine's filter ---------------------------------------------------------------------------------------

def test_the_trail_is_filtered_by_norwegian_days_action_and_actor(db):
    _trail_rows(db)
    day = date(2026, 3, 29)
    assert _actions(audit_trail(db, AuditFilter(from_date=day, to_date=day))) == ["start_pathway"]
    assert _actions(audit_trail(db, AuditFilter(to_date=date(2026, 3, 28)))) == ["read_task"]
    assert _actions(audit_trail(db, AuditFilter(from_date=day))) == ["read_instance", "start_pathway"]
    assert _actions(audit_trail(db, AuditFilter(action="read_task", patient_key="P-0001"))) == ["read_task"]
    assert _actions(audit_trail(db, AuditFilter(actor="koordinator-sor", to_date=date(2026, 3, 29)))) == []
    assert audit_trail(db, AuditFilter(), limit=2, offset=2)["items"][0]["action"] == "read_task"


@pytest.mark.parametrize("flt, code, field", [
    (AuditFilter(from_date=date(2026, 4, 2), to_date=date(2026, 4, 1)), ErrorCode.RANGE_REVERSED, None),
    (AuditFilter(to_date=date(1, 1, 1)), ErrorCode.DATE_INVALID, "to_date"),
    (AuditFilter(from_date=date(9999, 12, 31)), ErrorCode.DATE_INVALID, "from_date"),
])
def test_a_filter_outside_the_bounds_is_refused_with_its_code(flt, code, field):
    with pytest.raises(InvalidInput) as refused:
        flt.check()
    assert refused.value.code == code and refused.value.params.get("field") == field


# ---- GET /audit ------------------------------------------------------------------------------------------------

def test_the_api_filters_by_action_and_date_range_and_audits_what_was_asked(client):
    _trail_rows(client.app.state.db)
    page = client.get("/audit", params={"patient_key": "P-0001", "from_date": "2026-03-29",
                                        "to_date": "2026-03-29"}).json()
    assert _actions(page) == ["start_pathway"]  # the read of the trail is dated today (January), not in the range
    assert _actions(client.get("/audit", params={"action": "read_instance"}).json()) == ["read_instance"]
    with client.app.state.db.reading() as session:
        details = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "read_audit")
                                  .order_by(AuditEvent.id)).all()
    assert details == ["from=2026-03-29 to=2026-03-29", "action=read_instance"]


@pytest.mark.parametrize("query, code", [
    ({"from_date": "2026-04-02", "to_date": "2026-04-01"}, ErrorCode.RANGE_REVERSED),
    ({"from_date": "0001-01-01"}, ErrorCode.DATE_INVALID),
    ({"to_date": "2026-13-01"}, ErrorCode.REQUEST_INVALID),
    ({"action": "x" * 41}, ErrorCode.REQUEST_INVALID),
])
def test_the_api_refuses_a_bad_filter_with_422_and_reads_nothing(client, query, code):
    response = client.get("/audit", params=query)
    assert response.status_code == 422 and response.json()["code"] == code
    with client.app.state.db.reading() as session:
        assert session.scalars(select(AuditEvent)).all() == []  # refused before anything was read or audited


# ---- the page --------------------------------------------------------------------------------------------------

def _table_rows(html: str) -> list[str]:
    return re.findall(r'<tr data-audit="\d+">.*?</tr>', html, flags=re.S)


def test_an_administrator_reads_the_trail_in_norwegian_time_with_action_names(client):
    _trail_rows(client.app.state.db)
    login(client, "dev-admin")
    page = client.get("/revisjonslogg", params={"pasient": "P-0002"})
    assert page.status_code == 200
    assert '<a href="/revisjonslogg" aria-current="page">Revisjonslogg</a>' in page.text  # the admin's nav link
    assert "<caption>Revisjonslogg, nyeste først – side 1 av 1</caption>" in page.text
    [row, admin_read] = [text_of(r) for r in _table_rows(page.text)]
    assert "Så revisjonsloggen read_audit" in admin_read  # the read just made, by the test clock in January
    assert "30.03.2026 kl. 15:04" in row and "koordinator-sor" in row and "Så forløp read_instance" in row
    night = client.get("/revisjonslogg", params={"fra": "2026-03-29", "til": "2026-03-29"})
    [only] = [text_of(r) for r in _table_rows(night.text)]
    assert "29.03.2026 kl. 00:30" in only and "Startet forløp start_pathway" in only and "P-0001" in only


def test_the_page_is_paged_and_the_links_keep_the_filters(client):
    db = client.app.state.db
    first = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    record_reads(db, [audit_row(first + timedelta(minutes=n), "koordinator-nord", "read_task", patient_key="P-0009")
                      for n in range(PAGE_SIZE + 5)])
    login(client, "dev-admin")
    query = {"pasient": "P-0009", "handling": "read_task", "fra": "2026-03-01", "til": "2026-03-31"}
    page = client.get("/revisjonslogg", params=query)
    assert len(_table_rows(page.text)) == PAGE_SIZE and "Side 1 av 2" in page.text
    link = re.search(r'<a href="([^"]+)" rel="next">', page.text).group(1).replace("&amp;", "&")
    assert link == "/revisjonslogg?pasient=P-0009&handling=read_task&fra=2026-03-01&til=2026-03-31&side=2"
    second = client.get(link)
    rows = _table_rows(second.text)
    assert len(rows) == 5 and "02.03.2026 kl. 09:00" in text_of(rows[-1])  # the oldest, 08:00 UTC in winter
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert client.get("/revisjonslogg", params={"side": "20001"}).status_code == 400  # bounded, never a 500


@pytest.mark.parametrize("query, field, message", [
    ({"fra": "2026-04-02", "til": "2026-04-01"}, "fra", "Fra-datoen er etter til-datoen."),
    ({"fra": "2. april"}, "fra", "Ugyldig dato. Bruk formatet åååå-mm-dd."),
    ({"til": "0001-01-01"}, "til", "Ugyldig dato."),
    ({"pasient": "P" * 65}, "pasient", "Teksten er for lang (høyst 64 tegn)."),
    ({"handling": "x" * 41}, "handling", "Teksten er for lang (høyst 40 tegn)."),
])
def test_a_bad_filter_shows_the_focused_error_summary_and_reads_nothing(client, query, field, message):
    login(client, "dev-admin")
    page = client.get("/revisjonslogg", params=query)
    assert page.status_code == 422
    assert '<div class="melding feil" role="alert" id="feiloppsummering" tabindex="-1" autofocus>' in page.text
    assert f'<a href="#{field}">{message}</a>' in page.text
    assert f'aria-describedby="{field}-feil"' in page.text and "<table" not in page.text
    with client.app.state.db.reading() as session:
        assert session.scalars(select(AuditEvent)).all() == []


@pytest.mark.parametrize("token", ["dev-koordinator-nord", "dev-leder", "dev-modellerer"])
def test_only_administrators_see_the_audit_page(client, token):
    login(client, token)
    page = client.get("/revisjonslogg", params={"fra": "2026-04-02", "til": "2026-04-01"})
    assert page.status_code == 403 and "Ingen tilgang" in page.text and "feiloppsummering" not in page.text
    assert 'href="/revisjonslogg"' not in client.get("/forlopstyper").text  # no nav link either


def _audited_actions() -> set[str]:
    """Every action code the engine writes literally: `audit_row(at, actor, "code")`, `projection.audit(ctx, work,
    actor, "code")`, `AuditEvent(action="code")`, `audit="code"` and `action = "code"` (both sides of a
    conditional)."""
    import ast
    from pathlib import Path

    def constants(node: ast.AST | None) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return constants(node.body) | constants(node.orelse)
        return set()

    found: set[str] = set()
    for path in (Path(__file__).resolve().parent.parent / "engine").rglob("*.py"):
        for assign in (n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Assign)):
            if any(isinstance(t, ast.Name) and t.id == "action" for t in assign.targets):  # action = "a" if … else "b"
                found |= constants(assign.value)
        for call in (n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Call)):
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            position = {"audit_row": 2, "audit": 3}.get(name)
            if position is not None and len(call.args) > position:
                found |= constants(call.args[position])
            keywords = ("action", "audit") if name in ("AuditEvent", "audit_row") else ("audit",)  # not argparse's
            found |= {value for k in call.keywords if k.arg in keywords for value in constants(k.value)}
    return found


def test_every_action_the_engine_audits_has_a_bokmal_name():
    from api.pages.labels import AUDIT_ACTION_LABELS

    audited = _audited_actions()
    assert {"start_pathway", "claim_task", "unclaim_task", "send_message", "read_audit"} <= audited
    assert sorted(audited - set(AUDIT_ACTION_LABELS)) == []
