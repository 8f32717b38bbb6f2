"""A wallet selection and how selections compare."""

from collections.abc import Sequence
from datetime import datetime

from dacu.domain.pricing.ledger import Applied
from dacu.domain.types import Fen
from dacu.domain.wallet import WalletItem

Rank = tuple[tuple[datetime, ...], tuple[str, ...]]


class Choice:
    """Wallet items that each take something off, and the payable they come to.

    Choices compare by payable, then by their items' expiry times sorted
    ascending (earlier first; a prefix wins, so fewer items win a tie), then
    ids. The search makes many and compares most by payable alone, so the
    tie-break is worked out only when a tie needs it.
    """

    __slots__ = ("_rank", "payable", "shop_shares", "used")

    def __init__(self, payable: Fen, used: tuple[WalletItem, ...]) -> None:
        self.payable = payable
        self.used = used
        self.shop_shares: dict[str, Applied] = {}
        """How the chosen shop coupons fell on the lines, where the search knows it."""
        self._rank: Rank | None = None

    @classmethod
    def of(cls, payable: Fen, used: Sequence[WalletItem]) -> "Choice":
        return cls(payable, tuple(used))

    @property
    def rank(self) -> Rank:
        if self._rank is None:
            self._rank = (
                tuple(sorted(u.expires_at for u in self.used)),
                tuple(sorted(u.id for u in self.used)),
            )
        return self._rank

    def beats(self, other: "Choice | None") -> bool:
        if other is None or self.payable != other.payable:
            return other is None or self.payable < other.payable
        return self.rank < other.rank

    def __repr__(self) -> str:
        return f"Choice(payable={self.payable}, used={[u.id for u in self.used]})"
