"""Identity links in SQL (`IdentityLinks`, `ClusterLinks`): every identifier an account
was seen with (first and last seen, how often), how many accounts share each, and the
clusters of accounts tied together (`adapters/risk_union.py`), read through a cache
(`adapters/risk_link_cache.py`).

Only the kinds in `merging` tie accounts into one cluster — a device, a payment
account, a delivery address, a phone by default. An IP is recorded and counted but
merges nothing: a carrier's NAT or an office puts thousands of honest people behind
one address. Whatever the kind, a link costs a few rows: a value shared by 10,000
accounts is one counter row and one anchor, never a scan of the 10,000.
"""

import logging
import random
import time
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError

from dacu.adapters.behind import Behind
from dacu.adapters.risk_link_batch import Seen, Sighting, write
from dacu.adapters.risk_link_cache import ClusterCache, LocalClusterCache
from dacu.adapters.risk_union import RootMoved, cluster_at, members_below, path_up
from dacu.adapters.risk_values import stored
from dacu.adapters.tables import risk_links, risk_values
from dacu.domain.errors import ConcurrentChange, InvalidRule
from dacu.domain.risk import Identity, LinkKind
from dacu.services.ports.risk_clusters import SeenLink
from dacu.services.ports.risk_links import Cluster

log = logging.getLogger(__name__)
SETTLE_SECONDS = 0.25  # how long a cluster read waits for the account's new links
MERGING = frozenset({LinkKind.DEVICE, LinkKind.PAYMENT_ACCOUNT, LinkKind.ADDRESS, LinkKind.PHONE})
_ATTEMPTS = 12
UNSEEN_SECONDS = 1.0  # an account read as never seen is not read again for this long
_UNSEEN_MAX = 100_000
LINKED_SECONDS = 10.0  # the same account and identifiers linked again: no write for this long
RECORDED_SECONDS = 300.0  # the same sighting recorded again: no write for this long (a
# sighting's count and last time are kept to this grain: its first time, exactly)
_LINKED_MAX = 200_000
Raw = tuple[str, Identity, datetime]  # a sighting as recorded, not yet normalised
_RETRIED = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure


