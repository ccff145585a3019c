"""A database that fails is told apart from a pathway file that fails: 503 `database_failed` with Retry-After
(never a 500, never `engine_error`), a bokmål page, no incident parked for an outage, and the CLI says it plainly."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, select
from sqlalchemy.exc import DataError
from sqlalchemy.pool import NullPool

from engine.catalogue.deployment import deploy
from engine.db.models import Incident
from engine.errors import ErrorCode, Unavailable
from engine.runtime import PathwayRuntime, sweeps
from engine.runtime.failures import database_failed, is_outage
from tests.bpmn_samples import timer_then_script
from tests.support import complete, open_task
from tests.test_hardening import NORD, START

DAY = START["referral_received_on"]


@contextmanager
def database_down(db):
    """New connections are refused as a stopped server refuses them; the pooled ones are closed first."""
    dbapi = db.engine.dialect.dbapi

    def refuse(*_args, **_kwargs):
        raise dbapi.OperationalError("connection refused: the server is not running")

    db.engine.dispose()
    event.listen(db.engine, "do_connect", refuse)
    try:
        yield
    finally:
        event.remove(db.engine, "do_connect", refuse)
        db.engine.dispose()


def _started(client) -> dict:
    answer = client.post("/instances", json={**START, "unit": "DPS Nord"}, headers=NORD)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_command_while_the_database_is_down_answers_503_and_saves_nothing(client):
    instance = _started(client)
    [task] = [t for t in instance["open_tasks"]]
    with database_down(client.app.state.db):
        answer = client.post(f"/tasks/{task['id']}/complete", headers=NORD,
                             json={"occurred_on": DAY, "data": {"outcome": "right_to_care"}})
        read = client.get("/tasks", headers=NORD)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    body = answer.json()
    assert body["code"] == ErrorCode.DATABASE_FAILED and body["params"]["cause"] == "OperationalError"
    assert "Traceback" not in answer.text and "SELECT" not in answer.text
    assert read.status_code == 503 and read.json()["code"] == ErrorCode.DATABASE_FAILED
    after = client.get(f"/instances/{instance['id']}", headers=NORD).json()
    assert [t["id"] for t in after["open_tasks"]] == [task["id"]]  # the registration was not half-made


def test_a_page_while_the_database_is_down_says_so_in_bokmal(client):
    from tests.test_web import login

    login(client, "dev-koordinator-nord")
    with database_down(client.app.state.db):
        page = client.get("/arbeidsliste")
    assert page.status_code == 503 and "text/html" in page.headers["content-type"]
    assert "Databasen svarte ikke" in page.text and "Ingenting ble lagret" in page.text


def test_a_refused_statement_inside_a_command_is_not_blamed_on_the_pathway_file(runtime, monkeypatch):
    """Before, any exception inside the gate became engine_error: "the pathway file needs a fix"."""
    import engine.runtime.projection as projection

    instance_id = runtime.start_pathway(patient_key="P-1", pathway_key="tsb_d01", unit="DPS Test",
                                        setting="outpatient", referral_received_on=runtime.today())

    def refused(*_args, **_kwargs):
        raise DataError("UPDATE pathway_instance SET …", {}, Exception("value too long for type character varying"))

    monkeypatch.setattr(projection, "dump_state", refused)
    with pytest.raises(DataError) as failed:
        complete(runtime, instance_id, "assess_referral", runtime.today(), outcome="right_to_care")
    monkeypatch.undo()
    translated = database_failed(failed.value)
    assert isinstance(translated, Unavailable) and translated.code == ErrorCode.DATABASE_FAILED
    assert not is_outage(failed.value)
    assert open_task(runtime, instance_id, "assess_referral")


def test_an_outage_during_the_timer_sweep_parks_nothing_and_the_next_tick_fires(db, clock, monkeypatch):
    deploy(db, clock, timer_then_script("follow_up_weeks = 2"), "reminder.bpmn")
    runtime = PathwayRuntime(db, clock)
    for n in range(3):
        instance_id = runtime.start_pathway(patient_key=f"P-{n}", pathway_key="reminder", unit="DPS Test",
                                            setting="outpatient", referral_received_on=clock.now().date())
        complete(runtime, instance_id, "assess", clock.now().date())
    clock.set(clock.now() + timedelta(days=2))
    real = sweeps.fire_next_timer
    calls = []

    def first_call_loses_the_database(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise _outage(db)
        return real(*args, **kwargs)

    monkeypatch.setattr(sweeps, "fire_next_timer", first_call_loses_the_database)
    assert runtime.fire_due_timers() == 0  # the round stopped at the outage, without blaming anyone
    assert len(calls) == 1
    with db.reading() as session:
        assert list(session.scalars(select(Incident))) == []
    assert runtime.fire_due_timers() == 3


def _outage(db):
    from sqlalchemy.exc import OperationalError

    return OperationalError("SELECT …", {}, db.engine.dialect.dbapi.OperationalError("server closed the connection"))


def test_the_cli_says_the_database_failed_without_a_traceback():
    folder = tempfile.mkdtemp(prefix="pathways-cli-")
    url = f"sqlite:///{folder}/missing/folder/pathways.db"  # a folder that does not exist: SQLite cannot open it
    env = {**os.environ, "PATHWAYS_DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-m", "engine.cli", "tick"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 2, done.stderr
    assert "the database failed: OperationalError" in done.stderr and "Traceback" not in done.stderr


def test_pooled_connections_the_server_ended_give_database_failed_once_then_the_pool_reconnects(client):
    """No pre-ping on checkout: a connection PostgreSQL ended (a restart, an idle cut) fails its first statement.
    That must still be the stable 503, and the emptied pool must connect afresh for the next request."""
    db = client.app.state.db
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to end a connection")
    instance = _started(client)
    [task] = instance["open_tasks"]
    held = [db.engine.connect() for _ in range(3)]  # the pool's connections, each with its server pid
    pids = [conn.exec_driver_sql("select pg_backend_pid()").scalar() for conn in held]
    for conn in held:
        conn.close()  # back into the pool, still open
    admin = create_engine(db.url, poolclass=NullPool)
    with admin.begin() as conn:
        for pid in pids:
            conn.exec_driver_sql(f"select pg_terminate_backend({int(pid)})")
    admin.dispose()
    answers = [client.post(f"/tasks/{task['id']}/complete", headers=NORD,
                           json={"occurred_on": DAY, "data": {"outcome": "right_to_care"}}) for _ in range(2)]
    failed = [a for a in answers if a.status_code != 200]
    assert all(a.status_code == 503 and a.json()["code"] == ErrorCode.DATABASE_FAILED for a in failed), \
        [(a.status_code, a.text[:300]) for a in answers]
    assert answers[-1].status_code == 200, answers[-1].text  # the pool reconnected
    assert pids  # the test did end pooled connections
