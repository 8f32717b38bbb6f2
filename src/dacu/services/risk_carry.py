"""The risk check the growth rewards ask: a deed's verdict carries over to its rewards.

A reward triggered by a deed the `RiskGate` kept — an order's checkout or payment,
a new member's registration — is asked with that deed's identity when the deed was
the rewarded member's own (the rewards' own queries know only who and what; an
inviter is never linked to the device their invitee signed up on), and is held when
the deed was under review or refused when it was blocked: review holds the reward,
not the purchase.

Which deed triggered a reward is read from its query: the order in its context
(merchant rebates) or its subject (`paid:<order>` for the coins a paid order
earns), the new member its subject (welcome, invite and share rewards).
"""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from dacu.domain.risk import NOBODY, Action, Identity, RiskDecision, RiskQuery, Verdict
from dacu.domain.risk_deeds import order_subject
from dacu.services.ports.risk import RiskCheck
from dacu.services.ports.risk_deeds import RiskDeeds

_MEMBER_REWARDS = (Action.REGISTRATION_REWARD, Action.INVITE_REWARD, Action.SHARE_REWARD)
_RANK = {Verdict.ALLOW: 0, Verdict.REVIEW: 1, Verdict.BLOCK: 2}


class CarriedVerdicts:
    def __init__(self, inner: RiskCheck, deeds: RiskDeeds) -> None:
        self.inner, self._deeds = inner, deeds  # `inner`: the rules (AllowAll by default)

    def assess(self, query: RiskQuery) -> RiskDecision:
        triggers = [d for d in map(self._deeds.find, _subjects(query)) if d is not None]
        if not triggers:
            return self.inner.assess(query)
        own = [deed for deed in triggers if deed.customer_id == _member(query)]
        if query.identity == NOBODY and own:  # an identity is its doer's: an inviter was
            query = replace(query, identity=own[0].identity)  # never seen on the invitee's
        decision = self.inner.assess(query)
        worst = max(triggers, key=lambda deed: _RANK[deed.verdict])
        if _RANK[worst.verdict] <= _RANK[decision.verdict]:
            return decision
        return RiskDecision(worst.verdict, f"{worst.action.value}_{worst.verdict.value}"[:64])

    def seen(self, subject: str, identity: Identity, at: datetime) -> bool:
        """Someone seen asking for nothing, told to the rules when they keep sightings
        (`RiskEngine.seen`); False when they do not."""
        seen = getattr(self.inner, "seen", None)
        return seen is not None and bool(seen(subject, identity, at))

    def known(self, query: RiskQuery) -> RiskDecision | None:
        """The rules' answer from memory alone, when they keep one (`RiskEngine.known`)."""
        known = getattr(self.inner, "known", None)
        return None if known is None else known(query)

    def checked(self, query: RiskQuery, clock: Callable[[], datetime] | None = None) -> object:
        """The rules' check as the flash gate's step carries it (`RiskEngine.checked`), for
        a deed no kept deed's verdict carries over to; None otherwise."""
        checked = getattr(self.inner, "checked", None)
        return None if checked is None or _subjects(query) else checked(query, clock)

    def stamp(self) -> tuple[object, int]:
        """What the rules' answers from memory stand on (`RiskEngine.stamp`)."""
        stamp = getattr(self.inner, "stamp", None)
        return (self.inner, 0) if stamp is None else stamp()

    def reread(self) -> None:
        """The rules and the blacklist read again when due (`RiskEngine.reread`)."""
        reread = getattr(self.inner, "reread", None)
        if reread is not None:
            reread()


def _member(query: RiskQuery) -> str:
    return query.context.get("member") or query.customer_id


def _subjects(query: RiskQuery) -> list[str]:
    """The deeds that may have triggered the reward asked about."""
    found: list[str] = []
    order = query.context.get("order") or (
        query.subject.removeprefix("paid:") if query.subject.startswith("paid:") else ""
    )
    if order:
        found += [order_subject(order), f"payment:{order}"]
    if query.action in _MEMBER_REWARDS and query.subject:
        found.append(f"registration:{query.subject}")
    return found
