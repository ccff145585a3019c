"""`pathways-server`: run the API with uvicorn. `--demo` loads demo patients into an empty database and turns on
dev mode, with the fixed demo users of engine.access.principals.DEV_USERS. Loading the demo data shows its
progress on stderr (`engine.terminal`), and the server says in one line when it listens, after the data is in.

`--workers N` runs N server processes on one socket (uvicorn's process manager, which restarts a worker that
dies). This process prepares the database first (migrate, deploy, demo data), so the workers start on a current
schema, and their metrics are added together through prometheus-client's multiprocess files. With one worker
everything runs in this process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import tempfile
import threading
import time
import urllib.request
from typing import Callable

import uvicorn


def server_url(host: str, port: int) -> str:
    """The address to open in a browser: a wildcard host is reached through this machine's own address."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def ready_line(url: str) -> str:
    return f"Pathway engine ready: {url} (stop it with Ctrl+C)"


class ReadyServer(uvicorn.Server):
    """uvicorn's server, calling `on_ready` once it listens: after the lifespan (migrations, pathway files, the
    demo data) and after the socket is bound, so the line it prints is true when it is read."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.on_ready()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pathways-server", description="Run the pathway engine's web service.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=_workers, default=1,
                        help="server processes sharing the port (default 1; PostgreSQL for more than one in production)")
    parser.add_argument("--demo", action="store_true", help="load demo patients when the database is empty, and log in with the fixed dev users")
    args = parser.parse_args(argv)
    if args.demo:
        os.environ["PATHWAYS_DEMO_DATA"] = "true"
        os.environ["PATHWAYS_AUTH_MODE"] = "dev"
        os.environ.setdefault("PATHWAYS_LOG_FORMAT", "text")
    if args.workers > 1:
        # before prometheus-client is imported: every worker writes its metrics to files there
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="pathways-metrics-"))

    from engine.logs import configure, logging_config
    from engine.settings import Settings
    from engine.terminal import TerminalProgress

    settings = Settings()
    configure(settings.log_format, settings.log_level)
    url = server_url(args.host, args.port)
    print(f"Pathway engine starting on {url} …", flush=True)
    if settings.auth_mode == "dev":
        from engine.access.principals import DEV_USERS

        print("Dev mode – demo users (bearer tokens), never for real patients:")
        for token, user in DEV_USERS.items():
            print(f"  {token:<22} {user.role:<12} {user.name}")
    progress = TerminalProgress("Demo data", "days")
    log_config = logging_config(settings.log_format, settings.log_level)
    if args.workers > 1:
        _run_workers(args, settings, progress, log_config, url)
        return

    from .app import create_app

    def ready() -> None:
        progress.close()
        print(ready_line(url), flush=True)

    app = create_app(settings, demo_progress=progress, freeze_after_start=True)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_config=log_config)
    ReadyServer(config, on_ready=ready).run()


def worker_app():
    """The application of one of `--workers N` processes (uvicorn's factory), settings from the environment."""
    from .app import create_app

    return create_app(freeze_after_start=True)


def _workers(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_WORKERS}")
    return value


#: More processes than this only queue on the database's connections (each has its own pool).
MAX_WORKERS = 32


def _run_workers(args: argparse.Namespace, settings, progress: Callable[[int, int], None], log_config: dict,
                 url: str) -> None:
    """Prepare the database here, then let uvicorn start the workers; say "ready" when one of them answers."""
    from engine.clock import SystemClock
    from engine.db.database import Database
    from engine.runtime import PathwayRuntime

    from .app import prepare

    db = Database(settings.database_url)
    try:
        prepare(PathwayRuntime(db, SystemClock()), settings, progress)
    finally:
        db.dispose()
    progress.close()
    threading.Thread(target=_announce_when_ready, args=(url,), daemon=True).start()
    try:
        uvicorn.run("api.server:worker_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                    log_config=log_config)
    finally:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def _announce_when_ready(url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "ready", timeout=2) as answer:
                if answer.status == 200:
                    print(ready_line(url), flush=True)
                    return
        except OSError:
            pass
        time.sleep(0.2)


if __name__ == "__main__":
    main()
