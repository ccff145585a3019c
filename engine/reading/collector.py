"""The cyclic garbage collector paused while a large read builds its rows.

A report of 65,000 rows makes a few hundred thousand tuples, strings and dicts, none of them in a reference
cycle, so reference counting frees every one; the cyclic collector's full collections, set off by their number
alone, walk the growing lists for nothing (a third of the every-unit month report's time). Paused per block,
across threads: the first block to enter stops it, the last to leave starts it again, and a collector that was
already off (a caller's own choice) is left off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_inside = 0
_was_enabled = False


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector paused (reference counting still frees everything)."""
    global _inside, _was_enabled
    with _lock:
        if _inside == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _was_enabled:
                gc.enable()
