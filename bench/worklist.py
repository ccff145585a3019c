"""Server time of the coordinator's worklist on the seeded demo set (1,000 pathways by default).

    python bench/worklist.py                     # SQLite in a temporary folder
    python bench/worklist.py --database-url postgresql+psycopg://…/db   # an EMPTY PostgreSQL database
    python bench/worklist.py --pathways 200 --runs 10
    python bench/worklist.py --database-url sqlite:////tmp/wl.db   # seeds once; a second run reuses the data

Seeds the demo pathways with the engine (as `pathways seed` does), then times `GET /arbeidsliste` as DPS Nord's
coordinator through the real application (TestClient, no network): the default view and each quick filter, and
`GET /tasks` with the quick-filter counts. Prints the median and the 90th percentile in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from engine.catalogue.deployment import deploy_directory
from engine.clock import ManualClock
from engine.db.database import Database
from engine.db.migrate import upgrade
from engine.demo.seed import has_instances, seed
from engine.runtime import PathwayRuntime
from engine.settings import Settings

PATHWAYS_DIR = Path(__file__).resolve().parent.parent / "pathways"
TODAY = date(2026, 1, 5)
VIEWS = ["/arbeidsliste", "/arbeidsliste?vis=forfalt", "/arbeidsliste?vis=snart", "/arbeidsliste?vis=uke",
         "/arbeidsliste?vis=ledige", "/arbeidsliste?side=2", "/tasks?limit=50"]


def _time(client: TestClient, url: str, runs: int) -> tuple[float, float]:
    client.get(url)  # warm up (templates, caches)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.text[:300]
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--pathways", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-worklist-')}/bench.db"
    db = Database(url)
    upgrade(db)
    clock = ManualClock(TODAY)
    deploy_directory(db, clock, PATHWAYS_DIR)
    if not has_instances(db):
        began = time.perf_counter()
        seed(lambda c: PathwayRuntime(db, c), pathways=args.pathways, years=2, today=TODAY, now=clock.now())
        print(f"seeded {args.pathways} pathways in {time.perf_counter() - began:.0f} s ({url.split(':')[0]})")
    app = create_app(Settings(database_url=url, pathways_dir=PATHWAYS_DIR, demo_data=False, auth_mode="dev"), clock,
                     run_scheduler=False)
    with TestClient(app, headers={"Authorization": "Bearer dev-koordinator-nord"}) as client:
        client.cookies.set("pathways_token", "dev-koordinator-nord")
        for view in VIEWS:
            median, p90 = _time(client, view, args.runs)
            print(f"{view:32} median {median:6.1f} ms   p90 {p90:6.1f} ms")


if __name__ == "__main__":
    main()
