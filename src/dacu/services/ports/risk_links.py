"""What risk control needs of storage: identity links and their clusters, sliding-window
counters, blacklists and the log of decisions (`domain/risk.py`).

Each has a SQL adapter and, where Redis is configured, a Redis one behind the
same contract suite; the hot paths read clusters and counters in microseconds
(cached, or one Redis round trip).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dacu.domain.risk import Identity, LinkKind, RiskDecision, RiskQuery


@dataclass(frozen=True, slots=True)
class Cluster:
    """The accounts tied to one by what they share (transitively)."""

    id: str  # stable while it does not merge with another
    size: int  # accounts in it
    first_seen: datetime  # its oldest link: the cluster's age


class IdentityLinks(Protocol):
    def link(self, customer_id: str, identity: Identity, at: datetime) -> Cluster:
        """Record what the customer was seen with; merge the clusters it ties together
        (union-find, kept incrementally); the customer's cluster after it."""
        ...

    def record(self, customer_id: str, identity: Identity, at: datetime) -> None:
        """`link`, written behind: returns at once; `cluster` reads it once written."""
        ...

    def cluster(self, customer_id: str) -> Cluster | None:
        """The customer's cluster; None for a customer never seen."""
        ...

    def settle(self, customer_id: str = "", identity: Identity | None = None) -> None:
        """Wait a moment for the sightings this process recorded to be written: counts of
        accounts behind an identifier read them. Given a customer (and the identity
        asked about), only for the last sighting new to the process of that customer or
        of one of those identifiers, and those before it — nothing else changes what is
        read, and a caller inside a write transaction on a one-writer database (a coin
        earned in the ledger's) must not wait for nothing on a writer that waits for it."""
        ...

    def members(self, cluster_id: str, limit: int = 200) -> list[str]: ...

    def shared(self, customer_id: str) -> list[tuple[LinkKind, str, int]]:
        """Each identifier the customer was seen with and how many accounts share it."""
        ...


class RiskCounters(Protocol):
    def hit(self, key: str, window_s: int, at: datetime, n: int = 1) -> int:
        """Count `n` at `at` under `key`; the count within the last `window_s` seconds."""
        ...

    def count(self, key: str, window_s: int, at: datetime) -> int: ...


class DecisionLog(Protocol):
    def record(self, query: RiskQuery, decision: RiskDecision, rules: Sequence[str]) -> None:
        """Every decision that was not a plain allow, with the rules that fired."""
        ...


@dataclass(frozen=True, slots=True)
class InviteShape:
    """The invite tree below a customer (邀请树), as farms betray themselves."""

    fan_out: int  # members they invited directly
    depth: int  # levels below them
    never_ordered: int  # of those invited directly, how many never paid an order
    recent: int  # invited within the last day
    telling: int = 0  # of those never ordered, invited over `aged_days` ago or seen on a
    # device or payment account shared with another account (the rest may yet order)


@dataclass(frozen=True, slots=True)
class Standing:
    """What the server knows of a customer that rules weigh."""

    registered_at: datetime | None  # None: not a member
    paid_orders: int
    refunded_orders: int  # refunded whole or in part


class RiskFacts(Protocol):
    """The slower facts rules read (each read cached briefly by its adapter)."""

    def invite_shape(self, customer_id: str, at: datetime, aged_days: int = 0) -> InviteShape:
        """The invite tree below the customer at `at`; `telling` counted with `aged_days`."""
        ...

    def standing(self, customer_id: str) -> Standing: ...

    def shared_accounts(self, identity: Identity, kinds: frozenset[str]) -> dict[str, int]:
        """For each of `kinds` (device, payment_account, phone) the query's identity
        carries, how many accounts were seen with that identifier (read fresh)."""
        ...

    def linked_to_shop(self, customer_id: str, shop: str) -> bool:
        """Whether the customer shares a device, address, delivery address or payment
        account with the shop's own people (a brushing ring, 刷单)."""
        ...
