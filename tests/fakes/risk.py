"""In-memory risk stores for unit tests of the rules engine."""

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from dacu.domain.risk import Identity, LinkKind
from dacu.domain.risk_lists import ListEntry, RuleVersion
from dacu.domain.risk_rules import ListKind
from dacu.services.ports.risk_links import Cluster, InviteShape, Standing


class FakeLinks:
    """Every customer seen with the same value is one cluster (no transitivity needed)."""

    def __init__(self) -> None:
        self.seen: dict[str, set[tuple[LinkKind, str]]] = defaultdict(set)
        self.first: dict[str, datetime] = {}
        self.broken = False

    def link(self, customer_id: str, identity: Identity, at: datetime) -> Cluster:
        if self.broken:
            raise ConnectionError("links down")
        self.seen[customer_id] |= set(identity.links())
        self.first.setdefault(customer_id, at)
        found = self.cluster(customer_id)
        assert found is not None
        return found

    def record(self, customer_id: str, identity: Identity, at: datetime) -> None:
        self.link(customer_id, identity, at)

    def settle(self, customer_id: str = "", identity: Identity | None = None) -> None:
        pass

    def cluster(self, customer_id: str) -> Cluster | None:
        if customer_id not in self.seen:
            return None
        mine = self.seen[customer_id]
        members = sorted(c for c, links in self.seen.items() if links & mine or c == customer_id)
        first = min(self.first[c] for c in members)
        return Cluster(members[0], len(members), first)

    def members(self, cluster_id: str, limit: int = 200) -> list[str]:
        return []

    def shared(self, customer_id: str) -> list[tuple[LinkKind, str, int]]:
        return []


class FakeFacts:
    def __init__(self) -> None:
        self.shapes: dict[str, InviteShape] = {}
        self.standings: dict[str, Standing] = {}
        self.links: set[tuple[str, str]] = set()
        self.shared: dict[str, int] = {}  # identifier kind → accounts seen with it
        self.asked: list[str] = []

    def invite_shape(self, customer_id: str, at: datetime, aged_days: int = 0) -> InviteShape:
        self.asked.append("invite_shape")
        return self.shapes.get(customer_id, InviteShape(0, 0, 0, 0))

    def standing(self, customer_id: str) -> Standing:
        self.asked.append("standing")
        return self.standings.get(customer_id, Standing(None, 0, 0))

    def shared_accounts(self, identity: Any, kinds: frozenset[str]) -> dict[str, int]:
        self.asked.append("shared_accounts")
        return {kind: n for kind, n in self.shared.items() if kind in kinds}

    def linked_to_shop(self, customer_id: str, shop: str) -> bool:
        self.asked.append("linked_to_shop")
        return (customer_id, shop) in self.links


class FakeCounters:
    def __init__(self) -> None:
        self.hits: dict[str, list[tuple[datetime, int]]] = defaultdict(list)

    def hit(self, key: str, window_s: int, at: datetime, n: int = 1) -> int:
        self.hits[key].append((at, n))
        return self.count(key, window_s, at)

    def count(self, key: str, window_s: int, at: datetime) -> int:
        since = at - timedelta(seconds=window_s)
        return sum(n for t, n in self.hits[key] if since < t <= at)


class FakeDecisions:
    def __init__(self) -> None:
        self.logged: list[tuple[object, object, list[str]]] = []

    def record(self, query, decision, rules) -> None:  # type: ignore[no-untyped-def]
        self.logged.append((query, decision, list(rules)))


class FakeVersions:
    def __init__(self) -> None:
        self.versions: list[RuleVersion] = []
        self.reads = 0

    def active_version(self) -> int:
        self.reads += 1
        return self.versions[-1].version if self.versions else 0

    def active(self) -> RuleVersion | None:
        return self.versions[-1] if self.versions else None

    def apply(self, document, by: str, at: datetime) -> RuleVersion:  # type: ignore[no-untyped-def]
        made = RuleVersion(len(self.versions) + 1, document, by, at, True)
        self.versions.append(made)
        return made

    def history(self, limit: int = 50) -> list[RuleVersion]:
        return list(reversed(self.versions))[:limit]


class FakeBlacklist:
    def __init__(self) -> None:
        self.found: dict[tuple[ListKind, str], ListEntry] = {}
        self.changes = 0

    def add(self, entry: ListEntry) -> ListEntry:
        self.found[(entry.kind, entry.value)] = entry
        self.changes += 1
        return entry

    def remove(self, kind: ListKind, value: str, by: str, at: datetime) -> bool:
        self.changes += 1
        return self.found.pop((kind, value), None) is not None

    def entries(self, kind: ListKind | None = None, limit: int = 500) -> list[ListEntry]:
        return [e for e in self.found.values() if kind is None or e.kind is kind][:limit]

    def version(self) -> int:
        return self.changes
