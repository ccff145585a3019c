"""The regional data set: ~100,000 active pathways in 53 units in a PostgreSQL schema of its own, for the benches.

    python bench/regional_data.py                          # 100,000 active pathways, 1,000,000 closed measurements
    python bench/regional_data.py --pathways 20000 --measurements 200000 --schema bench_small
    python bench/regional_data.py --rebuild                # drop the schema and build it again
    python bench/regional_data.py --drop                   # just drop the schema

    from bench.regional_data import build, TODAY
    url = build("postgresql+psycopg://postgres@127.0.0.1:5432/test", "bench_regional")  # reused when built

How the rows are made:

1. **By the engine** (`--engine-pathways`, default 2,000): the schema is migrated, `pathways/` is deployed and the
   demo seed (`engine.demo.seed`) walks that many pathways through `PathwayRuntime` on a `ManualClock`, over the
   two years up to `TODAY`, across every walkable pathway file (DPS Nord, DPS Sør, BUP Vest and the municipal
   coordination it starts in Porsgrunn and Kragerø kommune). Every row of these is what real use would make.
2. **Copied with SQL** up to `--pathways` *active* pathways: copy k (1, 2, …) of an active engine-made pathway
   gets a new instance id, patient key `REG-<k:07d>`, unit `REGIONAL_UNITS[k % 53]` and all its dates moved
   `k % 21` days earlier; its open tasks, all its indicator measurements (running and closed), its measuring
   points and its due timers are copied with it (INSERT … SELECT, dates moved the same). Closed tasks, audit rows,
   messages and links are not copied.
3. **Closed measurements topped up** to `--measurements` by copying *completed* engine-made pathways the same way
   (their measurements are all closed: met, breached or cancelled).
4. **The compliance tally** (`engine.runtime.compliance_tally`) is rebuilt from all measurements at the end, since
   the copies were written with SQL, not by commands.

Copies stay workable by the engine: a new id is the old one with its first 8 hex digits replaced by k
(`00000001-…`), applied alike to the instance, its task ids, its measuring points' task ids and every UUID inside
its saved workflow state (rewritten in Python, stored as plain JSON, which `load_state` reads). The workflow's
own dates (timer due dates, form data) are not moved, so a copy's due timer may fire a few days before its
workflow's timer is due (the engine then re-projects the timer). Patient keys are new per copy, so a copy has no
linked pathway of the same patient.

The schema is reused when its comment says it holds the data at the requested sizes and seed (the comment is
written last, so a half-built schema is rebuilt). `build()` returns the URL to use (its `search_path` set to the
schema); `drop()` removes it.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import zlib
from datetime import date
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from sqlalchemy import Connection, create_engine, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.catalogue.deployment import deploy_directory  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.db.database import Database  # noqa: E402
from engine.db.migrate import upgrade  # noqa: E402
from engine.demo.seed import ADULT_UNITS, CHILDREN_UNIT, MUNICIPAL_UNITS, seed  # noqa: E402
from engine.runtime import PathwayRuntime, compliance_tally  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_SCHEMA = "bench_regional"
PATHWAYS_DIR = ROOT / "pathways"
#: The day the data set is as of: benches run the application on a ManualClock set to this day.
TODAY = date(2026, 1, 5)
#: The 53 units: the demo seed's five, then 48 more DPS and BUP units of the region.
REGIONAL_UNITS: tuple[str, ...] = (*ADULT_UNITS, CHILDREN_UNIT, *MUNICIPAL_UNITS,
                                   *(f"DPS Region {n:02d}" for n in range(1, 33)),
                                   *(f"BUP Region {n:02d}" for n in range(1, 17)))
#: Copies' dates are moved 0 … DATE_SPREAD - 1 days earlier.
DATE_SPREAD = 21
UUID_RE = re.compile(rb'"[0-9a-f]{8}(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')

Log = Callable[[str], None]


def schema_url(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


def _marker(pathways: int, measurements: int, engine_pathways: int, seed_value: int) -> str:
    return (f"regional data set: pathways={pathways} measurements={measurements} engine_pathways={engine_pathways} "
            f"seed={seed_value} today={TODAY.isoformat()}")


def build(url: str = DEFAULT_URL, schema: str = DEFAULT_SCHEMA, *, pathways: int = 100_000,
          measurements: int = 1_000_000, engine_pathways: int = 2_000, seed_value: int = 2019,
          rebuild: bool = False, log: Log = print) -> str:
    """Build the data set into `schema` (or reuse it when it already holds these sizes) and return the URL to use:
    `url` with the schema as its search_path. `pathways` is the number of active pathways, `measurements` the
    number of closed indicator measurements (at least)."""
    marker = _marker(pathways, measurements, engine_pathways, seed_value)
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            found = conn.scalar(text("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace "
                                     "WHERE nspname = :s"), {"s": schema})
            exists = conn.scalar(text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": schema})
            if exists and found == marker and not rebuild:
                log(f"reusing schema {schema} ({marker})")
                return schema_url(url, schema)
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    target = schema_url(url, schema)
    began = time.perf_counter()
    _engine_pathways(target, engine_pathways, seed_value, log)
    log(f"engine-made pathways: {time.perf_counter() - began:.0f} s")
    db = Database(target)
    try:
        with db.engine.begin() as conn:
            _copy_all(conn, pathways, measurements, log)
            # the copies are SQL, not commands: the compliance tally is made from the copied measurements
            log(f"compliance tally: {compliance_tally.rebuild(conn):,} rows")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            conn.execute(text(f"COMMENT ON SCHEMA \"{schema}\" IS '{marker}'"))
    finally:
        db.engine.dispose()
    log(f"built schema {schema} in {time.perf_counter() - began:.0f} s ({marker})")
    return target


def drop(url: str = DEFAULT_URL, schema: str = DEFAULT_SCHEMA) -> None:
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _engine_pathways(url: str, count: int, seed_value: int, log: Log) -> None:
    db = Database(url)
    try:
        upgrade(db)
        clock = ManualClock(TODAY)
        deploy_directory(db, clock, PATHWAYS_DIR)
        summary = seed(lambda c: PathwayRuntime(db, c), pathways=count, years=2, today=TODAY, now=clock.now(),
                       seed=seed_value)
        for line in summary.lines():
            log(f"  {line}")
    finally:
        db.engine.dispose()


# ---- the SQL copy ----------------------------------------------------------------------------------------------

def _copy_all(conn: Connection, pathways: int, measurements: int, log: Log) -> None:
    active = conn.execute(text("SELECT id FROM pathway_instance WHERE status = 'active' ORDER BY id")).scalars().all()
    completed = conn.execute(text("SELECT id FROM pathway_instance WHERE status <> 'active' AND "
                                  "EXISTS (SELECT 1 FROM indicator_measurement m WHERE m.instance_id = "
                                  "pathway_instance.id) ORDER BY id")).scalars().all()
    if not active:
        raise RuntimeError("the engine made no active pathway to copy")
    conn.execute(text("CREATE TEMP TABLE regional_copy (k integer PRIMARY KEY, old_id varchar(36), "
                      "new_id varchar(36), patient_key varchar(64), unit varchar(100), shift integer, "
                      "state bytea) ON COMMIT DROP"))
    copies = max(0, pathways - len(active))
    began = time.perf_counter()
    _copy(conn, [active[k % len(active)] for k in range(copies)], first_k=1, log=log)
    log(f"copied {copies} active pathways in {time.perf_counter() - began:.0f} s")
    closed = conn.scalar(text("SELECT count(*) FROM indicator_measurement WHERE end_on IS NOT NULL"))
    if closed < measurements and completed:
        per = conn.scalar(text("SELECT count(*) FROM indicator_measurement m JOIN pathway_instance i "
                               "ON i.id = m.instance_id WHERE i.status <> 'active'")) / len(completed)
        extra = int((measurements - closed) / per) + 1
        began = time.perf_counter()
        _copy(conn, [completed[k % len(completed)] for k in range(extra)], first_k=copies + 1, log=log)
        log(f"copied {extra} closed pathways in {time.perf_counter() - began:.0f} s")
    for table in ("pathway_instance", "coordinator_task", "indicator_measurement", "measuring_point_event",
                  "due_timer"):
        log(f"  {table}: {conn.scalar(text(f'SELECT count(*) FROM {table}')):,} rows")


def _copy(conn: Connection, sources: list[str], *, first_k: int, log: Log, batch: int = 20_000) -> None:
    """Copy instance `sources[i]` as copy k = first_k + i, in batches (so the temp table and the statements stay
    small)."""
    states = {}
    for start in range(0, len(sources), batch):
        part = sources[start:start + batch]
        missing = sorted(set(part) - states.keys())
        if missing:
            rows = conn.execute(text("SELECT id, state FROM pathway_instance WHERE id = ANY(:ids)"),
                                {"ids": missing}).all()
            states.update({row.id: _plain(row.state) for row in rows})
        conn.execute(text("TRUNCATE regional_copy"))
        _fill_copy_table(conn, part, first_k + start, states)
        for statement in (*COPY_STATEMENTS, _task_statement(conn)):
            conn.execute(text(statement), {"spread": DATE_SPREAD})
        log(f"  … {start + len(part)} of {len(sources)}")


def _plain(state: bytes) -> bytes:
    return state if state[:1] == b"{" else zlib.decompress(state)


def new_id(k: int, old: str) -> str:
    """Copy k's id of an id (an instance's, a task's): its first 8 hex digits replaced by k (the SQL below is
    the same: `lpad(to_hex(k), 8, '0') || substr(id, 9)`)."""
    return f"{k:08x}{old[8:]}"


def _fill_copy_table(conn: Connection, part: list[str], first_k: int, states: dict[str, bytes]) -> None:
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy("COPY regional_copy (k, old_id, new_id, patient_key, unit, shift, state) FROM STDIN") as copy:
        for offset, old in enumerate(part):
            k = first_k + offset
            prefix = f'"{k:08x}'.encode()
            state = UUID_RE.sub(lambda m: prefix + m.group(1) + b'"', states[old])
            copy.write_row((k, old, new_id(k, old), f"REG-{k:07d}", REGIONAL_UNITS[k % len(REGIONAL_UNITS)],
                            k % DATE_SPREAD, state))


_NEW = "lpad(to_hex(c.k), 8, '0') || substr({}, 9)"


def _task_statement(conn: Connection) -> str:
    """The open tasks' copy; with the stored sort key `urgent_on` when the schema has it (migration 0012), moved
    like the other dates unless it is the "no date" value."""
    has_urgent = conn.scalar(text("SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                                  "current_schema() AND table_name = 'coordinator_task' AND column_name = 'urgent_on'"))
    urgent = (", CASE WHEN t.urgent_on = DATE '9999-12-31' THEN t.urgent_on ELSE t.urgent_on - c.shift END"
              if has_urgent else "")
    return f"""INSERT INTO coordinator_task (id, instance_id, pathway_key, unit, patient_key, element_id, label, lane,
        measuring_point, assignee, due_on, status, created_at, completed_at, completed_by{', urgent_on' if urgent else ''})
    SELECT {_NEW.format('t.id')}, c.new_id, t.pathway_key, c.unit, c.patient_key, t.element_id, t.label, t.lane,
        t.measuring_point, NULL, t.due_on - c.shift, t.status, t.created_at - make_interval(days => c.shift),
        NULL, NULL{urgent}
    FROM regional_copy c JOIN coordinator_task t ON t.instance_id = c.old_id AND t.status = 'open'"""


COPY_STATEMENTS = (
    """INSERT INTO pathway_instance (id, pathway_version_id, pathway_key, patient_key, unit, setting, severity,
        rule_set, referral_received_on, started_on, last_occurred_on, timer_signature, status, active_key, state,
        created_at, updated_at, closed_on, version)
    SELECT c.new_id, i.pathway_version_id, i.pathway_key, c.patient_key, c.unit, i.setting, i.severity, i.rule_set,
        i.referral_received_on - c.shift, i.started_on - c.shift, i.last_occurred_on - c.shift, i.timer_signature,
        i.status, CASE WHEN i.active_key IS NULL THEN NULL ELSE i.pathway_key || '|' || c.patient_key END, c.state,
        i.created_at - make_interval(days => c.shift), i.updated_at - make_interval(days => c.shift),
        i.closed_on - c.shift, i.version
    FROM regional_copy c JOIN pathway_instance i ON i.id = c.old_id""",
    """INSERT INTO indicator_measurement (instance_id, pathway_key, unit, indicator_key, label, sequence,
        from_point, to_point, limit_days, day_unit, start_on, due_on, end_on, status, deferral_registered,
        target_share, unconfirmed)
    SELECT c.new_id, m.pathway_key, c.unit, m.indicator_key, m.label, m.sequence, m.from_point, m.to_point,
        m.limit_days, m.day_unit, m.start_on - c.shift, m.due_on - c.shift, m.end_on - c.shift, m.status,
        m.deferral_registered, m.target_share, m.unconfirmed
    FROM regional_copy c JOIN indicator_measurement m ON m.instance_id = c.old_id""",
    f"""INSERT INTO measuring_point_event (instance_id, code, outcome, occurred_on, element_id, task_id, note,
        registered_at, registered_by, deferred_until, reason, undone_at)
    SELECT c.new_id, e.code, e.outcome, e.occurred_on - c.shift, e.element_id,
        CASE WHEN e.task_id IS NULL THEN NULL ELSE {_NEW.format('e.task_id')} END, e.note,
        e.registered_at - make_interval(days => c.shift), e.registered_by, e.deferred_until - c.shift, e.reason,
        e.undone_at - make_interval(days => c.shift)
    FROM regional_copy c JOIN measuring_point_event e ON e.instance_id = c.old_id""",
    """INSERT INTO due_timer (instance_id, element_id, due_at)
    SELECT c.new_id, d.element_id, d.due_at - make_interval(days => c.shift)
    FROM regional_copy c JOIN due_timer d ON d.instance_id = c.old_id""",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="PostgreSQL URL (the schema is created in it)")
    parser.add_argument("--schema", default=DEFAULT_SCHEMA)
    parser.add_argument("--pathways", type=int, default=100_000, help="active pathways")
    parser.add_argument("--measurements", type=int, default=1_000_000, help="closed indicator measurements")
    parser.add_argument("--engine-pathways", type=int, default=2_000, help="pathways made by the engine")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--rebuild", action="store_true", help="drop and build even if the schema holds the data")
    parser.add_argument("--drop", action="store_true", help="only drop the schema")
    args = parser.parse_args()
    if args.drop:
        drop(args.url, args.schema)
        print(f"dropped schema {args.schema}")
        return
    print(build(args.url, args.schema, pathways=args.pathways, measurements=args.measurements,
                engine_pathways=args.engine_pathways, seed_value=args.seed, rebuild=args.rebuild))


if __name__ == "__main__":
    main()
