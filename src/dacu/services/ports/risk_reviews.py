"""What the risk review queue (`domain/risk_review.py`) needs: its store, the queue the risk
engine and the services hand held subjects to (the blacklist is the rules engine's,
`ports/risk_rules.py` `Blacklist`), the held items already
recorded by each service (the backfill), the evidence of a customer, and the owners that
release or refuse a subject."""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dacu.domain.risk_review import Held, ReviewItem, ReviewKind, ReviewStatus


class ReviewQueue(Protocol):
    def submit(self, held: Held) -> ReviewItem:
        """Queue the held subject, once per (kind, key): the item kept the first time."""
        ...


@dataclass(frozen=True, slots=True)
class QueueFilter:
    kind: ReviewKind | None = None
    campaign_id: str | None = None
    status: ReviewStatus | None = ReviewStatus.OPEN
    reason: str | None = None
    appeals: bool | None = None  # only appeals (True), only not (False), both (None)


class ReviewStore(Protocol):
    def add(self, item: ReviewItem) -> tuple[ReviewItem, bool]:
        """Insert the item unless one has its id; the item kept, and whether it is new."""
        ...

    def item(self, item_id: str) -> ReviewItem | None: ...

    def known(self, item_ids: Collection[str]) -> set[str]:
        """Which of the ids the queue holds."""
        ...

    def page(self, where: QueueFilter, offset: int, limit: int) -> tuple[list[ReviewItem], int]:
        """Matching items, oldest first, and how many match in all."""
        ...

    def decide(self, item: ReviewItem) -> bool:
        """Save the decided item if it is still open (audited in the same transaction);
        False when someone decided it first."""
        ...

    def appeal(self, item: ReviewItem) -> bool:
        """Flag the appeal if the item is open and not appealed yet; False otherwise."""
        ...

    def file_block(self, item: ReviewItem) -> bool:
        """Insert a block appeal unless one of the customer's stands open; False then."""
        ...

    def appeals_of(self, by: str, limit: int = 100) -> list[ReviewItem]:
        """The appeals `by` filed, newest first."""
        ...

    def appeals_since(self, by: str, since: datetime) -> int: ...

    def open_block(self, customer_id: str) -> ReviewItem | None: ...


class HeldItems(Protocol):
    def held(self, limit: int = 5000) -> list[Held]:
        """Every subject its owning service holds for review today (the backfill)."""
        ...


@dataclass(frozen=True, slots=True)
class Deed:
    """One line of a customer's timeline."""

    at: datetime
    what: str  # order, refund, reward, rebate, decision …
    ref: str
    amount: int = 0  # fen
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Invitee:
    customer_id: str
    referrer: str
    depth: int  # 1: invited by the customer directly
    at: datetime
    paid_orders: int


class EvidenceReads(Protocol):
    def timeline(self, customer_id: str, limit: int = 100) -> list[Deed]:
        """Orders, refunds, rewards, rebates and risk decisions, newest first."""
        ...

    def invitees(self, customer_id: str, depth: int = 3, limit: int = 200) -> list[Invitee]: ...

    def identifiers(self, customer_id: str, limit: int = 50) -> list[tuple[str, str]]:
        """(kind, value) the customer's deeds were seen with, as the risk checks logged
        them (identity links keep only hashes): what a blacklist can name."""
        ...


@dataclass(frozen=True, slots=True)
class Owner:
    """How the owning service releases (approve) or refuses (reject) a subject, by key."""

    release: Callable[[str, str], None]  # (key, who)
    refuse: Callable[[str, str], None]
