"""Live workflows and instance states of recently used instances, so a command need not load and deserialise them.

The cache is an optimisation, never a source of truth: an entry is valid only while its row version matches the
locked row, and it is checked *out* by a command (so two threads never share one object) and back in only after
that command committed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.runtime.write_path import InstanceState

_Entry = tuple[int, BpmnWorkflow, InstanceState]  # row version, live workflow, state


class LiveCache:
    """Keyed by instance id and row version. A miss, or a version mismatch, means: load from the database.
    Entries can also be found by one of their open tasks, so a completion can start before its lock is confirmed.
    """

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._items: OrderedDict[str, _Entry] = OrderedDict()
        self._by_task: dict[str, str] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _drop(self, instance_id: str) -> _Entry | None:
        item = self._items.pop(instance_id, None)
        if item:
            for task in item[2].open_tasks:
                self._by_task.pop(task.id, None)
        return item

    def checkout(self, instance_id: str, version: int) -> tuple[BpmnWorkflow, InstanceState] | None:
        with self._lock:
            item = self._drop(instance_id)
            if item and item[0] == version:
                self.hits += 1
                return item[1], item[2]
            self.misses += 1
        return None

    def holds(self, instance_id: str | None) -> bool:
        """Whether an entry for the instance is here (at some version): worth locking before loading."""
        return instance_id in self._items

    def checkout_task(self, task_id: str) -> _Entry | None:
        """The entry whose instance has `task_id` open, with the version it was checked in at."""
        with self._lock:
            instance_id = self._by_task.get(task_id)
            if instance_id is None:
                return None
            self.hits += 1  # a stale one is counted again as a miss when the command retries from the row
            return self._drop(instance_id)

    def checkin(self, workflow: BpmnWorkflow, state: InstanceState) -> None:
        with self._lock:
            self._drop(state.id)
            self._items[state.id] = (state.version, workflow, state)
            for task in state.open_tasks:
                self._by_task[task.id] = state.id
            while len(self._items) > self._size:
                self._drop(next(iter(self._items)))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._by_task.clear()
