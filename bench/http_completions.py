"""Completion throughput through HTTP: the real server, one and two processes, 8 concurrent clients.

    python bench/http_completions.py                          # 1 and 2 processes, 8 clients, 20 s each
    python bench/http_completions.py --processes 1 --seconds 10 --pathways 600

How
---
* A fresh PostgreSQL schema `bench_http_<pid>_<random>` in `postgresql+psycopg://postgres@127.0.0.1:5432/test`
  (override with PATHWAYS_BENCH_POSTGRES_URL), migrated, the pathway files deployed, and `--pathways` tsb_d01
  pathways started *by the engine* (unit «DPS Nord», referral long enough ago that every step's date is in the
  past). The schema is dropped at the end.
* `--processes N`: N `pathways-server` processes (one per port; the client sends request i to port i mod N,
  round robin), scheduler off, dev-mode tokens; each process has its own live-workflow cache, as in production.
* `--clients` threads (httpx, one connection each) share the pathways: each client owns a slice and walks it
  one completion per pathway in turn (assessment, first attendance, ... treatment started, then evaluations
  that continue), taking the next task id from the completion's own answer. With more pathways than the live
  cache holds (512 per process), and round robin over processes, most completions load state from the row: the
  path production takes, where completions on one patient are days apart.
* After `--warmup` seconds the counters start: completions/s, p50/p95 latency (client side, whole request), and
  server CPU per completion (user + system time of the server processes from /proc, over the measured window).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402

from engine.catalogue.deployment import deploy_directory  # noqa: E402
from engine.clock import SystemClock  # noqa: E402
from engine.db.database import Database  # noqa: E402
from engine.db.migrate import upgrade  # noqa: E402
from engine.db.models import CoordinatorTask  # noqa: E402
from engine.demo.loader import TSB_JOURNEY  # noqa: E402
from engine.runtime import PathwayRuntime  # noqa: E402

POSTGRES_BASE = os.environ.get("PATHWAYS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PATHWAY = "tsb_d01"
UNIT = "DPS Nord"
TOKEN = "dev-koordinator-nord"
#: The journey up to treatment, then evaluations that continue, one day apart: as long as the bench runs.
OPENING = TSB_JOURNEY[:7]
EVALUATION = ("evaluate_treatment", {"outcome": "continue"}, 1)
HISTORY_DAYS = 900  # referral this long ago: room for ~850 evaluations before a date would be in the future
CPU_TICKS = os.sysconf("SC_CLK_TCK")


def step(n: int) -> tuple[str, dict[str, Any], int]:
    return OPENING[n] if n < len(OPENING) else EVALUATION


# ---- data -----------------------------------------------------------------------------------------------------

@dataclass
class Walk:
    """One pathway as a client drives it: its open task, how far it has come and the date of its last step."""
    task_id: str
    step: int
    day: date


def prepare(url: str, pathways: int) -> list[Walk]:
    db = Database(url)
    try:
        upgrade(db)
        clock = SystemClock()
        deploy_directory(db, clock, ROOT / "pathways")
        runtime = PathwayRuntime(db, clock)
        referral = runtime.today() - timedelta(days=HISTORY_DAYS)
        run = uuid.uuid4().int % 10**6
        ids = [runtime.start_pathway(patient_key=f"HTTP-{run:06d}{i:06d}", pathway_key=PATHWAY, unit=UNIT,
                                     setting="outpatient", referral_received_on=referral, actor="bench")
               for i in range(pathways)]
        with db.reading() as session:
            tasks = dict(session.execute(select(CoordinatorTask.instance_id, CoordinatorTask.id).where(
                CoordinatorTask.element_id == OPENING[0][0], CoordinatorTask.status == "open")).all())
        return [Walk(tasks[i], 0, referral) for i in ids]
    finally:
        db.dispose()


# ---- servers --------------------------------------------------------------------------------------------------

def start_servers(url: str, processes: int, base_port: int) -> list[subprocess.Popen]:
    env = {**os.environ, "PATHWAYS_DATABASE_URL": url, "PATHWAYS_AUTH_MODE": "dev",
           "PATHWAYS_SCHEDULER_INTERVAL_SECONDS": "0", "PATHWAYS_DEMO_DATA": "false"}
    # `pathways-server` of this checkout (python -m in its root), so a copy of another revision measures its own code
    procs = [subprocess.Popen([sys.executable, "-m", "api.server", "--port", str(base_port + i)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(processes)]
    deadline = time.monotonic() + 120
    for i, proc in enumerate(procs):
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server on port {base_port + i} exited with {proc.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{base_port + i}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("servers did not come up within 120 s")
            time.sleep(0.3)
    return procs


def stop_servers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def cpu_seconds(procs: list[subprocess.Popen]) -> float:
    """User + system CPU of the server processes so far."""
    total = 0
    for proc in procs:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CPU_TICKS


# ---- clients --------------------------------------------------------------------------------------------------

@dataclass
class Shared:
    ports: list[int]
    measuring: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    counter: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_port(self) -> int:
        with self.lock:
            self.counter += 1
            return self.ports[self.counter % len(self.ports)]


def client(shared: Shared, walks: list[Walk]) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(headers=headers, timeout=60) as http:
        while not shared.stop.is_set():
            for walk in walks:
                if shared.stop.is_set():
                    return
                element, form, gap = step(walk.step)
                day = walk.day + timedelta(days=gap)
                t0 = time.perf_counter()
                response = http.post(f"http://127.0.0.1:{shared.next_port()}/tasks/{walk.task_id}/complete",
                                     json={"occurred_on": day.isoformat(), "data": form})
                elapsed = time.perf_counter() - t0
                if response.status_code != 200:
                    shared.errors.append(f"{response.status_code} {response.text[:200]}")
                    shared.stop.set()
                    return
                if shared.measuring.is_set():
                    shared.latencies.append(elapsed)
                following = step(walk.step + 1)[0]
                walk.task_id = next(t["id"] for t in response.json()["open_tasks"] if t["element_id"] == following)
                walk.step += 1
                walk.day = day


@dataclass
class Figures:
    processes: int
    completions: int
    seconds: float
    latencies: list[float]
    cpu: float

    @property
    def rate(self) -> float:
        return self.completions / self.seconds


def drive(url: str, walks: list[Walk], processes: int, clients: int, warmup: float, seconds: float,
          base_port: int) -> Figures:
    procs = start_servers(url, processes, base_port)
    try:
        shared = Shared([base_port + i for i in range(processes)])
        threads = [threading.Thread(target=client, args=(shared, walks[i::clients]), daemon=True)
                   for i in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(warmup)
        cpu0, t0 = cpu_seconds(procs), time.perf_counter()
        shared.measuring.set()
        time.sleep(seconds)
        shared.measuring.clear()
        cpu1, t1 = cpu_seconds(procs), time.perf_counter()
        shared.stop.set()
        for thread in threads:
            thread.join(timeout=60)
        if shared.errors:
            raise RuntimeError(f"a completion failed: {shared.errors[0]}")
        done = len(shared.latencies)
        return Figures(processes, done, t1 - t0, shared.latencies, (cpu1 - cpu0) / max(1, done))
    finally:
        stop_servers(procs)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="1,2", help="comma-separated server process counts (default 1,2)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pathways", type=int, default=1200, help="pathways started by the engine (default 1200)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per run (default 20)")
    parser.add_argument("--warmup", type=float, default=4.0, help="seconds driven before measuring (default 4)")
    parser.add_argument("--port", type=int, default=18700, help="first server port")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.processes.split(",") if n.strip()]

    schema = f"bench_http_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(POSTGRES_BASE)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_BASE else "?"
    url = f"{POSTGRES_BASE}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        t0 = time.perf_counter()
        walks = prepare(url, args.pathways)
        print(f"http completions: {args.pathways} {PATHWAY} pathways started by the engine in "
              f"{time.perf_counter() - t0:.1f} s; {args.clients} clients, {args.seconds:g} s measured per run "
              f"(after {args.warmup:g} s warm-up); PostgreSQL schema {schema}")
        results = [drive(url, walks, n, args.clients, args.warmup, args.seconds, args.port) for n in counts]
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    print(f"\n{'processes':>9}{'completions':>13}{'per s':>8}{'p50 ms':>8}{'p95 ms':>8}{'server CPU ms':>15}")
    for f in results:
        print(f"{f.processes:>9}{f.completions:>13}{f.rate:>8.1f}{statistics.median(f.latencies) * 1000:>8.1f}"
              f"{pct(f.latencies, 0.95) * 1000:>8.1f}{f.cpu * 1000:>15.1f}")
    print("(server CPU ms: user + system time of the server processes per completion; goals: >= 150/s, p95 <= 100 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
