from datetime import date

from sqlalchemy import func, select, update

from engine.catalogue.parser import load_definition, pathway_files
from engine.catalogue.versions import DefinitionCache
from engine.cli import main as cli_main
from engine.db.database import Database
from engine.db.models import AuditEvent, IndicatorMeasurement, PathwayVersion
from engine.demo.loader import load_demo_data
from engine.reading.pathways import list_pathways
from engine.reading.tasks import TaskFilter, list_tasks
from engine.statuses import DeadlineStatus
from tests.bpmn_samples import sample_pathway
from tests.support import PATHWAYS_DIR


def test_demo_data_fills_an_empty_database_once(runtime, clock):
    clock.set(date(2026, 11, 23))
    assert load_demo_data(runtime, pathways=40) == 40
    tasks = list_tasks(runtime.db, runtime.today(), TaskFilter(), limit=500)
    assert tasks["total"] > 0
    units = {t["unit"] for t in tasks["items"]}
    assert {"DPS Nord", "DPS Sør", "BUP Vest"} <= units <= {  # the dev users' units
        "DPS Nord", "DPS Sør", "BUP Vest", "Porsgrunn kommune", "Kragerø kommune"}
    assert any(t["overdue"] for t in tasks["items"])
    assert {t["pathway"] for t in tasks["items"]} >= {"tsb_d01", "mental_health_adults_d11"}
    assert load_demo_data(runtime, pathways=40) == 0  # never on top of real data


def test_demo_default_is_the_full_seeded_set():
    import inspect

    from engine.demo import loader as demo

    assert demo.DEMO_PATHWAYS >= 1000 and demo.DEMO_YEARS == 2
    assert inspect.signature(load_demo_data).parameters["pathways"].default is None  # None = DEMO_PATHWAYS


def test_demo_data_never_stops_the_start_up(runtime, monkeypatch):
    from engine.demo import loader as demo

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure while seeding")

    monkeypatch.setattr(demo, "seed", broken)
    assert load_demo_data(runtime, pathways=5) == 0


def test_demo_server_start_loads_patients(db, clock, monkeypatch):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from engine.demo import loader as demo
    from engine.settings import Settings

    monkeypatch.setattr(demo, "DEMO_PATHWAYS", 20)  # the start-up path, with a small set
    clock.set(date(2026, 11, 23))
    settings = Settings(database_url=db.url, pathways_dir=PATHWAYS_DIR, demo_data=True, auth_mode="dev")
    with TestClient(create_app(settings, clock, run_scheduler=False)) as client:
        listed = client.get("/tasks", headers={"Authorization": "Bearer dev-koordinator-nord"}).json()
        assert listed["total"] > 0 and {t["unit"] for t in listed["items"]} == {"DPS Nord"}


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
    with Database(url).reading() as session:  # who deployed: the command line's user, also in the audit trail
        assert {v.deployed_by.split(":")[0] for v in session.scalars(select(PathwayVersion))} == {"cli"}
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "deploy_pathway")) == len(pathway_files(PATHWAYS_DIR))
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes(sample_pathway(condition="open('x')"))
    assert cli_main(["deploy", str(bad)]) == 1
    assert "was not deployed" in capsys.readouterr().out
    assert cli_main(["tick"]) == 0
    assert "timers fired for 0 instance(s)" in capsys.readouterr().out
    assert cli_main(["seed", "--pathways", "12", "--years", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("12 pathways in ") and "units: " in out and "deadlines: " in out
    assert cli_main(["seed", "--pathways", "12"]) == 1  # never on top of existing pathways
    assert "not seeded: the database already has pathway instances" in capsys.readouterr().out
    assert cli_main(["tally"]) == 0  # the seed's commands kept it
    assert "0 row(s) of the compliance tally differ" in capsys.readouterr().out
    with Database(url).engine.begin() as conn:  # a data fix in SQL, outside the engine
        conn.execute(update(IndicatorMeasurement).where(IndicatorMeasurement.status == DeadlineStatus.MET)
                     .values(status=DeadlineStatus.BREACHED))
    assert cli_main(["tally"]) == 1
    assert "`pathways tally --rebuild` recomputes it" in capsys.readouterr().out
    assert cli_main(["tally", "--rebuild"]) == 0 and cli_main(["tally"]) == 0
    database = Database(url)
    deployed = sorted(load_definition(path.read_bytes(), path.name).key for path in pathway_files(PATHWAYS_DIR))
    assert [p["key"] for p in list_pathways(database, DefinitionCache(database))] == deployed
    database.dispose()
