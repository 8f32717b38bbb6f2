"""Phone top-ups (话费充值) through a provider.

A request is named by the caller (`request_id`, the reward's id): asking again
with the same id never tops up twice; it answers how that request stands.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from dacu.domain.types import Fen


class TopUpState(StrEnum):
    CONFIRMED = "confirmed"  # the phone was credited
    PENDING = "pending"  # accepted, not confirmed yet: ask again later
    FAILED = "failed"  # refused or lost: may be asked again


@dataclass(frozen=True, slots=True)
class TopUpAnswer:
    state: TopUpState
    reference: str = ""  # the provider's reference
    error: str = ""


class TopUps(Protocol):
    def top_up(self, request_id: str, phone: str, amount: Fen) -> TopUpAnswer:
        """Credit `phone` (E.164) with `amount`, once per `request_id`."""
        ...
