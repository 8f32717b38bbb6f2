"""The risk wiring's part of the composition root: the `RiskGate` every money path asks,
told of sign-ins, payments (the channel's paying account) and payouts."""

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from dacu.adapters.risk_deeds import SqlRiskDeeds
from dacu.domain.risk_review import ReviewKind, RiskReviewState
from dacu.services.ports.risk_reviews import Owner
from dacu.services.risk_gate import RiskGate

if TYPE_CHECKING:
    from dacu.bootstrap import Platform


def with_risk_gate(platform: "Platform") -> "Platform":
    """The platform with its gate wired into registration, payments and payouts."""
    deeds = SqlRiskDeeds(platform.engine)
    gate = RiskGate(
        platform.risk, deeds, platform.clock, platform.payments.refund, platform.risk_links
    )
    platform.registration.screen = gate.signed_in
    platform.payments.payer_seen = gate.paid
    platform.payouts.screen = gate.payout
    for kind in (ReviewKind.REFUND, ReviewKind.PAYOUT):  # held deeds decided at the desk
        platform.risk_desk.own(kind, Owner(_decided(gate.release), _decided(gate.refuse)))
    return replace(platform, risk_gate=gate)


def written_behind(platform: "Platform") -> None:
    """What risk control checks and writes behind, done now (shutdown)."""
    if platform.risk_gate is not None:
        platform.risk_gate.flash.flush()
    getattr(platform.risk_links, "flush", lambda: None)()
    platform.risk_decisions.flush()


def _decided(move: Callable[[str], bool]) -> Callable[[str, str], None]:
    def decide(subject: str, by: str) -> None:
        if not move(subject):
            raise RiskReviewState(f"{subject} is not held", "status")

    return decide
