"""The risk check every growth reward asks before it pays out (see `domain/risk.py`)."""

from typing import Protocol

from dacu.domain.risk import RiskDecision, RiskQuery


class RiskCheck(Protocol):
    def assess(self, query: RiskQuery) -> RiskDecision:
        """Allow, review or block the deed; fast (it sits on hot paths) and never raising
        for a deed it knows nothing of."""
        ...
