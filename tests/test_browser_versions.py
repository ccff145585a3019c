"""Deploying from the page in a real browser (headless Chromium, JavaScript off; fixtures of `test_web_browser`):
a modeller uploads a changed pathway file, reads what it would change, takes it into use and finds the new version
at the top of the pathway's versions with the change between the two."""

from __future__ import annotations

import re

from tests.test_versions import _changed_tsb
from tests.test_web_browser import browser, server  # noqa: F401 - fixtures


def test_a_modeller_checks_and_deploys_a_file_from_the_page(browser, server, tmp_path):  # noqa: F811
    base, _ = server
    changed = tmp_path / "tsb_d01.bpmn"
    changed.write_bytes(_changed_tsb())
    context = browser.new_context(java_script_enabled=False, locale="nb-NO", timezone_id="Europe/Oslo")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{base}/logg-inn")
        page.get_by_role("button", name=re.compile("Modellerer")).click()
        page.goto(f"{base}/forlopstyper")
        page.get_by_role("link", name="Last opp en ny forløpsfil").click()
        page.get_by_label("BPMN-fil").set_input_files(str(changed))
        page.get_by_role("button", name="Kontroller filen").click()
        report = page.locator("#kontroll")
        assert "Filen er gyldig" in report.inner_text()
        change = report.locator("table.endringer tr[data-id=assessment_outpatient]")
        assert "limit: 21 → 28" in change.inner_text() and "Forløpstid" in change.inner_text()
        page.get_by_role("button", name="Ta i bruk som gjeldende versjon").click()
        page.wait_for_url(re.compile(r"/forlopstyper/tsb_d01/versjoner"))
        assert "er tatt i bruk" in page.locator(".melding[role=status]").inner_text()
        newest = page.locator("table.versjoner tbody tr").first
        assert "gjeldende" in newest.inner_text() and "modellerer" in newest.inner_text()
        assert "limit: 21 → 28" in page.locator("table.endringer").inner_text()
    finally:
        context.close()
