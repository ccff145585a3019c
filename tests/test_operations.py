"""Running the service: liveness and readiness, Prometheus metrics, request ids and structured logs, and
`pathways-server --workers N` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import logging.config
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import OperationalError

from engine.catalogue.deployment import deploy
from engine.db import migrate
from engine.logs import RequestIdFilter, logging_config, request_id
from engine.runtime import PathwayRuntime
from tests.bpmn_samples import timer_then_script
from tests.databases import postgres_schema
from tests.support import complete, open_task, start_tsb

ROOT = Path(__file__).resolve().parent.parent


def samples(client, name: str) -> dict[tuple, float]:
    """The metric `name`'s samples by their labels, as the scrape shows them."""
    text = client.get("/metrics").text
    return {tuple(sorted(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples if s.name == name}


def value(client, name: str, **labels: str) -> float:
    return samples(client, name).get(tuple(sorted(labels.items())), 0.0)


def test_health_answers_without_the_database(client, monkeypatch):
    def down(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(client.app.state.db, "reading_connection", down)
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_when_the_schema_is_current(client):
    answer = client.get("/ready")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "schema_revision": migrate.head_revision()}


def test_not_ready_when_the_schema_is_behind_the_code(client, monkeypatch):
    monkeypatch.setattr(migrate, "head_revision", lambda: "9999")
    answer = client.get("/ready")
    assert answer.status_code == 503
    assert answer.json()["code"] == "schema_outdated"
    assert answer.json()["params"] == {"current": _current(client), "head": "9999"}
    assert answer.headers["Retry-After"]


def _current(client) -> str:
    with client.app.state.db.reading_connection() as conn:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()


def test_not_ready_when_the_database_does_not_answer(client, monkeypatch):
    def down(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("refused"))

    monkeypatch.setattr(client.app.state.db, "reading_connection", down)
    answer = client.get("/ready")
    assert answer.status_code == 503
    assert answer.json()["code"] == "database_failed"
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert value(client, "pathways_database_up") == 0


def test_metrics_count_requests_by_route_template_never_by_path(client):
    before = value(client, "pathways_http_requests_total", method="GET", route="/tasks/{task_id}", status="404")
    client.get("/tasks/P-99999-secret")
    after = samples(client, "pathways_http_requests_total")
    assert after[(("method", "GET"), ("route", "/tasks/{task_id}"), ("status", "404"))] == before + 1
    assert not any("secret" in v for labels in after for _, v in labels)
    client.get("/no/such/page/P-123")
    assert value(client, "pathways_http_requests_total", method="GET", route="unmatched", status="404") >= 1


def test_metrics_count_commands_by_outcome(client, runtime):
    ok_before = value(client, "pathways_commands_total", command="complete_task", outcome="ok")
    def refused() -> float:
        return sum(v for labels, v in samples(client, "pathways_commands_total").items()
                   if ("command", "complete_task") in labels and ("outcome", "ok") not in labels)

    refused_before = refused()
    instance = start_tsb(runtime, received=runtime.today())
    task = open_task(runtime, instance, "assess_referral")
    on = runtime.today().isoformat()
    assert client.post(f"/tasks/{task['id']}/complete",
                       json={"occurred_on": on, "data": {"outcome": "right_to_care"}}).status_code == 200
    again = client.post(f"/tasks/{task['id']}/complete", json={"occurred_on": on, "data": {"outcome": "right_to_care"}})
    assert again.status_code == 409
    assert value(client, "pathways_commands_total", command="complete_task", outcome="ok") == ok_before + 1
    assert value(client, "pathways_commands_total", command="complete_task",
                 outcome=again.json()["code"]) >= 1
    assert refused() == refused_before + 1


def test_metrics_show_the_backlog_the_sweeps_and_open_incidents(client, db, clock):
    deploy(db, clock, timer_then_script("follow_up_weeks = missing_variable + 1"), "reminder.bpmn")
    runtime = PathwayRuntime(db, clock)
    instance = runtime.start_pathway(patient_key="P-0001", pathway_key="reminder", unit="DPS Test",
                                     setting="outpatient", referral_received_on=runtime.today())
    complete(runtime, instance, "assess", runtime.today())
    assert value(client, "pathways_database_up") == 1
    assert (value(client, "pathways_timers_scheduled"), value(client, "pathways_timers_due")) == (1, 0)
    clock.set(runtime.today() + timedelta(days=2))
    assert value(client, "pathways_timers_due") == 1
    ticks = value(client, "pathways_sweep_duration_seconds_count")
    assert client.post("/scheduler/run").status_code == 200
    assert value(client, "pathways_sweep_duration_seconds_count") == ticks + 1
    assert value(client, "pathways_incidents_open", kind="timer") == 1  # the broken script's timer is parked


def test_request_id_is_taken_from_a_proxy_when_plain_and_made_otherwise(client):
    assert client.get("/health", headers={"X-Request-ID": "proxy-42.a_b"}).headers["x-request-id"] == "proxy-42.a_b"
    made = client.get("/health", headers={"X-Request-ID": "a b" + "x" * 80}).headers["x-request-id"]
    assert len(made) == 32 and made != client.get("/health").headers["x-request-id"]


def test_one_log_line_per_request_with_its_id_and_no_patient_key(client, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="pathways.request"):
        answer = client.get("/tasks?patient_key=P-31337", headers={"X-Request-ID": "req-1"})
    lines = [r for r in caplog.records if r.name == "pathways.request"]
    assert len(lines) == 1
    assert (lines[0].request_id, lines[0].route, lines[0].status) == ("req-1", "/tasks", answer.status_code)
    assert "31337" not in lines[0].getMessage()


def test_the_workflow_library_logs_only_warnings():
    logging.config.dictConfig(logging_config("text"))
    try:
        assert logging.getLogger("spiff.task").getEffectiveLevel() == logging.WARNING
        assert logging.getLogger("engine.runtime").getEffectiveLevel() == logging.INFO
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False,
                                   "root": {"level": "WARNING", "handlers": []},
                                   "loggers": {"spiff": {"level": "NOTSET"}}})


