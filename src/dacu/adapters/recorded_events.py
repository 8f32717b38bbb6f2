"""Which events the KPI store holds already, by id (to resume or repeat a run safely)."""

from collections.abc import Sequence

from sqlalchemy import Engine, select

from dacu.adapters.tables import events

_CHUNK = 500  # ids per query: well inside every database's bound-parameter limit


class SqlRecordedEvents:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def stored(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self._engine.connect() as connection:
            for start in range(0, len(ids), _CHUNK):
                part = list(ids[start : start + _CHUNK])
                found.update(connection.scalars(select(events.c.id).where(events.c.id.in_(part))))
        return found
