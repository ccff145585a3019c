"""The coordinator's urgent work, found and done in a real browser (headless Chromium, JavaScript off), as in
tests/test_web_browser.py whose `browser` and `server` fixtures this uses: the urgent deadline at the top of the
worklist with its quick filter's count, a patient found by part of the key and their page, a task claimed by
someone else taken over, an overdue task registered with an explicitly typed date, and the pages at phone width
(390 px) without sideways scrolling."""

from __future__ import annotations

import re
from datetime import date

from tests.support import complete, open_task
from tests.test_web_browser import TODAY, browser, server  # noqa: F401 - the fixtures

PHONE = {"width": 390, "height": 844}


def _start(runtime, patient: str, received: date) -> str:
    return runtime.start_pathway(patient_key=patient, pathway_key="tsb_d01", unit="DPS Nord", setting="outpatient",
                                 referral_received_on=received)


WIDER = """Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 391)
  .slice(0, 10).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _fits(page) -> None:
    """No sideways scrolling: the document is no wider than the viewport (else: which elements stick out)."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"{page.url}: {scroll_width} px wide: {page.evaluate(WIDER)}"


def test_a_coordinator_finds_and_does_the_urgent_work_in_the_browser(browser, server):  # noqa: F811
    base, runtime = server
    soon = _start(runtime, "URG-0001", date(2025, 11, 3))  # TODAY is Monday 5 January 2026
    complete(runtime, soon, "assess_referral", date(2025, 11, 4), outcome="right_to_care")
    complete(runtime, soon, "first_attendance", date(2025, 12, 17))  # assessment due Wednesday 7 January
    claimed = _start(runtime, "URG-0002", TODAY)
    runtime.claim_task(open_task(runtime, claimed, "assess_referral")["id"], "koordinator-sor")
    late = _start(runtime, "URG-0003", date(2025, 12, 1))  # referral assessment overdue since 15 December
    context = browser.new_context(java_script_enabled=False, locale="nb-NO", timezone_id="Europe/Oslo")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{base}/logg-inn")
        page.get_by_role("button", name="Kari Koordinator (DPS Nord)").click()
        page.goto(f"{base}/arbeidsliste")

        # the most urgent first; the due-soon filter counts the three tasks of the pathway due on Wednesday
        rows = page.locator("table.oppgaver tbody tr")
        assert "URG-0003" in rows.nth(0).inner_text() and "Forfalt" in rows.nth(0).inner_text()
        soon_filter = page.locator("#vis-snart")
        assert soon_filter.inner_text() == "Innen 3 arbeidsdager (3)"
        soon_filter.click()
        page.wait_for_url(re.compile(r"vis=snart"))
        assert rows.count() == 3
        somatic = rows.filter(has_text="Kartlegge somatisk helse")
        assert "07.01.2026" in somatic.inner_text() and "Utredning innen forløpstid" in somatic.inner_text()

        # find the patient by part of the key, open their page and the pathway's timeline
        page.get_by_role("link", name="Finn pasient").click()
        page.get_by_label("Pasientnøkkel eller en del av den").fill("urg-0001")
        page.get_by_role("button", name="Søk").click()
        page.get_by_role("link", name="URG-0001").click()
        page.wait_for_url(f"{base}/pasienter/URG-0001")
        assert "Utredning innen forløpstid" in page.locator("main").inner_text()
        page.get_by_role("link", name="Pakkeforløp").last.click()
        page.wait_for_url(f"{base}/forlop/{soon}")

        # take over the task another coordinator holds: the button names the task and the patient
        page.goto(f"{base}/arbeidsliste")
        held = page.locator("table.oppgaver tbody tr").filter(has_text="URG-0002")
        assert "Sindre Koordinator (DPS Sør)" in held.inner_text()
        held.get_by_role("button", name="Ta over «Vurdere henvisning» for pasient URG-0002").click()
        assert "Du har tatt over oppgaven «Vurdere henvisning»" in page.locator(".melding").inner_text()

        # the overdue task: no date filled in; without one nothing is registered and focus is on the summary
        page.goto(f"{base}/oppgaver/{open_task(runtime, late, 'assess_referral')['id']}")
        date_input = page.locator("input[name=dato]")
        assert date_input.input_value() == "" and "Fristen er passert" in page.locator("main").inner_text()
        page.select_option("select[name=felt_outcome]", label="Rett til nødvendig helsehjelp – start pakkeforløp")
        page.get_by_role("button", name="Registrer").click()
        # the answer is a new page: wait for it to have put the focus (a read straight after the click can run
        # on the page being left), then check where it is
        page.wait_for_function("document.activeElement && document.activeElement.id === 'feiloppsummering'",
                               timeout=10_000)
        assert page.evaluate("document.activeElement.id") == "feiloppsummering"
        assert page.locator("#dato-feil").is_visible()
        page.locator("input[name=dato]").fill("2025-12-19")
        page.get_by_role("button", name="Registrer").click()
        page.wait_for_url(f"{base}/arbeidsliste")
        assert "Registrert: «Vurdere henvisning» (19.12.2025)." in page.locator(".melding").inner_text()

        # phone width: the worklist as cards, nothing wider than the screen
        page.set_viewport_size(PHONE)
        for url in ("/arbeidsliste", f"/oppgaver/{open_task(runtime, soon, 'somatic_health_check')['id']}",
                    "/pasienter/URG-0001", "/pasienter?sok=URG"):
            page.goto(f"{base}{url}")
            _fits(page)
        page.goto(f"{base}/arbeidsliste")
        assert page.locator("table.oppgaver tbody tr").first.evaluate("r => getComputedStyle(r).display") == "block"
    finally:
        context.close()
