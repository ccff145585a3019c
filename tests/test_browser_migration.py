"""The migration page in a real browser (headless Chromium, JavaScript off; fixtures of `test_web_browser`): a
modeller dry-runs moving the running TSB patients to a version with a longer referral-assessment deadline, sees
the due dates move per patient, moves them with one button, and the database says they moved."""

from __future__ import annotations

import re
from datetime import timedelta

from engine.catalogue.deployment import deploy
from engine.db.models import PathwayInstance
from tests.test_web_browser import PATHWAYS_DIR, TODAY, _start, browser, server  # noqa: F401 - fixtures

LIMIT = b"from=referral_received; to=referral_assessed; limit=10; unit=working_days"


def test_a_modeller_moves_running_patients_to_a_fixed_version(browser, server):  # noqa: F811
    base, runtime = server
    ids = [_start(runtime, f"BRW-02{n:02d}", TODAY - timedelta(days=n)) for n in (1, 2)]
    source = (PATHWAYS_DIR / "tsb_d01.bpmn").read_bytes()
    assert LIMIT in source
    new = deploy(runtime.db, runtime.clock, source.replace(LIMIT, LIMIT.replace(b"limit=10", b"limit=12")),
                 "tsb_d01.bpmn").version_id
    context = browser.new_context(java_script_enabled=False, locale="nb-NO", timezone_id="Europe/Oslo")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{base}/logg-inn")
        page.get_by_role("button", name="Mona Modellerer").click()
        page.wait_for_url(re.compile(r"/forlopstyper"))
        page.goto(f"{base}/forlopstyper/tsb_d01/migrering")
        assert page.get_by_label("Til versjon").input_value() == str(new)
        page.get_by_role("button", name="Prøvekjør").click()
        page.wait_for_url(re.compile(r"provekjor=ja"))
        assert "Prøvekjøring: 2 av 2 forløp kan flyttes" in page.locator("#resultat").inner_text()
        rows = page.locator("table.migrering tbody tr")
        assert rows.count() == 2
        assert "frist 16.01.2026 → 20.01.2026" in rows.filter(has_text=ids[0]).inner_text()
        assert "BRW-02" not in page.content()  # a modeller sees no patient keys
        assert _versions(runtime, ids) != {new}

        page.get_by_role("button", name=f"Flytt 2 forløp til versjon {new}").click()
        assert "Flyttet: 2 av 2 forløp flyttet" in page.locator("#resultat").inner_text()
        assert _versions(runtime, ids) == {new}
    finally:
        context.close()


def _versions(runtime, ids: list[str]) -> set[int]:
    with runtime.db.reading() as session:
        return {session.get(PathwayInstance, i).pathway_version_id for i in ids}