def test_json_log_lines_carry_the_request_id():
    config = logging_config("json")
    formatter = logging.config.DictConfigurator(config).configure_custom(dict(config["formatters"]["default"]))
    record = logging.LogRecord("engine.runtime", logging.WARNING, __file__, 1, "timer of %s failed", ("x",), None)
    token = request_id.set("abc")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    line = json.loads(formatter.format(record))
    assert (line["level"], line["name"], line["request_id"], line["message"]) == (
        "WARNING", "engine.runtime", "abc", "timer of x failed")


# --- `pathways-server --workers N` --------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker_pids(parent: int) -> list[int]:
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [int(pid) for pid in children
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
            and b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _lines_until(server: subprocess.Popen, wanted: str, timeout: float) -> list[str]:
    """The server's output up to the line holding `wanted`, read beside the test so the timeout holds even when
    the server goes quiet; fails with the output, how long it waited and whether the server still runs."""
    seen: list[str] = []
    found = threading.Event()

    def read() -> None:
        for line in server.stdout:
            seen.append(line)
            if wanted in line:
                found.set()
                return

    began = time.monotonic()
    threading.Thread(target=read, daemon=True).start()
    if not found.wait(timeout):
        state = "still running" if server.poll() is None else f"exited with {server.returncode}"
        pytest.fail(f"no {wanted!r} after {time.monotonic() - began:.0f} s; the server is {state}:\n" + "".join(seen))
    return seen


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_several_workers_start_on_an_empty_database_and_share_their_metrics(backend, request, tmp_path):
    url = f"sqlite:///{tmp_path}/workers.db"
    if backend == "postgresql":  # an empty schema of its own: the session's shared one is migrated already
        schema = postgres_schema("workers")
        url = schema.__enter__()
        request.addfinalizer(lambda: schema.__exit__(None, None, None))
    port = _free_port()
    env = {**os.environ, "PATHWAYS_DATABASE_URL": url, "PATHWAYS_SCHEDULER_INTERVAL_SECONDS": "0",
           "PATHWAYS_LOG_FORMAT": "json"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = subprocess.Popen([sys.executable, "-m", "api.server", "--workers", "3", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _lines_until(server, "Pathway engine ready", timeout=90)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while len(_worker_pids(server.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_worker_pids(server.pid)) == 3  # none was lost at start-up
        for _ in range(30):
            assert httpx.get(f"{base}/ready").status_code == 200
        families = text_string_to_metric_families(httpx.get(f"{base}/metrics").text)
        ready_count = sum(s.value for f in families for s in f.samples
                          if s.name == "pathways_http_requests_total" and s.labels.get("route") == "/ready")
        assert ready_count >= 30  # every worker's requests, whichever worker answered the scrape
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
    assert server.returncode == 0
