"""The diagram page in a real browser (headless Chromium; fixtures of `test_web_browser`), with JavaScript ON for
this page, since the bpmn.io viewer draws the diagram: the diagram renders from the app's own copy of the viewer,
the counts drawn on its elements are those in the database, the page's strict policy lets nothing be refused,
and clicking an element lists the patients waiting there."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import distinct, func, select

from engine.db.models import CoordinatorTask, PathwayInstance
from engine.deadlines.rules import overdue_sql
from engine.statuses import TaskStatus
from tests.test_web_browser import TODAY, _start, browser, server  # noqa: F401 - fixtures


def _recount(runtime, version_id: int) -> dict[str, tuple[int, int]]:
    """Element -> (patients at an open task, of them overdue), counted straight from the task table."""
    with runtime.db.reading() as session:
        rows = session.execute(
            select(CoordinatorTask.element_id, func.count(distinct(CoordinatorTask.instance_id)),
                   func.count(distinct(CoordinatorTask.instance_id)).filter(
                       overdue_sql(CoordinatorTask.due_on, runtime.today())))
            .join(PathwayInstance, PathwayInstance.id == CoordinatorTask.instance_id)
            .where(CoordinatorTask.status == TaskStatus.OPEN, PathwayInstance.pathway_version_id == version_id)
            .group_by(CoordinatorTask.element_id)).all()
    return {element: (waiting, late) for element, waiting, late in rows}


def _logged_in(browser, base: str, user: str):  # noqa: F811 - the fixture is passed in
    context = browser.new_context(java_script_enabled=True, locale="nb-NO", timezone_id="Europe/Oslo")
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
    _start(runtime, "BRW-0203", TODAY - timedelta(days=1), unit="DPS Sør")
    version_id = _current_version(runtime)
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
        assert expected["assess_referral"] == (3, 1)
        badges = page.locator(".diagram-tall[data-overlay-element]")
        shown = {}
        for n in range(badges.count()):
            badge = badges.nth(n)
            element = badge.get_attribute("data-overlay-element")
            waiting = badge.locator('[data-count="waiting"]')
            overdue = badge.locator('[data-count="overdue"]')
            shown[element] = (int(waiting.get_attribute("data-value")) if waiting.count() else 0,
                              int(overdue.get_attribute("data-value")) if overdue.count() else 0)
        for element, counts in expected.items():
            assert shown[element] == counts, element
        assert "3 venter" in page.locator('.diagram-tall[data-overlay-element="assess_referral"]').inner_text()
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


def _current_version(runtime) -> int:
    from engine.reading.pathways import get_pathway
    return get_pathway(runtime.db, runtime.definitions, "tsb_d01")["version_id"]
