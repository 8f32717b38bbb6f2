"""A wallet selection and how selections compare."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dacu.domain.types import Fen
from dacu.domain.wallet import WalletItem


@dataclass(frozen=True, slots=True)
class Choice:
    """Wallet items that each take something off, and the payable they come to.

    Choices compare by payable, then by their items' expiry times sorted
    ascending (earlier first; a prefix wins, so fewer items win a tie), then ids.
    """

    payable: Fen
    used: tuple[WalletItem, ...]
    rank: tuple[tuple[datetime, ...], tuple[str, ...]]

    @classmethod
    def of(cls, payable: Fen, used: Sequence[WalletItem]) -> "Choice":
        rank = (tuple(sorted(u.expires_at for u in used)), tuple(sorted(u.id for u in used)))
        return cls(payable, tuple(used), rank)

    def beats(self, other: "Choice | None") -> bool:
        return other is None or (self.payable, self.rank) < (other.payable, other.rank)