class SqlIdentityLinks:
    def __init__(
        self,
        engine: Engine,
        cache: ClusterCache | None = None,
        merging: Iterable[LinkKind] = MERGING,
        key: bytes = b"",
    ) -> None:
        self._engine = engine
        self._cache: ClusterCache = cache or LocalClusterCache()
        self.merging = frozenset(merging)
        self._key = key
        self._unseen: dict[str, float] = {}  # accounts read as never seen, until when
        self._linked: dict[tuple[str, Seen], float] = {}  # sightings written or queued
        self._pending: dict[str, int] = {}  # an account's queued sighting that may tie it
        self._waiting: dict[tuple[LinkKind, str], int] = {}  # an identifier's, likewise
        self._recorded: dict[tuple[str, Identity], float] = {}  # `record`ed, until when
        self._behind: Behind[Raw] = Behind(engine, self._write_behind, name="risk-links")

    def link(self, customer_id: str, identity: Identity, at: datetime) -> Cluster:
        sighting = self._sighting(customer_id, identity, at)
        until = self._linked.get((customer_id, sighting.seen))
        if until is not None and until > time.monotonic():
            again = self._cache.get(customer_id)
            if again is not None:
                return again
        return self._written([sighting])[customer_id]

    def record(self, customer_id: str, identity: Identity, at: datetime) -> None:
        """`link`, written behind: the caller never waits on the database (nor on the
        identifiers' normalising, done by the writer). A sighting this process recorded
        moments ago is not written again; one never recorded before may tie the account
        to others, and `cluster` waits for it a moment."""
        key = (customer_id, identity)
        until = self._recorded.get(key)
        if until is not None and until > time.monotonic():
            return  # recorded moments ago (its id was valid then)
        if not _valid(customer_id):
            raise InvalidRule("customer_id", "1 to 64 printable characters")
        if len(self._recorded) >= _LINKED_MAX:
            self._recorded.clear()
        self._recorded[key] = time.monotonic() + RECORDED_SECONDS
        number = self._behind.put((customer_id, identity, at))
        if until is None:  # new to this process: it may tie the account to others
            self._pending[customer_id] = number
            if len(self._waiting) >= _LINKED_MAX:
                self._waiting.clear()
            self._waiting.update(dict.fromkeys(identity.links(), number))

    def flush(self) -> None:
        """Write every sighting waiting behind now (tests, shutdown)."""
        self._behind.flush()

    def _sighting(self, customer_id: str, identity: Identity, at: datetime) -> Sighting:
        if not _valid(customer_id):
            raise InvalidRule("customer_id", "1 to 64 printable characters")
        seen = {
            (kind, value)
            for kind, raw in identity.links()
            if (value := stored(kind, raw, self._key))
        }
        return Sighting(customer_id, tuple(sorted(seen)), at)

    def _write_behind(self, raw: Sequence[Raw]) -> None:
        batch = [self._sighting(*sighting) for sighting in raw]
        batch = [sighting for sighting in batch if sighting.seen]
        if not batch:
            return
        try:
            self._written(batch)
        except ConcurrentChange:  # a batch that kept meeting others: one sighting at a time
            for sighting in batch:
                self._written([sighting])

    def _written(self, batch: Sequence[Sighting]) -> dict[str, Cluster]:
        for attempt in range(_ATTEMPTS):
            try:
                with self._engine.begin() as connection:
                    clusters, moved = write(connection, batch, self.merging)
                break
            except (RootMoved, DBAPIError) as error:
                if not _retried(error):
                    raise
                if attempt == _ATTEMPTS - 1:
                    raise ConcurrentChange("the account's cluster kept changing", None) from error
                time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
        self._cache.drop_roots(moved)
        self._cache.put_many(clusters)
        now = time.monotonic()
        for sighting in batch:
            self._unseen.pop(sighting.customer_id, None)
            if len(self._linked) >= _LINKED_MAX:
                self._linked.clear()
            self._linked[(sighting.customer_id, sighting.seen)] = now + LINKED_SECONDS
        return clusters

    def settle(self, customer_id: str = "", identity: Identity | None = None) -> None:
        number = self._behind.given()
        if customer_id:  # the last sighting new to this process of them or an identifier
            mine = [self._pending.get(customer_id)]
            mine += [self._waiting.get(link) for link in (identity or Identity()).links()]
            number = max((n for n in mine if n is not None), default=0)
        if number and not self._behind.written(number):
            self._behind.settled(number, SETTLE_SECONDS)

    def cluster(self, customer_id: str) -> Cluster | None:
        if not _valid(customer_id):
            return None
        number = self._pending.get(customer_id)
        settled = number is not None and self._behind.settled(number, SETTLE_SECONDS)
        if settled and self._pending.get(customer_id) == number:
            self._pending.pop(customer_id, None)
        kept = self._cache.get(customer_id)
        if kept is not None:
            return kept
        unseen = self._unseen.get(customer_id)
        if unseen is not None and unseen > time.monotonic():
            return None
        with self._engine.connect() as connection:
            path = path_up(connection, customer_id)
            if path is None:
                if len(self._unseen) >= _UNSEEN_MAX:
                    self._unseen.clear()
                self._unseen[customer_id] = time.monotonic() + UNSEEN_SECONDS
                return None
            found = cluster_at(connection, path.root)
        self._cache.put(customer_id, found)
        return found

    def members(self, cluster_id: str, limit: int = 200) -> list[str]:
        return self.members_after(cluster_id, "", limit)

    def members_after(self, cluster_id: str, after: str, limit: int) -> list[str]:
        if not (_valid(cluster_id) and (after == "" or _valid(after))):
            return []
        with self._engine.connect() as connection:
            path = path_up(connection, cluster_id)  # a cluster merged away: where it went
            if path is None:
                return []
            return members_below(connection, path.root, after, max(0, limit))

    def shared(self, customer_id: str) -> list[tuple[LinkKind, str, int]]:
        return [(s.kind, s.value, s.accounts) for s in self.seen(customer_id)]

    def seen(self, customer_id: str) -> list[SeenLink]:
        if not _valid(customer_id):
            return []
        links, values = risk_links.c, risk_values.c
        query = (
            select(
                links.kind,
                links.value,
                values.accounts,
                links.times,
                links.first_seen,
                links.last_seen,
            )
            .join_from(
                risk_links, risk_values, (values.kind == links.kind) & (values.value == links.value)
            )
            .where(links.customer_id == customer_id)
            .order_by(links.kind, links.value)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            SeenLink(
                LinkKind(row.kind),
                row.value,
                row.accounts,
                row.times,
                row.first_seen,
                row.last_seen,
            )
            for row in rows
        ]


def _valid(customer_id: str) -> bool:
    """An id the tables can hold (no control characters: PostgreSQL refuses NUL)."""
    return 0 < len(customer_id) <= 64 and customer_id.isprintable()


def _retried(error: Exception) -> bool:
    if isinstance(error, RootMoved):
        return True
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    return code in _RETRIED or "database is locked" in str(error)
