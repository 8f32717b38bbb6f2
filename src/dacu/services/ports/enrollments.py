"""Merchants' profiles and their enrollments as the enrollment service needs them.

The store loads and saves; what may follow what is `Enrollment`'s to say. Writes
that can race are conditional: a second insert of the same SKU, new terms or a
review of an enrollment no longer pending raise `ConcurrentChange`.
"""

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from dacu.domain.campaigns import Campaign
from dacu.domain.enrollment import Enrollment, Merchant, Review


class EnrollmentStore(Protocol):
    def put_merchant(self, merchant: Merchant) -> None: ...

    def merchant(self, shop: str) -> Merchant:
        """The shop's profile; UnknownMerchant if it has none."""
        ...

    def merchants(self, shops: Collection[str]) -> dict[str, Merchant]:
        """The profiles of those shops that have one."""
        ...

    def get(self, enrollment_id: str) -> Enrollment:
        """UnknownEnrollment if no enrollment has that id."""
        ...

    def find(self, campaign_id: str, sku: str) -> Enrollment | None:
        """The campaign's enrollment of `sku`, if any (one per SKU and campaign)."""
        ...

    def add(self, enrollment: Enrollment) -> None:
        """A new enrollment; ConcurrentChange if the SKU was enrolled meanwhile."""
        ...

    def replace_terms(self, enrollment: Enrollment) -> None:
        """New terms for a pending enrollment; ConcurrentChange if it is pending no more."""
        ...

    def save_review(self, reviewed: Enrollment, reviewer: str, now: datetime) -> None:
        """The decision on a pending enrollment, audited, with `reviewed.on_sale` units of
        its SKU put on sale in the same transaction; ConcurrentChange if another
        reviewer decided first."""
        ...

    def of_campaign(self, campaign_id: str, review: Review | None = None) -> list[Enrollment]:
        """The campaign's enrollments by SKU, only those with `review` when given."""
        ...


class CampaignRules(Protocol):
    """The campaign whose eligibility rules and priority categories an enrollment meets."""

    def campaign(self, campaign_id: str) -> Campaign:
        """UnknownCampaign if no campaign has that id."""
        ...
