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
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, case, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from dacu.adapters.behind import Behind
from dacu.adapters.risk_link_cache import ClusterCache, LocalClusterCache
from dacu.adapters.risk_union import RootMoved, cluster_at, members_below, path_up, union
from dacu.adapters.risk_values import stored
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import risk_links, risk_nodes, risk_values
from dacu.domain.errors import ConcurrentChange, InvalidRule
from dacu.domain.risk import Identity, LinkKind
from dacu.services.ports.risk_clusters import SeenLink
from dacu.services.ports.risk_links import Cluster

log = logging.getLogger(__name__)
BUSY_MS = 30_000  # the engine's own busy timeout on SQLite (adapters/db.py)
TRY_MS = 250  # how long a link waits for SQLite's writer before it is written behind
MERGING = frozenset({LinkKind.DEVICE, LinkKind.PAYMENT_ACCOUNT, LinkKind.ADDRESS, LinkKind.PHONE})
_ATTEMPTS = 12
UNSEEN_SECONDS = 1.0  # an account read as never seen is not read again for this long
_UNSEEN_MAX = 100_000
LINKED_SECONDS = 10.0  # the same account and identifiers linked again: no write for this long
_LINKED_MAX = 200_000
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
        self._linked: dict[tuple[str, tuple[tuple[LinkKind, str], ...]], float] = {}
        self._behind = Behind()

    def link(self, customer_id: str, identity: Identity, at: datetime) -> Cluster:
        if not _valid(customer_id):
            raise InvalidRule("customer_id", "1 to 64 printable characters")
        seen = sorted(
            {
                (kind, value)
                for kind, raw in identity.links()
                if (value := stored(kind, raw, self._key))
            }
        )
        again = self._again(customer_id, seen)
        if again is not None:
            return again
        if self._engine.dialect.name == "sqlite":
            return self._now_or_later(customer_id, seen, at)
        return self._written(customer_id, seen, at)

    def flush(self) -> None:
        """Wait until every link written behind is written (tests, shutdown)."""
        self._behind.flush()

    def _now_or_later(
        self, customer_id: str, seen: list[tuple[LinkKind, str]], at: datetime
    ) -> Cluster:
        """SQLite has one writer: a check asked inside a caller's open write transaction (an
        outbox delivery, say) would wait on it forever. Wait a moment only; when the file
        stays busy, the link is written behind (a thread of this process waits its turn)
        and the caller gets the cluster as cached."""
        try:
            with self._engine.connect() as connection:
                _busy(connection, TRY_MS)
                try:
                    with connection.begin():
                        cluster, moved = self._link(connection, customer_id, seen, at)
                finally:
                    _busy(connection, BUSY_MS)
        except (RootMoved, DBAPIError) as error:
            if not _retried(error):
                raise
            self._behind.later(lambda: self._written(customer_id, seen, at))
            return self._cache.get(customer_id) or Cluster(customer_id, 1, at)
        return self._remember(customer_id, seen, cluster, moved)

    def _written(self, customer_id: str, seen: list[tuple[LinkKind, str]], at: datetime) -> Cluster:
        for attempt in range(_ATTEMPTS):
            try:
                with self._engine.begin() as connection:
                    cluster, moved = self._link(connection, customer_id, seen, at)
                break
            except (RootMoved, DBAPIError) as error:
                if not _retried(error):
                    raise
                if attempt == _ATTEMPTS - 1:
                    raise ConcurrentChange("the account's cluster kept changing", None) from error
                time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
        return self._remember(customer_id, seen, cluster, moved)

    def _remember(
        self, customer_id: str, seen: list[tuple[LinkKind, str]], cluster: Cluster, moved: list[str]
    ) -> Cluster:
        self._unseen.pop(customer_id, None)
        self._cache.drop_roots(moved)
        self._cache.put(customer_id, cluster)
        if len(self._linked) >= _LINKED_MAX:
            self._linked.clear()
        self._linked[(customer_id, tuple(seen))] = time.monotonic() + LINKED_SECONDS
        return cluster

    def _again(self, customer_id: str, seen: list[tuple[LinkKind, str]]) -> Cluster | None:
        """The cached cluster when this process linked the same account with the same
        identifiers moments ago: linking them again would change no cluster (a merge through
        one of them is made by the other account's link), only the sighting counts, so the
        hot paths skip the write. None when it must be written."""
        until = self._linked.get((customer_id, tuple(seen)))
        if until is None or until < time.monotonic():
            return None
        return self._cache.get(customer_id)

    def _link(
        self,
        connection: Connection,
        customer_id: str,
        seen: list[tuple[LinkKind, str]],
        at: datetime,
    ) -> tuple[Cluster, list[str]]:
        node = {"customer_id": customer_id, "parent": customer_id, "size": 1, "first_seen": at}
        connection.execute(
            insert_for(connection, risk_nodes).values(**node).on_conflict_do_nothing()
        )
        anchors = []
        for kind, value in seen:  # in one order: two links never lock values crosswise
            anchor = _seen(connection, customer_id, kind, value, at)
            if anchor and anchor != customer_id and kind in self.merging:
                anchors.append(anchor)
        paths = [path_up(connection, c) for c in [customer_id, *anchors]]
        root, moved = union(connection, [path for path in paths if path is not None])
        return cluster_at(connection, root), moved

    def cluster(self, customer_id: str) -> Cluster | None:
        if not _valid(customer_id):
            return None
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


def _seen(
    connection: Connection, customer_id: str, kind: LinkKind, value: str, at: datetime
) -> str | None:
    """Record one sighting; the identifier's anchor when the account is new to it."""
    link = insert_for(connection, risk_links).values(
        kind=kind.value, value=value, customer_id=customer_id, first_seen=at, last_seen=at, times=1
    )
    later = case(
        (link.excluded.last_seen > risk_links.c.last_seen, link.excluded.last_seen),
        else_=risk_links.c.last_seen,
    )
    earlier = case(
        (link.excluded.first_seen < risk_links.c.first_seen, link.excluded.first_seen),
        else_=risk_links.c.first_seen,
    )
    link = link.on_conflict_do_update(
        index_elements=[risk_links.c.kind, risk_links.c.value, risk_links.c.customer_id],
        set_={"times": risk_links.c.times + 1, "last_seen": later, "first_seen": earlier},
    ).returning(risk_links.c.times)
    if connection.execute(link).scalar_one() != 1:
        return None  # seen with it before: already in its cluster
    shared = insert_for(connection, risk_values).values(
        kind=kind.value, value=value, anchor=customer_id, accounts=1, first_seen=at
    )
    shared = shared.on_conflict_do_update(
        index_elements=[risk_values.c.kind, risk_values.c.value],
        set_={"accounts": risk_values.c.accounts + 1},
    ).returning(risk_values.c.anchor)
    return str(connection.execute(shared).scalar_one())


def _valid(customer_id: str) -> bool:
    """An id the tables can hold (no control characters: PostgreSQL refuses NUL)."""
    return 0 < len(customer_id) <= 64 and customer_id.isprintable()


def _retried(error: Exception) -> bool:
    if isinstance(error, RootMoved):
        return True
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    return code in _RETRIED or "database is locked" in str(error)


def _busy(connection: Connection, ms: int) -> None:
    """Set how long this SQLite connection waits for the writer (outside any transaction)."""
    driver: Any = connection.connection.driver_connection
    driver.execute(f"PRAGMA busy_timeout = {int(ms)}")
