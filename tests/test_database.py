"""Reads and writes are told apart: on SQLite only a writing transaction takes the writer lock at BEGIN."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, select, text

from engine.db.models import PathwayVersion


@contextmanager
def statements(db):
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_reads_begin_deferred_and_writes_immediately(db):
    if not db.url.startswith("sqlite"):
        pytest.skip("PostgreSQL locks rows, not the database: nothing to tell apart at BEGIN")
    with statements(db) as seen:
        with db.reading() as session:
            session.execute(select(PathwayVersion.id)).all()
        with db.reading_connection() as conn:
            conn.execute(text("SELECT 1")).all()
    assert seen.count("BEGIN") == 2 and "BEGIN IMMEDIATE" not in seen
    with statements(db) as seen:
        with db.transaction() as session:
            session.execute(select(PathwayVersion.id)).all()
        with db.engine.begin() as conn:
            conn.execute(text("SELECT 1"))
    assert seen.count("BEGIN IMMEDIATE") == 2


def test_a_read_does_not_wait_for_a_writer(db):
    """With a writer holding the lock, a read still answers (it would wait out the 30 s busy timeout otherwise)."""
    if not db.url.startswith("sqlite"):
        pytest.skip("PostgreSQL readers never wait for writers")
    with db.engine.begin() as writer:
        writer.execute(text("UPDATE pathway_version SET is_current = is_current"))
        with db.reading() as session:
            assert session.execute(select(PathwayVersion.id)).all() == []


def test_reads_use_the_one_definition_cache_and_load_the_bpmn_source_only_on_a_miss(runtime):
    from engine.access.principals import DEV_USERS
    from engine.actions.reads import read_task
    from engine.reading.instances import instance_detail
    from engine.reading.pathways import list_pathways
    from tests.support import open_task, start_tsb

    instance_id = start_tsb(runtime, received=runtime.today())
    task_id = open_task(runtime, instance_id, "assess_referral")["id"]
    list_pathways(runtime.db, runtime.definitions)  # every version parsed once: the misses read the source
    with statements(runtime.db) as seen:
        read_task(runtime, DEV_USERS["dev-admin"], task_id)
        instance_detail(runtime.db, instance_id, runtime.today())
        list_pathways(runtime.db, runtime.definitions)
    assert seen and not [s for s in seen if "pathway_version.source" in s], "a read loaded the BPMN source"


def test_reads_sent_together_give_the_rows_read_one_by_one(runtime, db):
    """On PostgreSQL `read_together` pipelines the instance detail's statements on the driver; its rows must be
    SQLAlchemy's, UTC timestamps included, whatever the session's time zone."""
    from engine.db.pipeline import read_together
    from engine.reading.instances import _DETAIL_STATEMENTS
    from tests.support import complete, start_tsb
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    complete(runtime, instance_id, "assess_referral", date(2026, 1, 5), outcome="right_to_care")
    params = {"instance_id": instance_id}
    with db.reading_statements() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TIME ZONE 'Europe/Oslo'")
        together = read_together(conn, _DETAIL_STATEMENTS, params)
        one_by_one = [conn.execute(statement, params).all() for statement in _DETAIL_STATEMENTS]
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("RESET TIME ZONE")
    assert [[tuple(row) for row in rows] for rows in together] == [[tuple(row) for row in rows] for rows in one_by_one]
    assert [[dict(row._mapping) for row in rows] for rows in together] == [
        [dict(row._mapping) for row in rows] for rows in one_by_one]
    [event, *_] = together[1]
    assert event.code == "referral_received" and event.registered_at.utcoffset().total_seconds() == 0
