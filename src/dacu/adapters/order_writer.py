"""Order writers: a consumer group on a sale's stream turns accepted attempts into orders.

Each entry is written with `INSERT … ON CONFLICT DO NOTHING` on (sale,
request), then acknowledged — so an entry written twice (a writer died after
writing, before its ack) is still one order. Entries a dead writer left
pending are taken over with XAUTOCLAIM once idle long enough. Several
writers may run side by side; each needs its own consumer name.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.redis_connect import Client
from dacu.adapters.redis_scripts import as_text, sales_key, stream_key
from dacu.adapters.redis_streams import join_group, next_entries
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import flash_orders
from dacu.domain.flashsale import Hold, HoldState

GROUP = "order-writers"


class OrderWriter:
    def __init__(
        self,
        client: Client,
        engine: Engine,
        consumer: str,
        prefix: str = "dacu",
        idle_ms: int = 30_000,
    ) -> None:
        self._client = client
        self._engine = engine
        self._consumer = consumer
        self._prefix = prefix
        self._idle_ms = idle_ms

    def stream(self, sale_id: str) -> str:
        return stream_key(self._prefix, sale_id)

    def sales(self) -> list[str]:
        """The sales loaded into the gate (each with a stream to follow)."""
        return sorted(as_text(sale) for sale in self._client.smembers(sales_key(self._prefix)))

    def join(self, sale_id: str) -> None:
        join_group(self._client, self.stream(sale_id), GROUP)

    def run_once(self, sale_id: str, count: int = 200, block_ms: int | None = None) -> int:
        """Write what is pending too long elsewhere, then what is new; returns entries done."""
        stream = self.stream(sale_id)
        entries = next_entries(
            self._client, stream, GROUP, self._consumer, self._idle_ms, count, block_ms
        )
        if entries:
            self.write(sale_id, entries)
            self._client.xack(stream, GROUP, *[entry_id for entry_id, _ in entries])
        return len(entries)

    def write(self, sale_id: str, entries: list[tuple[Any, dict[Any, Any]]]) -> None:
        rows = [_row(sale_id, entry_id, fields) for entry_id, fields in entries]
        with self._engine.begin() as connection:
            insert = insert_for(connection, flash_orders)
            connection.execute(insert.values(rows).on_conflict_do_nothing())

    def forget_gone(self, sale_id: str, idle_ms: int = 600_000) -> int:
        """Drop consumers of dead writers: nothing pending and silent for `idle_ms`."""
        gone = 0
        for consumer in self._client.xinfo_consumers(self.stream(sale_id), GROUP):
            name = as_text(consumer["name"])
            if name != self._consumer and not consumer["pending"] and consumer["idle"] > idle_ms:
                self._client.xgroup_delconsumer(self.stream(sale_id), GROUP, name)
                gone += 1
        return gone

    def drain(self, sale_id: str, rounds: int = 1000) -> int:
        """Run until a round finds nothing; returns entries done."""
        done = 0
        for _ in range(rounds):
            found = self.run_once(sale_id)
            if not found:
                break
            done += found
        return done


def _row(sale_id: str, entry_id: Any, fields: dict[Any, Any]) -> dict[str, Any]:
    values = {as_text(k): as_text(v) for k, v in fields.items()}
    return {
        "sale_id": sale_id,
        "request_id": values["request"],
        "entry": as_text(entry_id),
        "user_id": values["user"],
        "qty": int(values["qty"]),
        "accepted_at": datetime.fromtimestamp(int(values["at"]) / 1000, tz=UTC),
    }


class RedisOrderStreams:
    """The sales' order streams on one Redis: a writer for each process, and what they hold."""

    def __init__(self, client: Client, engine: Engine, prefix: str = "dacu") -> None:
        self._client, self._engine, self._prefix = client, engine, prefix

    def writer(self, consumer: str, idle_ms: int = 30_000) -> OrderWriter:
        return OrderWriter(self._client, self._engine, consumer, self._prefix, idle_ms)

    def holds(self, sale_id: str) -> list[Hold]:
        return stream_holds(self._client, self._prefix, sale_id)


def stream_holds(client: Client, prefix: str, sale_id: str, chunk: int = 5000) -> list[Hold]:
    """Every accepted attempt in the sale's stream, as the hold it made (state held)."""
    found: list[Hold] = []
    start = "-"
    while True:
        batch: Any = client.xrange(stream_key(prefix, sale_id), start, "+", count=chunk)
        for entry_id, fields in batch:
            row = _row(sale_id, entry_id, fields)
            found.append(
                Hold(
                    row["request_id"],
                    row["entry"],
                    row["user_id"],
                    row["qty"],
                    HoldState.HELD,
                    row["accepted_at"],
                )
            )
        if len(batch) < chunk:
            return found
        start = "(" + as_text(batch[-1][0])
