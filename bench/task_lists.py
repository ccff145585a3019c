"""Server time of every task-list variant on the regional data set (100,000 active pathways, 53 units), PostgreSQL.

    python bench/task_lists.py                         # builds (or reuses) schema bench_task_lists, 40 runs each
    python bench/task_lists.py --runs 100 --schema bench_task_lists
    python bench/task_lists.py --drop                  # drop the schema at the end

The data set is `bench/regional_data.py`'s, in a schema of this bench (reused by the next run; `--drop` removes it).
The application runs on a `ManualClock` at the data set's day, and every request goes through it (TestClient, no
network): `GET /tasks` as the coordinator of one unit, of two units, as the administrator across all 53 units,
deep in the list (offset 5,000, and the keyset equivalent: page 101 reached by `cursor`), each quick filter, the
patient-key filter, and the worklist page `/arbeidsliste`. Prints the median and the 95th percentile per variant.
The timed region is the whole request, audit rows included.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
import regional_data  # noqa: E402

import engine  # noqa: E402
from api.app import create_app  # noqa: E402
from engine.access.principals import COORDINATOR, token_hash  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.db.database import Database  # noqa: E402
from engine.db.migrate import upgrade  # noqa: E402
from engine.settings import Settings  # noqa: E402

PATHWAYS_DIR = Path(engine.__file__).resolve().parent.parent / "pathways"
ONE_UNIT = "dev-koordinator-nord"  # DPS Nord
TWO_UNITS = "bench-two-units"  # DPS Nord and DPS Sør
ADMIN = "dev-admin"


def _two_unit_user(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM api_user WHERE id = 'bench-two-units'"))
        conn.execute(text("INSERT INTO api_user (id, name, role, units, token_hash, active, created_at) VALUES "
                          "('bench-two-units', 'Bench (DPS Nord og DPS Sør)', :role, :units, :hash, true, :at)"),
                     {"role": COORDINATOR, "units": "DPS Nord\nDPS Sør", "hash": token_hash(TWO_UNITS),
                      "at": datetime.now(timezone.utc)})


def _time(client: TestClient, token: str, url: str, runs: int) -> tuple[float, float]:
    headers = {"Authorization": f"Bearer {token}"}
    client.cookies.set("pathways_token", token)
    for _ in range(3):  # warm up (templates, caches, plans)
        assert client.get(url, headers=headers).status_code == 200
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.text[:300]
    times.sort()
    return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]


def _cursor_of_page(client: TestClient, token: str, page: int) -> str | None:
    """The cursor that opens page `page` (50 a page), following `next_cursor` from the first page."""
    cursor = None
    for _ in range(page - 1):
        body = client.get("/tasks?limit=50" + (f"&cursor={cursor}" if cursor else ""),
                          headers={"Authorization": f"Bearer {token}"}).json()
        cursor = body.get("next_cursor")
        if cursor is None:
            return None
    return cursor


def variants(client: TestClient, db: Database) -> list[tuple[str, str, str]]:
    with db.reading_connection() as conn:
        patient = conn.scalar(text("SELECT patient_key FROM coordinator_task WHERE status = 'open' "
                                   "AND patient_key LIKE 'REG-%' ORDER BY patient_key OFFSET 5000 LIMIT 1"))
    found = [
        ("one unit", ONE_UNIT, "/tasks?limit=50"),
        ("two units", TWO_UNITS, "/tasks?limit=50"),
        ("all units (admin)", ADMIN, "/tasks?limit=50"),
        ("admin offset 5,000", ADMIN, "/tasks?limit=50&offset=5000"),
        ("two units offset 2,000", TWO_UNITS, "/tasks?limit=50&offset=2000"),
    ]
    cursor = _cursor_of_page(client, ADMIN, 101)
    if cursor:
        found.append(("admin page 101 (cursor)", ADMIN, f"/tasks?limit=50&cursor={cursor}"))
    for due in ("overdue", "this_week", "soon"):
        found.append((f"one unit due={due}", ONE_UNIT, f"/tasks?limit=50&due={due}"))
        found.append((f"admin due={due}", ADMIN, f"/tasks?limit=50&due={due}"))
    found += [
        ("one unit unclaimed", ONE_UNIT, "/tasks?limit=50&unclaimed=true"),
        ("admin unclaimed", ADMIN, "/tasks?limit=50&unclaimed=true"),
        ("one unit mine", ONE_UNIT, "/tasks?limit=50&assignee=koordinator-nord"),
        ("admin patient key", ADMIN, f"/tasks?limit=50&patient_key={patient}"),
        ("worklist /arbeidsliste", ONE_UNIT, "/arbeidsliste"),
        ("worklist ?vis=forfalt", ONE_UNIT, "/arbeidsliste?vis=forfalt"),
        ("worklist page 2", ONE_UNIT, "/arbeidsliste?side=2"),
        ("worklist (admin)", ADMIN, "/arbeidsliste"),
    ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=regional_data.DEFAULT_URL)
    parser.add_argument("--schema", default="bench_task_lists")
    parser.add_argument("--pathways", type=int, default=100_000)
    parser.add_argument("--measurements", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--drop", action="store_true", help="drop the schema at the end")
    args = parser.parse_args()
    url = regional_data.build(args.url, args.schema, pathways=args.pathways, measurements=args.measurements)
    db = Database(url)
    try:
        upgrade(db)  # this branch's migrations on a data set built before them
        _two_unit_user(db)
        app = create_app(Settings(database_url=url, pathways_dir=PATHWAYS_DIR, demo_data=False, auth_mode="dev"),
                         ManualClock(regional_data.TODAY), run_scheduler=False)
        with TestClient(app) as client:
            for name, token, path in variants(client, db):
                median, p95 = _time(client, token, path, args.runs)
                print(f"{name:28} p50 {median:7.1f} ms   p95 {p95:7.1f} ms", flush=True)
    finally:
        db.engine.dispose()
        if args.drop:
            regional_data.drop(args.url, args.schema)


if __name__ == "__main__":
    main()
