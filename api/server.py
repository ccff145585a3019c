"""`pathways-server`: run the API with uvicorn. `--demo` loads demo patients into an empty database and turns on
dev mode, with the fixed demo users of engine.access.principals.DEV_USERS."""

from __future__ import annotations

import argparse
import os


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pathways-server", description="Run the pathway engine's web service.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--demo", action="store_true", help="load demo patients when the database is empty, and log in with the fixed dev users")
    args = parser.parse_args(argv)
    if args.demo:
        os.environ["PATHWAYS_DEMO_DATA"] = "true"
        os.environ["PATHWAYS_AUTH_MODE"] = "dev"

    import uvicorn

    from .app import create_app

    print(f"Pathway engine: http://{args.host}:{args.port}/")
    if os.environ.get("PATHWAYS_AUTH_MODE") == "dev":
        from engine.access.principals import DEV_USERS

        print("Dev mode – demo users (bearer tokens), never for real patients:")
        for token, user in DEV_USERS.items():
            print(f"  {token:<22} {user.role:<12} {user.name}")
    uvicorn.run(create_app(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
