"""Payouts (打款): a statement's money moved from the shop's wallet to the bank.

A statement is paid in parts: `MAIN` covers every line not held for a review; each
held line is a part of its own (`line-<no>`), payable once its review is approved.
A part is paid once (key `payout:<statement id>:<part>`), its PAYOUT entry posted with
its row. The statement is paid when every part that has money to pay is paid and no
review of it is still open; a rejected line is no part (it is never paid out).
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode, NotFound
from dacu.domain.ledger import Entry, EntryKind, MerchantAccount, Platform, merchant, transfer
from dacu.domain.reviews import DECIDED, ReviewStatus
from dacu.domain.settlement import Statement
from dacu.domain.types import Fen

MAIN = "main"


class UnknownPayout(NotFound):
    """No payout has that key."""

    code = ErrorCode.UNKNOWN_PAYOUT
    noun = "payout"


class PayoutStateError(DomainError):
    """The part cannot be paid: held for review, rejected, or nothing to pay."""

    code: ClassVar[ErrorCode] = ErrorCode.PAYOUT_STATE


@dataclass(frozen=True, slots=True)
class Payout:
    key: str  # payout:<statement id>:<part>
    statement_id: str
    part: str
    shop: str
    campaign_id: str
    amount: Fen
    by: str
    at: datetime
    lines: tuple[int, ...]  # the statement's line numbers it pays
    file: str = ""  # the bank file it was exported to


def payout_key(statement_id: str, part: str) -> str:
    return f"payout:{statement_id}:{part}"


def line_part(no: int) -> str:
    return f"line-{no}"


def part_lines(
    statement: Statement, part: str, reviews: Mapping[int, ReviewStatus], review_over: Fen
) -> tuple[int, ...]:
    """The lines `part` pays, or PayoutStateError when it may not be paid now.
    `reviews` holds the status of each held line's review by line number."""
    held = {line.no for line in statement.lines if line.amount > review_over}
    if part == MAIN:
        return tuple(line.no for line in statement.lines if line.no not in held)
    no = _line_no(part)
    if no not in held:
        raise PayoutStateError(f"line {part} of {statement.id} is not held: it is in main")
    status = reviews.get(no, ReviewStatus.PENDING)
    if status is not ReviewStatus.APPROVED:
        raise PayoutStateError(f"line {no} of {statement.id} is {status.value} in review")
    return (no,)


def amount_of(statement: Statement, lines: Collection[int]) -> Fen:
    return sum(line.amount for line in statement.lines if line.no in lines)


def payable_parts(
    statement: Statement, reviews: Mapping[int, ReviewStatus], review_over: Fen
) -> list[str]:
    """The parts with money to pay: main when its lines sum above zero, and every held
    line whose review approved it."""
    parts = []
    main = part_lines(statement, MAIN, reviews, review_over)
    if amount_of(statement, main) > 0:
        parts.append(MAIN)
    held = [line.no for line in statement.lines if line.amount > review_over]
    parts += [line_part(no) for no in held if reviews.get(no) is ReviewStatus.APPROVED]
    return parts


def settled(
    statement: Statement,
    reviews: Mapping[int, ReviewStatus],
    review_over: Fen,
    paid: Collection[str],
) -> bool:
    """Every payable part paid and every held line decided."""
    held = [line.no for line in statement.lines if line.amount > review_over]
    if any(reviews.get(no) not in DECIDED for no in held):
        return False
    return all(part in paid for part in payable_parts(statement, reviews, review_over))


def payout_entry(payout: Payout) -> Entry:
    """Wallet → bank: debit the shop's wallet, credit the platform's bank."""
    postings = transfer(
        merchant(payout.shop, MerchantAccount.WALLET),
        Platform.BANK.value,
        payout.amount,
        payout.campaign_id,
    )
    refs = {"statement_id": payout.statement_id, "part": payout.part, "shop": payout.shop}
    return Entry(payout.key, EntryKind.PAYOUT, payout.at, postings, refs)


def bank_yuan(amount: Fen) -> str:
    """Yuan to the fen for a bank file: no grouping, a point, two digits."""
    sign = "-" if amount < 0 else ""
    whole, fen = divmod(abs(amount), 100)
    return f"{sign}{whole}.{fen:02d}"


def _line_no(part: str) -> int:
    prefix = "line-"
    digits = part[len(prefix) :]
    if not part.startswith(prefix) or not digits.isdigit() or len(digits) > 6:
        raise PayoutStateError(f"no part {part[:40]!r}: say main or line-<no>", "part")
    return int(digits)
