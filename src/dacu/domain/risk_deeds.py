"""The deeds the risk check was asked about where money moves, as the server keeps them.

A deed is kept once per subject (`order:<id>`, `refund:<order>:<key>`, `payout:<id>`)
with the identity it came from and the verdict. "Review" holds the deed's money
until someone decides (`HELD` → `RELEASED` or `REFUSED`); an order under review
still goes through, and the platform-funded rewards it triggers are held.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode
from dacu.domain.risk import NOBODY, Action, Identity, Verdict


class DeedStatus(StrEnum):
    DONE = "done"  # allowed, or an order let through under review
    HELD = "held"  # waits for a person: the money does not move until released
    RELEASED = "released"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Deed:
    subject: str
    action: Action
    customer_id: str
    verdict: Verdict
    reason: str
    at: datetime
    identity: Identity = NOBODY
    detail: dict[str, str] = field(default_factory=dict)
    status: DeedStatus = DeedStatus.DONE


def order_subject(order_id: str) -> str:
    return f"order:{order_id}"


def refund_subject(order_id: str, key: str) -> str:
    return f"refund:{order_id}:{key}"


@dataclass(frozen=True, slots=True)
class DeliveryAddress:
    """Where an order ships: the customer's own input, bounded at the edge."""

    receiver: str
    phone: str
    region: str  # 省市区
    detail: str  # street, building, room

    def normalised(self) -> str:
        """The address as a link between accounts: case, width and spacing folded, so
        "1号楼 101" and "1 号楼101" are one address. The receiver's name is not part of it."""
        text = unicodedata.normalize("NFKC", f"{self.region}{self.detail}").lower()
        return re.sub(r"[\s,，.。#\-]+", "", text)[:200]


class RiskHeld(DomainError):
    """The deed waits for a person; the money moves once it is released."""

    code: ClassVar[ErrorCode] = ErrorCode.RISK_HELD

    def __init__(self) -> None:
        super().__init__("held for review", None)
