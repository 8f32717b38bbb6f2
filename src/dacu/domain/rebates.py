"""Merchant rebates (商家返利, plan 000 §1–2): what a shop earns for bringing members in.

Two rebates accrue to a shop, each once per its key, funded from the
campaign's `merchant_codes` budget line and settled after the month:

- **new member** (商家码, `new_member:{customer}`): a member who registered
  with the shop's merchant code pays their first order — 10元, once per member,
  whichever shop the order is at.
- **first order** (首单返点, `first_order:{order}:{shop}`): a customer's first
  paid order on the platform, placed during the campaign, earns 1元 for each
  shop at which it paid at least 30元 (inclusive). An order across shops counts
  for each shop by what was paid at that shop alone (its lines' payable after
  discounts): two shops of 30元 each earn 1元 each; a 50元 order split 40/10
  earns only the first shop its 1元.

A customer's first paid order is the earliest placed of their orders that was
paid, claimed once per customer when the listener first meets one: a later
order never becomes the first, even when the first is refunded. Only
phone-verified members count. An accrual asks the risk check first (review:
`held`; block: `refused`) and draws its budget line (spent: `unfunded`, owed
nothing). A whole refund of the first order before settlement reverses its
rebates and gives their budget back.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from dacu.domain.acquisition import MerchantCodes
from dacu.domain.errors import StateError
from dacu.domain.risk import Verdict
from dacu.domain.types import Fen

LINE = "merchant_codes"  # the budget line's name: `line_id(campaign, LINE)`


class RebateKind(StrEnum):
    NEW_MEMBER = "new_member"  # 商家码拉新: 10元 per member
    FIRST_ORDER = "first_order"  # 首单返点: 1元 per first order of ≥ 30元


class RebateStatus(StrEnum):
    ACCRUED = "accrued"  # owed to the shop, to be settled after the month
    HELD = "held"  # the risk check asked for a review; budget set aside
    UNFUNDED = "unfunded"  # the budget line was spent: nothing owed
    REFUSED = "refused"  # the risk check blocked it: nothing owed
    REVERSED = "reversed"  # the first order was refunded whole before settlement
    SETTLED = "settled"  # paid out by the settlement


DRAWS = frozenset({RebateStatus.ACCRUED, RebateStatus.HELD})  # hold budget, may be reversed


class RebateStateError(StateError):
    """The rebate is not in a state that allows this."""


@dataclass(frozen=True, slots=True)
class Accrual:
    """One line of a shop's statement: what it earned, for which order and member."""

    key: str
    kind: RebateKind
    shop: str
    campaign_id: str
    customer_id: str
    order_id: str
    order_amount: Fen  # what the order paid at the shop (for a first-order rebate)
    amount: Fen
    status: RebateStatus
    at: datetime  # when it accrued
    reason: str = ""  # the risk check's reason, for held and refused

    @property
    def owed(self) -> Fen:
        """What the shop is owed by it (accrued or settled)."""
        owes = self.status in (RebateStatus.ACCRUED, RebateStatus.SETTLED)
        return self.amount if owes else 0


@dataclass(frozen=True, slots=True)
class PaidOrder:
    """What a rebate needs of an order: whose, when placed, what it paid at each shop."""

    id: str
    customer_id: str
    placed_at: datetime
    paid: Mapping[str, Fen]  # shop → payable of its lines
    fully_refunded: bool = False

    @property
    def payable(self) -> Fen:
        return sum(self.paid.values())


@dataclass(frozen=True, slots=True)
class MerchantReferral:
    """The shop whose merchant code a member registered with (商家码)."""

    shop: str
    campaign_id: str | None


def new_member_key(customer_id: str) -> str:
    return f"{RebateKind.NEW_MEMBER}:{customer_id}"


def first_order_key(order_id: str, shop: str) -> str:
    return f"{RebateKind.FIRST_ORDER}:{order_id}:{shop}"


def paid_at_shops(lines: Iterable[tuple[str, Fen]]) -> dict[str, Fen]:
    """What an order paid at each shop: its (shop, payable) lines added up per shop."""
    paid: dict[str, Fen] = {}
    for shop, payable in lines:
        paid[shop] = paid.get(shop, 0) + payable
    return paid


def first_order_shops(rules: MerchantCodes, paid: Mapping[str, Fen]) -> list[str]:
    """The shops a first order earns a first-order rebate, by id: paid ≥ the minimum there."""
    if rules.first_order_rebate <= 0:
        return []
    return sorted(shop for shop, amount in paid.items() if amount >= rules.first_order_min)


def status_for(verdict: Verdict) -> RebateStatus:
    """What the risk check's verdict makes of an accrual before its budget is drawn."""
    if verdict is Verdict.BLOCK:
        return RebateStatus.REFUSED
    return RebateStatus.HELD if verdict is Verdict.REVIEW else RebateStatus.ACCRUED


def settle(accrual: Accrual) -> Accrual:
    """Paid out by the settlement: only an accrued rebate may be."""
    if accrual.status is not RebateStatus.ACCRUED:
        raise RebateStateError(f"rebate {accrual.key} is {accrual.status}; it cannot settle")
    return replace(accrual, status=RebateStatus.SETTLED)


@dataclass(frozen=True, slots=True)
class ShopTotals:
    """A shop's rebates in one campaign, in fen."""

    shop: str
    campaign_id: str
    new_member: Fen = 0  # owed: accrued or settled
    first_order: Fen = 0  # owed: accrued or settled
    held: Fen = 0
    unfunded: Fen = 0
    refused: Fen = 0
    reversed: Fen = 0
    settled: Fen = 0
    lines: int = 0

    @property
    def owed(self) -> Fen:
        return self.new_member + self.first_order


def totals(shop: str, campaign_id: str, accruals: Iterable[Accrual]) -> ShopTotals:
    """The shop's totals over its accrual lines."""
    return summed(shop, campaign_id, ((a.kind, a.status, a.amount, 1) for a in accruals))


Sum = tuple[RebateKind, RebateStatus, Fen, int]  # amount and count of lines of a kind and state


def summed(shop: str, campaign_id: str, sums: Iterable[Sum]) -> ShopTotals:
    """The shop's totals from its lines' sums per kind and status."""
    by_status = dict.fromkeys(RebateStatus, 0)
    owed = dict.fromkeys(RebateKind, 0)
    count = 0
    for kind, status, amount, lines in sums:
        count += lines
        by_status[status] += amount
        if status in (RebateStatus.ACCRUED, RebateStatus.SETTLED):
            owed[kind] += amount
    return ShopTotals(
        shop,
        campaign_id,
        new_member=owed[RebateKind.NEW_MEMBER],
        first_order=owed[RebateKind.FIRST_ORDER],
        held=by_status[RebateStatus.HELD],
        unfunded=by_status[RebateStatus.UNFUNDED],
        refused=by_status[RebateStatus.REFUSED],
        reversed=by_status[RebateStatus.REVERSED],
        settled=by_status[RebateStatus.SETTLED],
        lines=count,
    )
