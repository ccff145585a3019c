"""The modeller's migration page (`/forlopstyper/{key}/migrering`): choose, dry-run (a GET that writes nothing),
then move with a POST carrying the same choice; coordinators and managers are refused."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from engine.catalogue.deployment import deploy
from engine.db.models import InstanceMigration, PathwayInstance
from tests.bpmn_samples import INDICATOR, sample_pathway
from tests.test_web import field, login, text_of

DAY = date(2026, 1, 5)
PAGE = "/forlopstyper/sample/migrering"


@pytest.fixture
def versions(client, clock):
    runtime = client.app.state.runtime
    first = deploy(runtime.db, clock, sample_pathway(), "sample.bpmn").version_id
    ids = [runtime.start_pathway(patient_key=f"P-{n:04d}", pathway_key="sample", unit=unit, setting="outpatient",
                                 referral_received_on=DAY) for n, unit in enumerate(("DPS Nord", "DPS Sør"))]
    second = deploy(runtime.db, clock, sample_pathway(indicator=INDICATOR.replace("limit=10", "limit=15")),
                    "sample.bpmn").version_id
    return ids, first, second


def _versions(client, ids: list[str]) -> list[int]:
    with client.app.state.db.reading() as session:
        return [session.get(PathwayInstance, i).pathway_version_id for i in ids]


def test_a_modeller_dry_runs_then_moves_the_chosen_patients(client, versions):
    ids, first, second = versions
    login(client, "dev-modellerer")
    page = client.get(PAGE)
    assert page.status_code == 200 and "Prøvekjør" in page.text and f'<option value="{second}" selected' in page.text
    dry = client.get(PAGE, params={"til": str(second), "fra": "", "enhet": "DPS Nord", "steg": "assess",
                                   "provekjor": "ja"})
    text = text_of(dry.text)
    assert "Prøvekjøring: 1 av 1 forløp kan flyttes til versjon" in text
    assert "Henvisning vurdert: frist 19.01.2026 → 26.01.2026" in text
    assert ids[0] in dry.text and ids[1] not in dry.text and "P-000" not in dry.text
    assert _versions(client, ids) == [first, first]
    with client.app.state.db.reading() as session:
        assert session.scalars(select(InstanceMigration)).all() == []

    form = re.search(r'<form method="post" action="/forlopstyper/sample/migrering">.*?</form>', dry.text, re.S)
    data = dict(re.findall(r'name="([a-z]+)" value="([^"]*)"', form.group(0)))
    assert data["enhet"] == "DPS Nord" and data["steg"] == "assess" and data["til"] == str(second)
    done = client.post(PAGE, data=data)
    assert done.status_code == 200 and "Flyttet: 1 av 1 forløp flyttet" in text_of(done.text)
    assert _versions(client, ids) == [second, first]
    refused = client.post(PAGE, data={**data, "csrf": "wrong"})
    assert refused.status_code == 403


def test_what_cannot_move_is_said_in_bokmal(client, versions):
    ids, first, second = versions
    login(client, "dev-admin")
    client.post(PAGE, data={"csrf": field(client.get(PAGE).text, "csrf"), "til": str(second), "enhet": "DPS Sør"})
    again = client.get(PAGE, params={"til": str(second), "fra": str(second), "provekjor": "ja"})
    text = text_of(again.text)
    assert "0 av 1 forløp kan flyttes" in text and "Forløpet er allerede på denne versjonen." in text
    assert ids[1] in again.text and 'data-ok="nei"' in again.text and "Flytt 0" not in text
    missing = client.get(PAGE, params={"til": "99999", "provekjor": "ja"})
    assert missing.status_code == 200 and 'role="alert" id="feil"' in missing.text
    assert "Versjonen av forløpstypen finnes ikke." in text_of(missing.text)
    assert "Prøvekjøring:" not in text_of(missing.text)


@pytest.mark.parametrize("token", ["dev-koordinator-nord", "dev-leder"])
def test_coordinators_and_managers_are_refused(client, versions, token):
    login(client, token)
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE, params={"provekjor": "ja"}).status_code == 403
