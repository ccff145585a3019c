from datetime import date

from engine.catalogue import load_definition, pathway_files
from engine.cli import main as cli_main
from engine.demo import load_demo_data
from engine.queries import TaskFilter, list_pathways, list_tasks
from engine.store import Database
from tests.bpmn_samples import sample_pathway
from tests.support import PATHWAYS_DIR


def test_demo_data_fills_an_empty_database_once(runtime, clock):
    clock.set(date(2026, 11, 23))
    assert load_demo_data(runtime) == 36
    tasks = list_tasks(runtime.db, runtime.today(), TaskFilter(), limit=500)
    assert tasks["total"] > 0
    assert {t["unit"] for t in tasks["items"]} == {"DPS Nord – rusteam", "DPS Sør – rusteam", "Rusklinikken døgn"}
    assert any(t["overdue"] for t in tasks["items"])
    assert load_demo_data(runtime) == 0  # never on top of real data


def test_demo_server_start_loads_patients(db, clock):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from engine.settings import Settings

    settings = Settings(database_url=db.url, pathways_dir=PATHWAYS_DIR, demo_data=True, auth_mode="dev")
    with TestClient(create_app(settings, clock, run_scheduler=False)) as client:
        assert client.get("/tasks", headers={"Authorization": "Bearer dev-admin"}).json()["total"] > 0


def test_cli_migrate_deploy_and_tick(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", url)
    monkeypatch.setenv("PATHWAYS_PATHWAYS_DIR", str(PATHWAYS_DIR))
    assert cli_main(["migrate"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert cli_main(["deploy"]) == 0
    assert "tsb_d01 deployed as new version" in capsys.readouterr().out
    assert cli_main(["deploy"]) == 0
    assert "unchanged" in capsys.readouterr().out
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes(sample_pathway(condition="open('x')"))
    assert cli_main(["deploy", str(bad)]) == 1
    assert "was not deployed" in capsys.readouterr().out
    assert cli_main(["tick"]) == 0
    assert "timers fired for 0 instance(s)" in capsys.readouterr().out
    database = Database(url)
    deployed = sorted(load_definition(path.read_bytes(), path.name).key for path in pathway_files(PATHWAYS_DIR))
    assert [p["key"] for p in list_pathways(database)] == deployed
    database.dispose()
