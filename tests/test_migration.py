"""Migration of running instances through the API and the command line: who may, what is chosen, the codes of
what cannot move, the records (engine.runtime.migration, api/routes/migrations.py, `pathways migrate-instances`)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.catalogue.deployment import deploy
from engine.cli import main as cli_main
from engine.db.models import AuditEvent, PathwayInstance
from engine.errors import PathwayError
from engine.runtime import PathwayRuntime, migration
from tests.bpmn_samples import INDICATOR, sample_pathway
from tests.support import complete

LONGER = INDICATOR.replace("limit=10", "limit=15")
DAY = date(2026, 1, 5)
MODELLER, COORDINATOR, MANAGER = ({"Authorization": f"Bearer {token}"}
                                  for token in ("dev-modellerer", "dev-koordinator-nord", "dev-leder"))


@pytest.fixture
def sample(db, clock):
    """Three sample pathways waiting for their referral assessment (two in DPS Nord, one in DPS Sør), one
    closed, and a second version whose assessment deadline is 15 working days instead of 10."""
    first = deploy(db, clock, sample_pathway(), "sample.bpmn").version_id
    runtime = PathwayRuntime(db, clock)
    ids = [runtime.start_pathway(patient_key=f"P-{n:04d}", pathway_key="sample", unit=unit, setting="outpatient",
                                 referral_received_on=DAY)
           for n, unit in enumerate(("DPS Nord", "DPS Nord", "DPS Sør", "DPS Nord"))]
    complete(runtime, ids[3], "assess", DAY, outcome="no")  # the pathway ends: not active
    second = deploy(db, clock, sample_pathway(indicator=LONGER), "sample.bpmn").version_id
    return runtime, ids, first, second


def _version(db, instance_id: str) -> int:
    with db.reading() as session:
        return session.get(PathwayInstance, instance_id).pathway_version_id


def test_only_modellers_and_administrators_migrate(client, sample):
    _, ids, first, _ = sample
    for headers in (COORDINATOR, MANAGER):
        for path in ("/pathways/sample/migrations/dry-run", "/pathways/sample/migrations"):
            answer = client.post(path, json={}, headers=headers)
            assert answer.status_code == 403 and answer.json()["code"] == "role_forbidden"
        assert client.get("/pathways/sample/migrations", headers=headers).status_code == 403
        assert client.post(f"/instances/{ids[0]}/migration/revert", json={}, headers=headers).status_code == 403
    assert client.post("/pathways/sample/migrations/dry-run", json={}, headers=MODELLER).status_code == 200
    assert {_version(client.app.state.db, i) for i in ids} == {first}


def test_dry_run_then_migrate_then_revert_through_the_api(client, sample, db):
    _, ids, first, second = sample
    dry = client.post("/pathways/sample/migrations/dry-run", json={}, headers=MODELLER).json()
    assert (dry["dry_run"], dry["total"], dry["moved"], dry["to_version_id"]) == (True, 3, 3, second)
    change = dry["items"][0]["deadlines"][0]
    assert (change["indicator"], change["old_due_on"], change["new_due_on"]) == (
        "referral_assessment", "2026-01-19", "2026-01-26")
    assert "patient_key" not in str(dry) and "P-0" not in str(dry)  # modellers see no patient data
    assert {_version(db, i) for i in ids} == {first}

    done = client.post("/pathways/sample/migrations", json={"unit": "DPS Nord"}, headers=MODELLER).json()
    assert (done["dry_run"], done["total"], done["done"], done["moved"]) == (False, 2, 2, 2)
    assert [_version(db, i) for i in ids] == [second, second, first, first]
    records = client.get("/pathways/sample/migrations", headers=MODELLER).json()
    assert records["total"] == 2 and {r["instance_id"] for r in records["items"]} == set(ids[:2])

    reverted = client.post(f"/instances/{ids[0]}/migration/revert", json={}, headers=MODELLER).json()
    assert (reverted["ok"], reverted["to_version_id"], reverted["from_version_id"]) == (True, first, second)
    assert _version(db, ids[0]) == first
    again = client.post(f"/instances/{ids[0]}/migration/revert", json={}, headers=MODELLER)
    assert again.status_code == 409 and again.json()["code"] == "no_migration_to_revert"
    mine = client.get("/pathways/sample/migrations", params={"instance_id": ids[0]}, headers=MODELLER).json()
    assert [(r["kind"], r["reverted_at"] is not None) for r in mine["items"]] == [("revert", False), ("migrate", True)]
    with db.reading() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == ids[0])
                                  .order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["migrate_instance", "revert_migration"]


def test_listed_instances_say_why_they_cannot_move(client, sample, db, clock):
    _, ids, first, second = sample
    other = deploy(db, clock, sample_pathway(key="other"), "other.bpmn").version_id
    stranger = PathwayRuntime(db, clock).start_pathway(patient_key="P-0100", pathway_key="other", unit="DPS Nord",
                                                       setting="outpatient", referral_received_on=DAY)
    client.post("/pathways/sample/migrations", json={"instance_ids": [ids[1]]}, headers=MODELLER)
    body = {"instance_ids": [ids[0], ids[1], ids[3], stranger, "no-such-instance"], "to_version_id": second}
    answer = client.post("/pathways/sample/migrations/dry-run", json=body, headers=MODELLER).json()
    codes = {item["instance_id"]: item["code"] for item in answer["items"]}
    assert codes == {ids[0]: None, ids[1]: "migration_same_version", ids[3]: "instance_not_active",
                     stranger: "migration_other_pathway", "no-such-instance": "instance_not_found"}
    assert (answer["total"], answer["moved"], answer["refused"]) == (5, 1, 4)
    wrong = client.post("/pathways/sample/migrations/dry-run", json={"to_version_id": other}, headers=MODELLER)
    assert wrong.status_code == 422 and wrong.json()["code"] == "migration_other_pathway"
    missing = client.post("/pathways/sample/migrations/dry-run", json={"to_version_id": 999999}, headers=MODELLER)
    assert missing.status_code == 404 and missing.json()["code"] == "pathway_version_not_found"
    unknown = client.post("/pathways/nothing/migrations/dry-run", json={}, headers=MODELLER)
    assert unknown.status_code == 404 and unknown.json()["code"] == "pathway_not_found"
    none = client.post(f"/instances/{ids[0]}/migration/revert", json={}, headers=MODELLER)
    assert none.status_code == 409 and none.json()["code"] == "no_migration_to_revert"


def test_instances_are_chosen_by_the_element_of_an_open_task_and_bounded(sample, monkeypatch):
    runtime, ids, first, second = sample
    at_assess = runtime.migrate_instances(migration.Selection("sample", element_id="assess"), actor="m")
    assert at_assess.total == 3 and at_assess.moved == 3
    elsewhere = runtime.migrate_instances(migration.Selection("sample", element_id="gateway"), actor="m")
    assert elsewhere.total == 0
    on_first = runtime.migrate_instances(migration.Selection("sample", from_version_id=first), actor="m")
    assert on_first.total == 3
    monkeypatch.setattr(migration, "MAX_INSTANCES", 2)
    with pytest.raises(PathwayError) as refused:
        runtime.migrate_instances(migration.Selection("sample"), actor="m")
    assert refused.value.code == "migration_selection_too_large"


def test_request_bounds_are_checked_at_the_edge(client, sample):
    too_many = client.post("/pathways/sample/migrations/dry-run", json={"instance_ids": ["x"] * 1001},
                           headers=MODELLER)
    assert too_many.status_code == 422
    unknown = client.post("/pathways/sample/migrations", json={"everything": True}, headers=MODELLER)
    assert unknown.status_code == 422


def test_the_command_line_shows_a_dry_run_and_migrates_with_apply(sample, db, monkeypatch, capsys):
    _, ids, first, second = sample
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", db.url)
    assert cli_main(["migrate-instances", "sample"]) == 0
    out = capsys.readouterr().out
    assert "[1/3]" in out and "[3/3]" in out and "can move" in out
    assert "referral_assessment #1: due 2026-01-19 -> 2026-01-26" in out and "nothing written" in out
    assert {_version(db, i) for i in ids} == {first}
    assert cli_main(["migrate-instances", "sample", "--unit", "DPS Sør", "--apply"]) == 0
    assert "1 of 1 instance(s) migrated" in capsys.readouterr().out
    assert _version(db, ids[2]) == second
    assert cli_main(["migrate-instances", "sample", "--instance", ids[3]]) == 1
    assert "refused: instance_not_active" in capsys.readouterr().out


def test_ended_deadlines_keep_their_measured_row_when_an_instance_moves():
    from engine.deadlines.measurement import Measurement, carry_over

    def row(key: str, sequence: int, due: date, status: str, end: date | None = None, limit: int = 7) -> Measurement:
        return Measurement(key, key, sequence, "a", "b", limit, "calendar_days", DAY, due, status, end)

    before = [row("breached", 1, date(2026, 1, 12), "breached", date(2026, 1, 14)),
              row("open", 1, date(2026, 1, 12), "overdue"),
              row("removed_ended", 1, date(2026, 1, 12), "met", date(2026, 1, 10))]
    remeasured = [row("breached", 1, date(2026, 1, 19), "met", date(2026, 1, 14), limit=14),
                  row("open", 1, date(2026, 1, 19), "pending", limit=14),
                  row("new_open", 1, date(2026, 1, 19), "pending", limit=14),
                  row("new_ended", 1, date(2026, 1, 19), "met", date(2026, 1, 8), limit=14)]
    kept = {(m.indicator_key, m.due_on, m.status, m.limit_days) for m in carry_over(before, remeasured)}
    assert kept == {("breached", date(2026, 1, 12), "breached", 7), ("open", date(2026, 1, 19), "pending", 14),
                    ("new_open", date(2026, 1, 19), "pending", 14), ("removed_ended", date(2026, 1, 12), "met", 7)}
