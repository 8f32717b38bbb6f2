"""What a growth mechanic gives: a coupon or red packet, coins, a phone top-up (话费),
a physical prize, or nothing ("thanks for taking part").

A `Reward` names its kind and its cash value to the platform (`value`, fen): the
amount its budget line is drawn by when it is given. Coupons and red packets
are drawn when they are redeemed (their template's campaign budget), so their
`value` here is 0 unless a mechanic caps them itself.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dacu.domain.errors import InvalidRule
from dacu.domain.types import Fen


class RewardKind(StrEnum):
    COUPON = "coupon"  # a coupon or red packet of a template: into the wallet at once
    COINS = "coins"  # 智慧币: into the coin ledger at once
    TOP_UP = "top_up"  # 话费: through the top-up port, within 3 working days
    PHYSICAL = "physical"  # a fuel card, cinema tickets …: name, phone and address, shipped
    NOTHING = "nothing"  # 谢谢参与


@dataclass(frozen=True, slots=True)
class Reward:
    kind: RewardKind
    name: str = ""
    value: Fen = 0  # what it costs its budget line when given
    coupon: str | None = None  # the coupon template, for COUPON
    coins: int = 0  # for COINS

    def __post_init__(self) -> None:
        if self.kind is RewardKind.COUPON and not self.coupon:
            raise InvalidRule("coupon", "a coupon reward names its coupon template")
        if self.kind is RewardKind.COINS and self.coins <= 0:
            raise InvalidRule("coins", "a coins reward gives at least one coin")
        if self.value < 0:
            raise InvalidRule("value", "a reward's value is not negative")


class GivenStatus(StrEnum):
    GIVEN = "given"  # in the account: a coupon in the wallet, coins in the ledger
    PENDING = "pending"  # on its way: a top-up asked of the provider
    AWAITING_ADDRESS = "awaiting_address"  # a physical prize: name, phone and address first
    SHIPPING = "shipping"  # in the fulfilment queue, within its promise
    HELD = "held"  # the risk check asked for a review
    NOTHING = "nothing"


@dataclass(frozen=True, slots=True)
class Grant:
    """One reward to one customer, for one deed: given once per `key`."""

    reward: Reward
    customer_id: str
    campaign_id: str
    key: str  # "lottery:{draw id}", "redeem:{request}" …
    at: datetime
    source: str  # the mechanic: "lottery", "redemption", "invite" …


@dataclass(frozen=True, slots=True)
class Given:
    key: str
    status: GivenStatus
    reference: str = ""  # a coupon id, a top-up's provider reference, a fulfilment id
