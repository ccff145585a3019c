"""The timeline's forms in a real browser (headless Chromium, JavaScript off; fixtures of `test_web_browser`):
a coordinator opens a patient's pathway, tries to transfer it without naming the receiving trust, is told so with
the message focused, then transfers it and sees the pathway closed with the new start left to the receiving trust;
and registers a crisis on a municipal main course."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.test_web_browser import TODAY, _start, browser, runtime_tasks, server  # noqa: F401 - fixtures


def _logged_in(browser, base: str):  # noqa: F811 - the fixture is passed in
    context = browser.new_context(java_script_enabled=False, locale="nb-NO", timezone_id="Europe/Oslo")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/logg-inn")
    page.get_by_role("button", name="Kari Koordinator (DPS Nord)").click()
    page.wait_for_url(re.compile(r"/arbeidsliste"))
    return context, page


def test_a_coordinator_transfers_a_pathway_from_its_timeline(browser, server):  # noqa: F811
    base, runtime = server
    instance_id = _start(runtime, "BRW-0101", TODAY - timedelta(days=6))
    task = next(t for t in runtime_tasks(runtime) if t["instance_id"] == instance_id)
    runtime.complete_task(task["id"], data={"outcome": "right_to_care"}, occurred_on=TODAY - timedelta(days=4))
    context, page = _logged_in(browser, base)
    try:
        page.goto(f"{base}/forlop/{instance_id}")
        page.get_by_text("Overføre til annet helseforetak").click()  # a <details>: opens without JavaScript
        page.get_by_label("Mottakende helseforetak").fill(" ")
        page.get_by_label("Overført dato").fill((TODAY - timedelta(days=1)).isoformat())
        page.get_by_role("button", name="Overfør og avslutt forløpet").click()
        page.wait_for_url(f"{base}/forlop/{instance_id}")
        error = page.locator("#feiloppsummering")
        assert "Oppgi hvilket helseforetak" in error.inner_text()
        assert page.evaluate("document.activeElement.id") == "feiloppsummering"

        page.get_by_text("Overføre til annet helseforetak").click()
        page.get_by_label("Mottakende helseforetak").fill("Helse Bergen HF")
        page.get_by_label("Overført dato").fill((TODAY - timedelta(days=1)).isoformat())
        page.get_by_role("button", name="Overfør og avslutt forløpet").click()
        page.wait_for_url(f"{base}/forlop/{instance_id}")
        assert "registrerer en ny start" in page.locator(".melding[role=status]").inner_text()
        assert "Overført til annet helseforetak" in page.locator("dl.fakta").inner_text()
        assert page.get_by_role("button", name="Overfør og avslutt forløpet").count() == 0
        assert "Overført til Helse Bergen HF." in page.locator("ol.tidslinje").inner_text()
    finally:
        context.close()


def test_a_coordinator_registers_a_crisis_on_the_municipal_main_course(browser, server):  # noqa: F811
    base, runtime = server
    instance_id = runtime.start_pathway(patient_key="BRW-0102", pathway_key="municipal_main_course_3",
                                        unit="DPS Nord", setting="outpatient",
                                        referral_received_on=TODAY - timedelta(days=3))
    context, page = _logged_in(browser, base)
    try:
        page.goto(f"{base}/forlop/{instance_id}")
        page.get_by_label("Melding", exact=True).select_option(label="Blålys: alvorlig forverring meldt")
        page.locator("#melding-dato").fill(TODAY.isoformat())
        page.get_by_role("button", name="Registrer meldingen").click()
        page.wait_for_url(f"{base}/forlop/{instance_id}")
        assert "Meldingen er registrert" in page.locator(".melding[role=status]").inner_text()
        assert "Blålys: alvorlig forverring meldt" in page.locator("ol.tidslinje").inner_text()
    finally:
        context.close()
