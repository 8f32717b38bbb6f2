"""Campaign budgets as the checkout and the finance screens see them.

`BudgetFigures` is the hot figure a quote reads to tell a spent budget
before it prices (Redis when the festival runs on it, else the database);
`BudgetBook` is the record in a unit of work: draws checked against the cap,
gives back, releases of the reserve and the ledger's burn.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol

from dacu.domain.types import Fen


class BudgetFigures(Protocol):
    def net(self, campaign_ids: Iterable[str]) -> dict[str, Fen]:
        """Drawn less released per campaign, including orders not yet written (a campaign
        never drawn from is left out)."""
        ...

    def forget(self, campaign_id: str) -> None:
        """Drop the hot figure: the next use rebuilds it from the database."""
        ...


class BudgetBook(Protocol):
    def draw(self, campaign_id: str, amount: Fen, base: Fen) -> bool:
        """Draw `amount` unless drawn less released would pass `base`; False if it would."""
        ...

    def add(self, draws: Mapping[str, Fen]) -> None:
        """Add draws already checked against the cap (negative amounts give back)."""
        ...

    def give(self, draws: Mapping[str, Fen]) -> None:
        """Give back what a cancelled order drew or a refund clawed back."""
        ...

    def drawn(self, campaign_id: str) -> tuple[Fen, Fen]:
        """(drawn, released)."""
        ...

    def release(
        self, campaign_id: str, amount: Fen, actor: str, reason: str, now: datetime, key: str
    ) -> Fen | None:
        """Open `amount` more of the reserve, audited, once per `key`: None when new, else
        the amount the key released before."""
        ...

    def released_by(self, campaign_id: str, key: str) -> Fen | None: ...

    def releases(self, campaign_id: str) -> list[tuple[Fen, str, str, datetime]]: ...

    def burn(self, campaign_id: str) -> Fen:
        """Paid platform shares this budget funded, net of clawbacks, from the ledger."""
        ...
