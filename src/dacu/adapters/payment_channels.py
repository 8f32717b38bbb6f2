"""Which payment channel new payments go to, and how often each failed lately.

Failures are counted per fixed window (seconds since the epoch // window) —
in Redis where configured (one INCR), else in SQL (one upsert) — so every API
process adds to the same count. The active channel is one SQL row, switched
with a version check and audited in the same transaction.
"""

from datetime import datetime

from sqlalchemy import Engine, select, update

from dacu.adapters.audit import record
from dacu.adapters.redis_connect import FAILURES, Client
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import payment_channel_errors, payment_routing
from dacu.domain.errors import ConcurrentChange

ROUTING_ROW = 1


def _slot(now: datetime, window: int) -> int:
    return int(now.timestamp()) // window


class SqlChannelErrors:
    def __init__(self, engine: Engine, window: int) -> None:
        self._engine, self._window = engine, window

    def add(self, channel: str, now: datetime) -> int:
        errors = payment_channel_errors.c.errors
        with self._engine.begin() as connection:
            upsert = (
                insert_for(connection, payment_channel_errors)
                .values(channel=channel, slot=_slot(now, self._window), errors=1)
                .on_conflict_do_update(
                    index_elements=[
                        payment_channel_errors.c.channel,
                        payment_channel_errors.c.slot,
                    ],
                    set_={"errors": errors + 1},
                )
                .returning(errors)
            )
            return int(connection.execute(upsert).scalar_one())

    def count(self, channel: str, now: datetime) -> int:
        query = select(payment_channel_errors.c.errors).where(
            payment_channel_errors.c.channel == channel,
            payment_channel_errors.c.slot == _slot(now, self._window),
        )
        with self._engine.connect() as connection:
            found = connection.execute(query).scalar_one_or_none()
        return int(found or 0)


class RedisChannelErrors:
    """The same counts in Redis, under the platform's key prefix; they expire by themselves."""

    def __init__(self, client: Client, prefix: str, window: int) -> None:
        self._client, self._prefix, self._window = client, prefix, window

    def _key(self, channel: str, now: datetime) -> str:
        return f"{self._prefix}:payments:errors:{channel}:{_slot(now, self._window)}"

    def add(self, channel: str, now: datetime) -> int:
        key = self._key(channel, now)
        try:
            with self._client.pipeline() as pipe:
                pipe.incr(key)
                pipe.expire(key, 2 * self._window)
                counted, _ = pipe.execute()
        except FAILURES:
            return 0  # an uncountable failure never switches channels by itself
        return int(counted)

    def count(self, channel: str, now: datetime) -> int:
        try:
            found = self._client.get(self._key(channel, now))
        except FAILURES:
            return 0
        return int(found or 0)


class SqlChannelRouting:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def active(self) -> str | None:
        query = select(payment_routing.c.active).where(payment_routing.c.id == ROUTING_ROW)
        with self._engine.connect() as connection:
            found = connection.execute(query).scalar_one_or_none()
        return None if found is None else str(found)

    def switch(self, to: str, default: str, actor: str, reason: str, now: datetime) -> str | None:
        with self._engine.begin() as connection:
            row = connection.execute(
                select(payment_routing).where(payment_routing.c.id == ROUTING_ROW)
            ).one_or_none()
            before = default if row is None else row.active
            if before == to:
                return None
            values = {"active": to, "switched_at": now, "switched_by": actor}
            if row is None:
                made = connection.execute(
                    insert_for(connection, payment_routing)
                    .values(id=ROUTING_ROW, version=1, **values)
                    .on_conflict_do_nothing()
                    .returning(payment_routing.c.id)
                ).first()
                moved = made is not None
            else:
                done = connection.execute(
                    update(payment_routing)
                    .where(
                        payment_routing.c.id == ROUTING_ROW,
                        payment_routing.c.version == row.version,
                    )
                    .values(version=payment_routing.c.version + 1, **values)
                )
                moved = done.rowcount == 1
            if not moved:
                raise ConcurrentChange("the payment channel was switched meanwhile")
            record(
                connection,
                actor=actor,
                action="payment.channel.switch",
                subject="payment-channel",
                before={"active": before},
                after={"active": to, "reason": reason},
                at=now,
            )
        return before
