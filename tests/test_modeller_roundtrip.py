"""The pathway files open and save in a standard BPMN modeller without losing the extensions.

bpmn.io and the Camunda Modeler read and write BPMN through bpmn-moddle; with the Camunda 7 extension
(camunda-bpmn-moddle) they keep extension properties, generated forms and message payload expressions. This test
saves every pathway file through exactly that library (tests/modeller, installed with `npm ci` on first use) and
checks that the catalogue description (engine.modelling.catalogue_page.describe: steps, measuring points, indicators,
flags, timers, messages) is the same before and after, that the saved file still lints without a problem, and that
a second save changes nothing.

Node.js and npm are needed. Without them the test is skipped locally, and fails under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from engine.catalogue.parser import parse_pathway, pathway_files
from engine.modelling.catalogue_page import describe
from tests.support import PATHWAYS_DIR

MODELLER = Path(__file__).resolve().parent / "modeller"


@pytest.fixture(scope="session")
def node() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Node.js and npm are required in CI for the modeller round-trip test")
        pytest.skip("Node.js/npm not installed: the modeller round-trip test needs them")
    if not (MODELLER / "node_modules" / "bpmn-moddle" / "package.json").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=MODELLER, check=True,
                       timeout=600, capture_output=True)
    return node


def _save(node: str, out: Path, files: list[Path]) -> dict[str, list[str]]:
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([node, str(MODELLER / "roundtrip.mjs"), str(out), *map(str, files)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return {Path(entry["file"]).name: entry["warnings"] for entry in map(json.loads, result.stdout.splitlines())}


def test_pathway_files_keep_their_catalogue_through_a_modeller_save(node, tmp_path):
    files = pathway_files(PATHWAYS_DIR)
    assert files
    warnings = _save(node, tmp_path / "saved", files)
    assert warnings == {path.name: [] for path in files}, "the modeller did not understand every element"
    for path in files:
        original, _ = parse_pathway(path.read_bytes(), path.name)
        saved_source = (tmp_path / "saved" / path.name).read_bytes()
        saved, problems = parse_pathway(saved_source, path.name)
        assert [str(p) for p in problems] == [], f"{path.name} after a modeller save"
        assert describe(saved) == describe(original), f"{path.name} lost something in a modeller save"
    _save(node, tmp_path / "again", [tmp_path / "saved" / path.name for path in files])
    for path in files:
        assert (tmp_path / "again" / path.name).read_bytes() == (tmp_path / "saved" / path.name).read_bytes()
