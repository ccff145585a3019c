"""The parsed definitions of deployed pathway versions, keyed by version id: the one definition cache.

A deployed version never changes, so its BPMN source is read and parsed once per process, on first use, and
shared by the runtime's commands and the reads. Only a miss reads `pathway_version.source`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import Connection, select

from engine.catalogue.definition import PathwayDefinition
from engine.catalogue.parser import load_definition
from engine.db.database import Database
from engine.db.models import PathwayVersion
from engine.errors import ErrorCode, NotFound


class DefinitionCache:
    """Version id -> parsed definition, for one database; the least recently used go beyond `size` versions."""

    def __init__(self, db: Database, size: int = 256) -> None:
        self.db = db
        self._size = size
        self._items: OrderedDict[int, PathwayDefinition] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version_id: int, conn: Connection | None = None) -> PathwayDefinition:
        """The definition of a deployed version; `conn` is the caller's transaction, used on a miss."""
        with self._lock:
            definition = self._items.get(version_id)
            if definition is not None:
                self._items.move_to_end(version_id)
                return definition
        definition = self._load(version_id, conn)
        with self._lock:
            self._items[version_id] = definition
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return definition

    def load_current(self) -> int:
        """Parse every current version now (a server process at start, so its first requests do not each pay a
        parse: a report with the pathways' names waited 170 ms for ten files); how many there are."""
        with self.db.reading_connection() as reader:
            current = reader.execute(select(PathwayVersion.id).where(PathwayVersion.is_current.is_(True))).scalars()
            ids = list(current)
        for version_id in ids:
            self.get(version_id)
        return len(ids)

    def _load(self, version_id: int, conn: Connection | None) -> PathwayDefinition:
        query = select(PathwayVersion.source, PathwayVersion.filename).where(PathwayVersion.id == version_id)
        if conn is None:
            with self.db.reading_connection() as reader:
                row = reader.execute(query).first()
        else:
            row = conn.execute(query).first()
        if row is None:
            raise NotFound(ErrorCode.PATHWAY_VERSION_NOT_FOUND, f"no pathway version {version_id}")
        return load_definition(row.source, row.filename)
