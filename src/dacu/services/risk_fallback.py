"""What the rules engine answers when its storage fails (`services/risk_engine.py`),
and which deeds change the slower facts it reads."""

from dacu.domain.risk import Action, RiskDecision, Verdict

UNAVAILABLE = "risk_unavailable"
PASSING = frozenset(
    {Action.REGISTRATION, Action.LOGIN, Action.CHECKOUT, Action.PAYMENT, Action.REFUND}
    | {Action.FLASH_ATTEMPT}
)
"""What goes through when the risk store fails: the customer's own deeds, no reward."""
CHANGING = frozenset({Action.INVITE_REWARD, Action.REGISTRATION, Action.PAYMENT, Action.REFUND})
"""Deeds after which the customer's slower facts (standing, invite tree) are read again."""


def on_failure(action: Action) -> RiskDecision:
    """The decision when storage fails: allow the customer's own deeds, hold a reward."""
    if action in PASSING:
        return RiskDecision(Verdict.ALLOW, UNAVAILABLE, 0)
    return RiskDecision(Verdict.REVIEW, UNAVAILABLE, 0)
