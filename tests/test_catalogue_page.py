"""The generated catalogue page: current with the files, and showing what a modeller must check."""

from __future__ import annotations

import re

import pytest

from engine.catalogue.parser import parse_pathway
from engine.cli import main as cli_main
from engine.modelling.catalogue_page import describe, load_catalogue, render_markdown
from tests.support import PATHWAYS_DIR


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(PATHWAYS_DIR)


def test_the_committed_catalogue_page_matches_the_pathway_files(catalogue):
    page = (PATHWAYS_DIR / "CATALOGUE.md").read_text(encoding="utf-8")
    assert page == render_markdown(catalogue), "pathways/CATALOGUE.md is out of date: run `pathways catalogue`"


def test_every_pathway_is_on_the_page_with_its_indicators_sources_and_flags(catalogue):
    page = render_markdown(catalogue)
    for definition in catalogue:
        assert f"## {definition.name}" in page
        for indicator in definition.indicators:
            assert f"(`{indicator.key}`)" in page
            if indicator.source:
                assert f"({indicator.source})" in page
        for flag in definition.flags:
            assert flag.note.replace("|", "\\|").replace("\n", " ") in page


def test_unconfirmed_values_are_listed_together(catalogue):
    page = render_markdown(catalogue)
    section = page.split("## Ikke bekreftede verdier (UNCONFIRMED)")[1].split("\n## ")[0]
    expected = sum(1 for d in catalogue for i in d.indicators if i.unconfirmed or i.target_unconfirmed)
    expected += sum(len(d.flags) for d in catalogue)
    assert section.count("\n| ") - 1 == expected  # minus the header row


def test_tsb_description_reads_steps_indicators_timers_and_start(catalogue):
    [tsb] = [describe(d) for d in catalogue if d.key == "tsb_d01"]
    assert tsb["pathway_start"]["2024"] == {"measuring_point": "referral_assessed", "outcomes": ["right_to_care", "right_to_treatment"]}
    assert {"element_id": "assess_referral", "label": "Vurdere henvisning"}.items() <= tsb["steps"][0].items()
    [escalation] = [t for t in tsb["timers"] if t["element_id"] == "timer_referral_deadline"]
    assert escalation["attached_to"] == "assess_referral" and escalation["interrupting"] is False
    assessment = next(i for i in tsb["indicators"] if i["key"] == "assessment_outpatient")
    assert (assessment["limit"], assessment["unit"], assessment["setting"], assessment["target"]) == (
        21, "calendar_days", "outpatient", 0.8)


def test_a_lost_extension_changes_the_description():
    """The round-trip test relies on this: losing any extension property shows as a different description."""
    source = (PATHWAYS_DIR / "tsb_d01.bpmn").read_bytes()
    stripped = re.sub(rb'<camunda:property name="measuringPoint" value="first_attendance"\s*/>', b"", source, count=1)
    assert stripped != source
    before, _ = parse_pathway(source, "tsb_d01.bpmn")
    after, _ = parse_pathway(stripped, "tsb_d01.bpmn")
    assert after is None or describe(after) != describe(before)


def test_catalogue_command_writes_and_checks(tmp_path, capsys):
    (tmp_path / "tsb_d01.bpmn").write_bytes((PATHWAYS_DIR / "tsb_d01.bpmn").read_bytes())
    assert cli_main(["catalogue", "--check", str(tmp_path)]) == 1
    assert "out of date" in capsys.readouterr().out
    assert cli_main(["catalogue", str(tmp_path)]) == 0
    assert "written" in capsys.readouterr().out
    assert "## Pakkeforløp rusbehandling (TSB)" in (tmp_path / "CATALOGUE.md").read_text(encoding="utf-8")
    assert cli_main(["catalogue", "--check", str(tmp_path)]) == 0
    (tmp_path / "bad.bpmn").write_bytes(b"<not-bpmn/>")
    assert cli_main(["catalogue", str(tmp_path)]) == 1
    assert "was not written" in capsys.readouterr().out
