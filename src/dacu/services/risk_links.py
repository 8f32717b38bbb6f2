"""What the risk desk sees of an account's identity links: its cluster (size, age), every
identifier it was seen with — masked: the kind and a short hash, never a phone or an
address — with how many accounts share each, and the cluster's members page by page."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from dacu.domain.registration import UnknownCustomer
from dacu.domain.risk import LinkKind
from dacu.services.ports.risk_clusters import ClusterLinks
from dacu.services.ports.risk_links import Cluster

SHORT = 10  # hex digits of a stored identifier's hash shown
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class SharedIdentifier:
    kind: LinkKind
    masked: str  # the first digits of its hash
    accounts: int  # accounts seen with it, this one included
    times: int  # how often this account was seen with it
    first_seen: datetime
    last_seen: datetime
    merges: bool  # whether sharing it ties accounts into one cluster


@dataclass(frozen=True, slots=True)
class LinkView:
    customer_id: str
    cluster: Cluster
    age_s: int  # seconds since the cluster's first sighting
    shared: list[SharedIdentifier]
    members: list[str]  # a page of the cluster's members, in id order
    next_after: str | None  # the cursor of the next page; None on the last


class LinkDesk:
    def __init__(self, links: ClusterLinks, clock: Callable[[], datetime]) -> None:
        self._links, self._clock = links, clock

    def view(self, customer_id: str, after: str = "", limit: int = 50) -> LinkView:
        """The account's links; UnknownCustomer for an account never seen."""
        cluster = self._links.cluster(customer_id)
        if cluster is None:
            raise UnknownCustomer(customer_id)
        limit = max(1, min(limit, MAX_PAGE))
        page = self._links.members_after(cluster.id, after, limit + 1)
        shared = [
            SharedIdentifier(
                s.kind, s.value[:SHORT], s.accounts, s.times, s.first_seen, s.last_seen,
                s.kind in self._links.merging,
            )
            for s in self._links.seen(customer_id)
        ]  # fmt: skip
        age = max(0, int((self._clock() - cluster.first_seen).total_seconds()))
        more = len(page) > limit
        page = page[:limit]
        return LinkView(customer_id, cluster, age, shared, page, page[-1] if more else None)
