"""What the risk desk reads of identity links beyond the hot paths' `IdentityLinks`:
each identifier an account was seen with, in full, and a cluster's members page by page."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dacu.domain.risk import LinkKind
from dacu.services.ports.risk_links import IdentityLinks


@dataclass(frozen=True, slots=True)
class SeenLink:
    """One identifier an account was seen with (`value` as stored: a hash)."""

    kind: LinkKind
    value: str
    accounts: int  # accounts seen with it, this one included
    times: int  # how often this account was seen with it
    first_seen: datetime
    last_seen: datetime


class ClusterLinks(IdentityLinks, Protocol):
    merging: frozenset[LinkKind]  # the kinds that tie accounts into one cluster

    def seen(self, customer_id: str) -> list[SeenLink]:
        """Every identifier the customer was seen with, by kind then value."""
        ...

    def members_after(self, cluster_id: str, after: str, limit: int) -> list[str]:
        """The cluster's members in id order, those after `after` ("" from the first)."""
        ...
