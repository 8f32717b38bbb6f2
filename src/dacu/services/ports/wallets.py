"""A customer's wallet as pricing reads it: the coupons held and still usable, at once."""

from datetime import datetime
from typing import Protocol

from dacu.domain.wallet import WalletItem


class HeldCoupons(Protocol):
    def held(self, customer_id: str, now: datetime) -> list[WalletItem]:
        """The coupons `customer_id` holds, unexpired at `now`, as pricing sees them, by id."""
        ...


class QuoteReads(HeldCoupons, Protocol):
    def read(self, customer_id: str, now: datetime) -> tuple[dict[str, int], list[WalletItem]]:
        """What a quote reads, in one round trip: every live campaign's revision (as
        `CampaignStore.live_revisions`, read a fraction of a second ago at most: a change
        reaches every process well within its second) and `held(customer_id, now)`."""
        ...
