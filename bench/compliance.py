"""Server time of the compliance reports at regional scale (about 1,000,000 measurements in 53 units).

    python bench/compliance.py                     # builds or reuses the regional data set (bench/regional_data.py)
    python bench/compliance.py --schema bench_small --pathways 2000 --measurements 20000 --engine-pathways 200

Times, through the real application (TestClient, no network) as an administrator who sees every unit, on a
ManualClock at the data set's day: the JSON report for all units and for one unit, by tertial and by month (its
first page, at most 10,000 rows), the whole every-unit month report read page by page (each page's cursor read
with orjson, as a client would), the units added together, the CSV and the Excel export, and the `/rapporter`
page. Prints the median and the 95th percentile in milliseconds, and the number of rows answered. The goal (issue 15): every report variant
within 500 ms and the page within 1 s. The script always exits 0: it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from bench.regional_data import DEFAULT_SCHEMA, DEFAULT_URL, PATHWAYS_DIR, REGIONAL_UNITS, TODAY, build  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.settings import Settings  # noqa: E402

UNIT = REGIONAL_UNITS[7]
VARIANTS = {
    "all units, tertial": "/reports/compliance?period=tertial",
    "all units, month": "/reports/compliance?period=month",
    "all units, month, every page": "/reports/compliance?period=month&pages=all",
    "one unit, tertial": f"/reports/compliance?period=tertial&unit={UNIT}",
    "one unit, month": f"/reports/compliance?period=month&unit={UNIT}",
    "units added, tertial": "/reports/compliance?period=tertial&by_unit=false",
    "CSV, all units, tertial": "/reports/compliance.csv?period=tertial",
    "Excel, all units, tertial": "/reports/compliance.xlsx?period=tertial",
    "page /rapporter": "/rapporter",
    "page /rapporter, one unit": f"/rapporter?unit={UNIT}",
}


def _time(client: TestClient, url: str, runs: int) -> tuple[float, float, int]:
    times = []
    size = 0
    every_page = url.endswith("&pages=all")
    for _ in range(runs):
        began = time.perf_counter()
        answer = client.get(url.removesuffix("&pages=all"))
        rows = 0
        while every_page:  # a client reading the whole report: one request per page, after the last one's cursor
            body = orjson.loads(answer.content)
            rows += len(body["rows"])
            if body["next_cursor"] is None:
                break
            answer = client.get(f"{url.removesuffix('&pages=all')}&cursor={body['next_cursor']}")
        times.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
        if every_page:
            size = rows
        else:
            size = len(answer.json()["rows"]) if url.startswith("/reports/compliance?") else len(answer.content)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--schema", default=DEFAULT_SCHEMA)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pathways", type=int, default=100_000, help="active pathways of the data set")
    parser.add_argument("--measurements", type=int, default=1_000_000, help="closed measurements of the data set")
    parser.add_argument("--engine-pathways", type=int, default=2_000, help="of them made by the engine")
    args = parser.parse_args()
    url = build(args.url, args.schema, pathways=args.pathways, measurements=args.measurements,
                engine_pathways=args.engine_pathways)
    settings = Settings(database_url=url, pathways_dir=PATHWAYS_DIR, auth_mode="dev", scheduler_interval_seconds=0)
    # As the server's processes start it: the start-up objects frozen out of the garbage collector's walk.
    app = create_app(settings, ManualClock(TODAY), run_scheduler=False, freeze_after_start=True)
    with TestClient(app, headers={"Authorization": "Bearer dev-admin"}) as client:
        with app.state.db.reading_connection() as conn:
            count = conn.exec_driver_sql("SELECT count(*) FROM indicator_measurement").scalar_one()
        print(f"{count:,} measurements, {len(REGIONAL_UNITS)} units, as of {TODAY}; {args.runs} runs each")
        print(f"{'variant':<30} {'p50 ms':>9} {'p95 ms':>9}  size")
        for name, path in VARIANTS.items():
            p50, p95, size = _time(client, path, args.runs)
            unit = "rows" if path.startswith("/reports/compliance?") else "bytes"
            print(f"{name:<30} {p50:>9.0f} {p95:>9.0f}  {size:,} {unit}")


if __name__ == "__main__":
    main()
