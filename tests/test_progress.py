"""Long work shows progress: the seeding tells a callback each simulated day (the engine draws nothing itself),
the terminal helper draws a rich bar on a terminal and sparse plain lines elsewhere, `pathways seed` prints its
progress and a finished line, and the server says in one line when it listens, after the demo data is in."""

from __future__ import annotations

import io
import socket
import threading
from datetime import date

import uvicorn

from api import server as server_module
from api.app import create_app
from api.server import ReadyServer, ready_line, server_url
from engine.cli import main as cli_main
from engine.clock import ManualClock
from engine.demo import loader as demo
from engine.demo.loader import load_demo_data
from engine.demo.seed import seed
from engine.settings import Settings
from engine.terminal import PLAIN_STEPS, TerminalProgress
from tests.support import PATHWAYS_DIR

DAY = date(2026, 11, 23)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _counting() -> tuple[list[tuple[int, int]], object]:
    calls: list[tuple[int, int]] = []
    return calls, lambda done, total: calls.append((done, total))


def test_seeding_tells_the_callback_each_day_up_to_the_total(runtime, clock):
    clock.set(DAY)
    calls, progress = _counting()
    summary = seed(runtime.db, pathways=6, years=0.25, today=DAY, progress=progress)
    assert summary.instances == 6
    totals = {total for _, total in calls}
    assert len(totals) == 1 and 1 < totals.pop() <= 92  # the days from the first referral to today
    done = [d for d, _ in calls]
    assert done == list(range(1, len(calls) + 1)) and calls[-1][0] == calls[-1][1]


def test_the_demo_loader_passes_the_callback_on(runtime, clock):
    clock.set(DAY)
    calls, progress = _counting()
    assert load_demo_data(runtime, pathways=4, years=0.1, progress=progress) == 4
    assert calls and calls[-1][0] == calls[-1][1]
    told = len(calls)
    assert load_demo_data(runtime, pathways=4, progress=progress) == 0  # never on top of data: nothing to tell
    assert len(calls) == told


def test_off_a_terminal_the_progress_is_a_plain_line_at_every_tenth():
    stream = io.StringIO()
    progress = TerminalProgress("Seeding", "days", stream)
    for day in range(1, 731):
        progress(day, 730)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == PLAIN_STEPS and "\x1b" not in stream.getvalue()  # no redrawn bar, no escape codes
    assert lines[0] == "Seeding: 10 % (73/730 days)" and lines[-1] == "Seeding: 100 % (730/730 days)"


def test_on_a_terminal_the_progress_is_a_rich_bar():
    stream = _Terminal()
    progress = TerminalProgress("Demo data", "days", stream)
    for day in range(1, 31):
        progress(day, 30)
    text = stream.getvalue()
    assert "Demo data" in text and "30/30" in text and "━" in text  # rich's bar, drawn to the end
    assert progress._bar is None  # stopped by itself when the work was done


def test_pathways_seed_prints_progress_and_a_finished_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", f"sqlite:///{tmp_path}/seed.db")
    monkeypatch.setenv("PATHWAYS_PATHWAYS_DIR", str(PATHWAYS_DIR))
    assert cli_main(["seed", "--pathways", "5", "--years", "0.2"]) == 0
    out, err = capsys.readouterr()
    progress = err.splitlines()
    assert progress[-1].startswith("Seeding: 100 % (") and len(progress) <= PLAIN_STEPS
    assert out.splitlines()[-1].startswith("Seeding finished: 5 pathways in ")


def test_the_ready_line_names_the_address_to_open():
    assert ready_line(server_url("127.0.0.1", 8000)) == \
        "Pathway engine ready: http://127.0.0.1:8000/ (stop it with Ctrl+C)"
    assert server_url("0.0.0.0", 9000) == "http://127.0.0.1:9000/"
    assert server_url("::", 8000) == "http://[::1]:8000/"


def test_the_server_is_ready_after_the_demo_data_and_while_it_listens(db, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_PATHWAYS", 5)
    events: list[str] = []
    settings = Settings(database_url=db.url, pathways_dir=PATHWAYS_DIR, demo_data=True, auth_mode="dev")
    app = create_app(settings, ManualClock(DAY), run_scheduler=False,
                     demo_progress=lambda done, total: events.append("day"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def ready() -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            events.append("ready")  # the socket accepts connections when the line is printed
        served.should_exit = True

    served = ReadyServer(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"), on_ready=ready)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert events[-1] == "ready" and events.count("ready") == 1 and events.count("day") > 1


def test_pathways_server_prints_the_ready_line_when_it_listens(monkeypatch, capsys):
    monkeypatch.setattr("api.app.create_app", lambda *args, **kwargs: object())
    monkeypatch.setattr(server_module.ReadyServer, "run", lambda self: self.on_ready())
    server_module.main(["--port", "8123"])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Pathway engine starting on http://127.0.0.1:8123/ …"
    assert out[-1] == "Pathway engine ready: http://127.0.0.1:8123/ (stop it with Ctrl+C)"
