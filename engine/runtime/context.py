"""What every runtime command works with: the database, the injected clock and the two caches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from engine.catalogue.versions import DefinitionCache
from engine.clock import Clock, today
from engine.db.database import Database
from engine.runtime.live_cache import LiveCache


@dataclass
class RuntimeContext:
    db: Database
    clock: Clock
    definitions: DefinitionCache
    live: LiveCache

    def today(self) -> date:
        return today(self.clock)

    def now(self) -> datetime:
        return self.clock.now()
