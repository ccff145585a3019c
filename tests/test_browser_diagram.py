"""The diagram page in a real browser (headless Chromium; fixtures of `test_web_browser`), with JavaScript ON for
this page, since the bpmn.io viewer draws the diagram: the diagram renders from the app's own copy of the viewer,
the counts drawn on its elements are those in the database, the page's strict policy lets nothing be refused,
and clicking an element lists the patients waiting there. With JavaScript off the same counts are a table whose
rows lead to the same list."""

from __future__ import annotations

import re
from datetime import timedelta

from engine.db.models import Incident
from engine.statuses import IncidentKind, IncidentStatus
from tests.test_diagram import _recount
from tests.test_web_browser import TODAY, _start, browser, server  # noqa: F401 - fixtures


def _logged_in(browser, base: str, user: str, *, scripts: bool = True):  # noqa: F811 - the fixture is passed in
    context = browser.new_context(java_script_enabled=scripts, locale="nb-NO", timezone_id="Europe/Oslo")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/logg-inn")
    page.get_by_role("button", name=user).click()
    page.wait_for_url(re.compile(r"/(arbeidsliste|forlopstyper|rapporter)"))
    return context, page


def test_the_diagram_renders_with_the_counts_of_the_database(browser, server):  # noqa: F811
    base, runtime = server
    _start(runtime, "BRW-0201", TODAY - timedelta(days=3))
    _start(runtime, "BRW-0202", TODAY - timedelta(days=30))  # past the 10 working days of its assessment
    stuck = _start(runtime, "BRW-0203", TODAY - timedelta(days=1), unit="DPS Sør")
    version_id = _current_version(runtime)
    _incident_at(runtime, stuck, version_id, "assess_referral")
    context, page = _logged_in(browser, base, "Ada Administrator")
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    try:
        page.goto(f"{base}/forlopstyper")
        page.get_by_role("link", name=re.compile(f"Diagram for versjon {version_id}")).first.click()
        page.wait_for_url(re.compile(rf"/forlopstyper/tsb_d01/versjoner/{version_id}/diagram"))
        page.wait_for_selector("#diagram.diagram-klar")
        assert page.locator('#diagram svg [data-element-id="assess_referral"]').count() == 1
        assert page.locator('#diagram svg [data-element-id="close_pathway"]').count() == 1
        assert page.locator(".bjs-powered-by").count() == 1  # the bpmn.io watermark its licence asks for

        expected = _recount(runtime, version_id)
        assert expected["assess_referral"] == (3, 1, 1)
        assert _badges(page) == expected
        assert page.locator('.diagram-tall[data-overlay-element="assess_referral"]').inner_text().split() == [
            "3", "venter", "1", "over", "fristen", "1", "driftsfeil"]
        # the deadline's start and end elements carry its number from the list beside the diagram
        assert "▶1" in page.locator('.diagram-frist[data-indicator-element="start_referral_received"]').inner_text()
        assert "■1" in page.locator('.diagram-frist[data-indicator-element="assess_referral"]').inner_text()

        page.locator('#diagram svg [data-element-id="assess_referral"]').click()
        page.wait_for_url(re.compile(r"\?element=assess_referral"))
        patients = page.locator("table.ventende")
        for key in ("BRW-0201", "BRW-0202", "BRW-0203"):
            assert patients.get_by_role("link", name=key).count() == 1
        assert refused == []  # nothing refused by the page's Content-Security-Policy, no script error
    finally:
        context.close()


def test_without_javascript_the_page_is_its_table(browser, server):  # noqa: F811
    base, runtime = server
    _start(runtime, "BRW-0211", TODAY - timedelta(days=30))
    context, page = _logged_in(browser, base, "Kari Koordinator (DPS Nord)", scripts=False)
    try:
        page.goto(f"{base}/forlopstyper/tsb_d01/versjoner/{_current_version(runtime)}/diagram")
        assert "Diagrammet vises med JavaScript" in page.locator("#diagram").inner_text()
        table = page.get_by_role("table", name="Pasienter per steg i versjon 1")
        row = table.locator('tr[data-element="assess_referral"]')
        assert row.locator('[data-count="waiting"]').inner_text() == "1"
        assert row.locator('[data-count="overdue"]').inner_text() == "1"
        row.get_by_role("link", name="Vurdere henvisning").click()
        page.wait_for_url(re.compile(r"\?element=assess_referral"))
        assert page.get_by_role("table", name="Pasienter som venter ved «Vurdere henvisning»").get_by_role(
            "link", name="BRW-0211").count() == 1
    finally:
        context.close()


def _badges(page) -> dict[str, tuple[int, int, int]]:
    """Element -> (waiting, overdue, incidents) as drawn on the diagram."""
    shown = {}
    badges = page.locator(".diagram-tall[data-overlay-element]")
    for n in range(badges.count()):
        badge = badges.nth(n)
        values = []
        for name in ("waiting", "overdue", "incidents"):
            count = badge.locator(f'[data-count="{name}"]')
            values.append(int(count.get_attribute("data-value")) if count.count() else 0)
        shown[badge.get_attribute("data-overlay-element")] = tuple(values)
    return shown


def _incident_at(runtime, instance_id: str, version_id: int, element_id: str) -> None:
    """An open incident as the scheduler records one (engine.runtime.incidents), at a step of the diagram."""
    now = runtime.clock.now()
    with runtime.db.transaction() as session:
        session.add(Incident(kind=IncidentKind.TIMER, status=IncidentStatus.OPEN, instance_id=instance_id,
                             pathway_key="tsb_d01", pathway_version_id=version_id, unit="DPS Sør",
                             patient_key="BRW-0203", element_id=element_id, element_label="Vurdere henvisning",
                             error="NameError", first_seen_at=now, last_seen_at=now, attempts=1))


def _current_version(runtime) -> int:
    from engine.reading.pathways import get_pathway
    return get_pathway(runtime.db, runtime.definitions, "tsb_d01")["version_id"]
