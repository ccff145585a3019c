"""The managers' reports in a real browser (headless Chromium, JavaScript off; the fixtures of
tests/test_web_browser.py): a manager logs in, sees the overview matrix, follows a cell to its drill-down and
downloads the .xlsx, which holds the numbers the page shows."""

from __future__ import annotations

import io
from datetime import date

import openpyxl

from tests.support import complete
from tests.test_web_browser import TODAY, _start, browser, server  # noqa: F401 (fixtures)


def test_a_manager_reads_the_matrix_drills_down_and_downloads_the_xlsx(browser, server):  # noqa: F811
    base, runtime = server
    for n in range(6):  # six referrals assessed in time in January: 6 of 6 in the current tertial
        pathway = _start(runtime, f"BRR-{n:04d}", date(2026, 1, 2))
        complete(runtime, pathway, "assess_referral", TODAY, outcome="right_to_care")
    context = browser.new_context(java_script_enabled=False, locale="nb-NO", timezone_id="Europe/Oslo",
                                  accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{base}/rapporter")
        page.get_by_role("button", name="Lars Leder").click()
        page.wait_for_url(f"{base}/rapporter")
        matrix = page.locator("table.matrise")
        assert "Oversikt 2026-T1" in matrix.locator("caption").inner_text()
        cell = matrix.locator('tr[data-indicator="referral_assessment"] td[data-unit="DPS Nord"]')
        assert " ".join(cell.inner_text().split()) == "100 % – nådd målet n = 6"
        assert "BRR-" not in page.content()

        cell.get_by_role("link").click()
        page.wait_for_url(lambda url: "/rapporter/forlopstid" in url)
        row = page.locator('#brudd tr[data-period="2026-T1"]')
        assert row.locator('[data-col="innenfor"]').inner_text() == "6"
        assert row.locator('[data-col="brudd"]').inner_text() == "0"
        assert row.locator('[data-col="andel"]').inner_text() == "100,0 %"
        assert "BRR-" not in page.content()

        page.get_by_role("link", name="← Tilbake til oversikten").click()
        page.wait_for_url(f"{base}/rapporter")
        with page.expect_download() as download:
            page.locator("#xlsx-lenke").click()
        path = download.value.path()
        assert download.value.suggested_filename.endswith(".xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(open(path, "rb").read())).active
        header = [c.value for c in sheet[1]]
        lines = [dict(zip(header, (c.value for c in line))) for line in sheet.iter_rows(min_row=2)]
        [nord] = [x for x in lines if x["Forløpstid (nøkkel)"] == "referral_assessment"
                  and x["Periode"] == "2026-T1" and x["Enhet"] == "DPS Nord"]
        assert (nord["Teller"], nord["Nevner"], nord["Andel"]) == (6, 6, 1.0)
        assert not any("BRR-" in str(v) for x in lines for v in x.values())
    finally:
        context.close()
