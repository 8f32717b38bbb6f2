"""The risk check the platform starts with: it allows everything, with reason "ok".

The risk-control rules replace it in `bootstrap`; every caller already asks it,
so nothing else changes when they do.
"""

from dacu.domain.risk import ALLOWED, RiskDecision, RiskQuery


class AllowAll:
    def assess(self, query: RiskQuery) -> RiskDecision:
        return ALLOWED
