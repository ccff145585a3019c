"""The audit page in a real browser (headless Chromium, JavaScript off; fixtures of `test_web_browser`): an
administrator logs in, opens the audit trail from the menu, filters by a patient key and a date range, reads
Norwegian local times, pages forward with the filters kept; a reversed date range shows the focused error summary."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from engine.access.audit import audit_row, record_reads
from tests.test_web_browser import TODAY, browser, server  # noqa: F401 - fixtures

#: 55 reads of one patient's tasks, one an hour from 1 December 2025 07:00 UTC (08:00 in Norway, winter time)
FIRST_READ = datetime(2025, 12, 1, 7, 0, tzinfo=timezone.utc)
READS = 55


def _trail(runtime) -> None:
    record_reads(runtime.db, [audit_row(FIRST_READ + timedelta(hours=n), "koordinator-nord", "read_task",
                                        patient_key="BRW-0201", task_id=f"task-{n}") for n in range(READS)])
    record_reads(runtime.db, [audit_row(FIRST_READ + timedelta(hours=2), "koordinator-sor", "read_task",
                                        patient_key="BRW-0202")])
    runtime.start_pathway(patient_key="BRW-0201", pathway_key="tsb_d01", unit="DPS Nord", setting="outpatient",
                          referral_received_on=TODAY, actor="koordinator-nord")  # audited today, outside the range


def test_an_administrator_filters_and_pages_the_audit_trail(browser, server):  # noqa: F811
    base, runtime = server
    _trail(runtime)
    context = browser.new_context(java_script_enabled=False, locale="nb-NO", timezone_id="Europe/Oslo")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{base}/logg-inn")
        page.get_by_role("button", name="Ada Administrator").click()
        page.wait_for_url(re.compile(r"/arbeidsliste"))
        page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Revisjonslogg").click()
        page.wait_for_url(f"{base}/revisjonslogg")
        assert page.locator("h1").inner_text() == "Revisjonslogg"

        page.get_by_label("Pasientnøkkel").fill("BRW-0201")
        page.get_by_label("Fra og med dato").fill("2025-12-01")
        page.get_by_label("Til og med dato").fill("2025-12-31")
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_url(re.compile(r"pasient=BRW-0201"))
        table = page.locator("table.revisjonslogg")
        assert table.locator("caption").inner_text() == "Revisjonslogg, nyeste først – side 1 av 2"
        assert page.locator("#antall").inner_text() == f"{READS} rader"
        rows = table.locator("tbody tr")
        assert rows.count() == 50
        newest = rows.nth(0).inner_text()  # 55th read: 3 December 2025 13:00 UTC, 14:00 in Norway
        assert "03.12.2025 kl. 14:00" in newest
        assert "Så oppgave" in newest and "read_task" in newest and "koordinator-nord" in newest
        assert "BRW-0202" not in page.content() and "start_pathway" not in table.inner_text()

        page.get_by_role("link", name="Neste side ›").click()
        page.wait_for_url(re.compile(r"side=2"))
        assert page.get_by_label("Pasientnøkkel").input_value() == "BRW-0201"  # the filters kept
        assert page.get_by_label("Fra og med dato").input_value() == "2025-12-01"
        rows = page.locator("table.revisjonslogg tbody tr")
        assert rows.count() == READS - 50
        assert "01.12.2025 kl. 08:00" in rows.nth(rows.count() - 1).inner_text()  # the oldest read
        assert page.get_by_role("link", name="‹ Forrige side").count() == 1

        # a from-date after the to-date: the summary, focused, and no table
        page.get_by_label("Fra og med dato").fill("2026-01-05")
        page.get_by_label("Til og med dato").fill("2026-01-01")
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_url(re.compile(r"fra=2026-01-05"))
        summary = page.locator("#feiloppsummering")
        assert "Fra-datoen er etter til-datoen." in summary.inner_text()
        assert page.evaluate("document.activeElement.id") == "feiloppsummering"
        assert page.get_by_label("Fra og med dato").get_attribute("aria-invalid") == "true"
        assert page.locator("table.revisjonslogg").count() == 0
    finally:
        context.close()
