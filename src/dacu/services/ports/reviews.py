"""What large-subsidy reviews need: their storage (`adapters/review_store.py`) and the
evidence they show (`adapters/review_evidence.py`)."""

from collections.abc import Collection, Sequence
from typing import Protocol

from dacu.domain.evidence import PaymentRecord, Waybill
from dacu.domain.reviews import Review, ReviewStatus


class ReviewStore(Protocol):
    def hold(self, reviews: Sequence[Review]) -> None:
        """Keep each review unless one with its id is kept already."""
        ...

    def campaigns(self) -> list[str]:
        """The campaigns that have statements."""
        ...

    def unheld(self, campaign_id: str, over: int) -> list[str]:
        """The campaign's statements with a line over `over` fen not held yet."""
        ...

    def review(self, review_id: str) -> Review | None: ...

    def reviews(
        self,
        statement_id: str | None = None,
        status: Collection[ReviewStatus] | None = None,
        shops: Collection[str] | None = None,
    ) -> list[Review]:
        """Oldest held first."""
        ...

    def save(self, review: Review, seen: ReviewStatus) -> bool:
        """Save the review if it still stands at `seen`, audited, in one transaction;
        False when someone moved it first."""
        ...


class Evidence(Protocol):
    def payments(self, order_id: str) -> list[PaymentRecord]: ...

    def waybills(self, order_id: str) -> list[Waybill]:
        """The order's waybills; none where shipments are not recorded."""
        ...
