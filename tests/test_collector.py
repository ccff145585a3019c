"""The cyclic garbage collector paused around a large read (engine.reading.collector), and the pathway versions
a server process parses at start."""

from __future__ import annotations

import gc
import threading

import pytest
from sqlalchemy import func, select

from engine.catalogue.versions import DefinitionCache
from engine.db.models import PathwayVersion
from engine.reading.collector import cycle_collection_paused


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_paused_inside_and_back_after_even_on_an_error(collector_on):
    with cycle_collection_paused():
        assert not gc.isenabled()
        with cycle_collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still runs
    assert gc.isenabled()
    with pytest.raises(ValueError), cycle_collection_paused():
        raise ValueError("a failed read")
    assert gc.isenabled()


def test_the_collector_stays_paused_until_the_last_thread_leaves(collector_on):
    inside, leave = threading.Event(), threading.Event()

    def other_read() -> None:
        with cycle_collection_paused():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other_read)
    with cycle_collection_paused():
        thread.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other thread is still inside
    leave.set()
    thread.join(10)
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off(collector_on):
    gc.disable()
    with cycle_collection_paused():
        pass
    assert not gc.isenabled()


def test_a_server_process_parses_every_current_version_at_start(runtime):
    cache = DefinitionCache(runtime.db)
    with runtime.db.reading() as session:
        current = session.scalar(select(func.count()).where(PathwayVersion.is_current.is_(True)))
    assert cache.load_current() == current > 0
    loads = []
    cache._load = lambda version_id, conn: loads.append(version_id)  # a miss would read the database
    with runtime.db.reading() as session:
        ids = session.scalars(select(PathwayVersion.id).where(PathwayVersion.is_current.is_(True))).all()
    assert all(cache.get(i) is not None for i in ids) and loads == []
