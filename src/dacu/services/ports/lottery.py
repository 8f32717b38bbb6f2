"""The lottery's stores: the chance ledger and draws (`LotteryBook`, SQL) and the atomic
draw (`DrawEngine`: SQL, or a Redis script with SQL as the record)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dacu.domain.lottery import Draw, DrawTicket, Lottery
from dacu.domain.types import Fen


@dataclass(frozen=True, slots=True)
class LotteryFigures:
    """A lottery as the console shows it."""

    draws: int
    draws_today: int
    given: dict[str, int]  # prize id → draws that gave it
    budget_drawn: Fen
    held: int  # draws held for review


class DrawEngine(Protocol):
    def draw(self, lottery: Lottery, ticket: DrawTicket) -> tuple[Draw, bool]:
        """Use one chance and give one prize (the rule of `domain/lottery.py`) in one atomic
        step, once per (campaign, customer, key): the draw and whether it is new. Raises
        NoChance, with nothing changed, when the customer has no chance left."""
        ...

    def granted(self, campaign_id: str, customer_id: str, total: int) -> None:
        """The customer's chances granted total `total` in the book, read after a grant
        committed (a mirror keeps up)."""
        ...

    def find(self, campaign_id: str, customer_id: str, key: str) -> Draw | None:
        """The draw made under the key, written to the book or not yet."""
        ...

    def mark(self, drawn: Draw, status: str, reference: str) -> None:
        """The draw's prize given (or pending, awaiting an address …): its status and the
        giving's reference, written or not yet."""
        ...


class LotteryBook(Protocol):
    def grant(
        self,
        grants: list[tuple[str, str, int]],
        campaign_id: str,
        customer_id: str,
        at: datetime,
    ) -> int:
        """Grant each (key, reason, chances) once per key, all in one transaction, stopping
        at the first key granted before; the chances granted now."""
        ...

    def chances(self, campaign_id: str, customer_id: str) -> tuple[int, int]:
        """(granted, used)."""
        ...

    def verified(self, customer_id: str) -> bool:
        """Whether the customer is a phone-verified member."""
        ...

    def given(self, campaign_id: str) -> dict[str, int]:
        """Each prize's draws so far ("*": every draw)."""
        ...

    def find(self, campaign_id: str, customer_id: str, key: str) -> Draw | None: ...

    def draws(self, campaign_id: str, customer_id: str, limit: int = 50) -> list[Draw]:
        """Newest first."""
        ...

    def mark(self, draw_id: str, status: str, reference: str) -> None: ...

    def figures(self, campaign_id: str, day_start: datetime) -> LotteryFigures: ...
