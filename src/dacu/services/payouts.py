"""Payouts (打款): a statement paid in parts through the `PayoutChannel` port, each part
once, its PAYOUT entry posted with its row. See `domain/payouts.py` for the parts.

The row and the entry are one transaction; the channel (the bank file) is handed the
payout after it, on every call — a retry after a crash between the two writes the
same file again. The statement turns paid when its last part is paid, or when the
last review it waited for is decided.
"""

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from dacu.domain.payouts import (
    MAIN,
    Payout,
    PayoutStateError,
    UnknownPayout,
    amount_of,
    line_part,
    part_lines,
    payout_entry,
    payout_key,
    settled,
)
from dacu.domain.reviews import ReviewStatus
from dacu.domain.settlement import Statement, StatementStatus
from dacu.services.ports.payouts import PayoutChannel, PayoutStore
from dacu.services.reviews import ReviewService

Screen = Callable[[str, str, int], None]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True, slots=True)
class Part:
    """A part of a statement as it stands: paid, payable, held or not paid."""

    name: str
    lines: tuple[int, ...]
    amount: int
    state: str  # paid, payable, held (in review), rejected, nothing (≤ 0 to pay)
    payout: Payout | None = None


class PayoutService:
    def __init__(
        self,
        store: PayoutStore,
        channel: PayoutChannel,
        reviews: ReviewService,
        now: Callable[[], datetime],
    ) -> None:
        self._store, self._channel, self._reviews, self._now = store, channel, reviews, now
        self.screen: Screen | None = None  # the risk check: shop, payout key, fen
        reviews.on_decided(self.refresh)

    def pay(self, statement_id: str, part: str, by: str) -> Payout:
        """Pay one part of the statement (the payout made before, when it was)."""
        statement = self._reviews.statement(statement_id)
        reviews = self._reviews.statuses(statement)
        over = self._reviews.review_over(statement.campaign_id)
        lines = part_lines(statement, part, reviews, over)
        amount = amount_of(statement, lines)
        if amount <= 0:
            raise PayoutStateError(f"{part} of {statement.id} has nothing to pay", "part")
        key = payout_key(statement.id, part)
        if self.screen is not None and self._store.payout(key) is None:
            self.screen(statement.shop, key, amount)  # RiskHeld, RiskBlocked
        name = _UNSAFE.sub("_", key) + ".csv"
        payout = Payout(
            payout_key(statement.id, part),
            statement.id,
            part,
            statement.shop,
            statement.campaign_id,
            amount,
            by,
            self._now(),
            lines,
            name,
        )
        kept = self._store.pay(payout, payout_entry(payout))
        self._channel.send(kept)
        self._settle(statement, reviews)
        return kept

    def pay_statement(self, statement_id: str, by: str) -> list[Payout]:
        """Pay every payable part not paid yet; PayoutStateError when none is."""
        statement = self._reviews.statement(statement_id)
        todo = [p for p in self.parts(statement) if p.state in ("payable", "paid")]
        if not any(p.state == "payable" for p in todo):
            raise PayoutStateError(f"{statement.id} has no part to pay now", "statement_id")
        return [self.pay(statement.id, p.name, by) for p in todo]

    def parts(self, statement: Statement) -> list[Part]:
        reviews = self._reviews.statuses(statement)
        over = self._reviews.review_over(statement.campaign_id)
        paid = {p.part: p for p in self._store.payouts(statement.id)}
        main = part_lines(statement, MAIN, reviews, over)
        found = [_part(MAIN, main, amount_of(statement, main), None, paid)]
        for line in statement.lines:
            if line.amount > over:
                status = reviews.get(line.no, ReviewStatus.PENDING)
                found.append(_part(line_part(line.no), (line.no,), line.amount, status, paid))
        return found

    def refresh(self, statement_id: str) -> bool:
        """Mark the statement paid if every part is; True when it is paid."""
        statement = self._reviews.statement(statement_id)
        return self._settle(statement, self._reviews.statuses(statement))

    def payouts(
        self, statement_id: str | None = None, shops: Collection[str] | None = None
    ) -> list[Payout]:
        return self._store.payouts(statement_id, shops)

    def payout(self, key: str, shops: Collection[str] | None = None) -> Payout:
        found = self._store.payout(key)
        if found is None or (shops is not None and found.shop not in shops):
            raise UnknownPayout(key)
        return found

    def bank_file(self, key: str, shops: Collection[str] | None = None) -> tuple[str, bytes]:
        """The bank file the payout was exported to (written again if it went missing)."""
        payout = self.payout(key, shops)
        body = self._channel.read(payout.file)
        if body is None:
            self._channel.send(payout)
            body = self._channel.read(payout.file) or b""
        return payout.file, body

    def _settle(self, statement: Statement, reviews: dict[int, ReviewStatus]) -> bool:
        if statement.status is StatementStatus.PAID:
            return True
        over = self._reviews.review_over(statement.campaign_id)
        paid = {p.part for p in self._store.payouts(statement.id)}
        if not settled(statement, reviews, over, paid):
            return False
        self._store.mark_paid(statement.id)
        return True


def _part(
    name: str,
    lines: tuple[int, ...],
    amount: int,
    review: ReviewStatus | None,
    paid: dict[str, Payout],
) -> Part:
    if name in paid:
        return Part(name, lines, amount, "paid", paid[name])
    if review is ReviewStatus.REJECTED:
        return Part(name, lines, amount, "rejected")
    if review is not None and review is not ReviewStatus.APPROVED:
        return Part(name, lines, amount, "held")
    return Part(name, lines, amount, "payable" if amount > 0 else "nothing")
