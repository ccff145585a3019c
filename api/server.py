"""`pathways-server`: run the API with uvicorn. `--demo` loads demo patients into an empty database and turns on
dev mode, with the fixed demo users of engine.access.principals.DEV_USERS. Loading the demo data shows its
progress on stderr (`engine.terminal`), and the server says in one line when it listens, after the data is in."""

from __future__ import annotations

import argparse
import os
import socket
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
    parser.add_argument("--demo", action="store_true", help="load demo patients when the database is empty, and log in with the fixed dev users")
    args = parser.parse_args(argv)
    if args.demo:
        os.environ["PATHWAYS_DEMO_DATA"] = "true"
        os.environ["PATHWAYS_AUTH_MODE"] = "dev"

    from engine.terminal import TerminalProgress

    from .app import create_app

    url = server_url(args.host, args.port)
    print(f"Pathway engine starting on {url} …", flush=True)
    if os.environ.get("PATHWAYS_AUTH_MODE") == "dev":
        from engine.access.principals import DEV_USERS

        print("Dev mode – demo users (bearer tokens), never for real patients:")
        for token, user in DEV_USERS.items():
            print(f"  {token:<22} {user.role:<12} {user.name}")
    progress = TerminalProgress("Demo data", "days")

    def ready() -> None:
        progress.close()
        print(ready_line(url), flush=True)

    app = create_app(demo_progress=progress)
    ReadyServer(uvicorn.Config(app, host=args.host, port=args.port), on_ready=ready).run()


if __name__ == "__main__":
    main()
