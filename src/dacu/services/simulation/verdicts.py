"""The risk check's decisions during a run, by account: what the attack set's score reads.

`Verdicts.watch(check)` notes each answer of the check the services ask against the
query's customer (the account the reward or the deed is for).
"""

from dataclasses import dataclass, field
from typing import Any

from dacu.domain.risk import RiskDecision, RiskQuery, Verdict
from dacu.services.simulation.attack_score import worst


@dataclass
class Verdicts:
    seen: dict[str, list[Verdict]] = field(default_factory=dict)
    asked: int = 0

    def note(self, query: RiskQuery, decision: RiskDecision) -> None:
        self.asked += 1
        if decision.verdict is not Verdict.ALLOW:
            self.seen.setdefault(query.customer_id, []).append(decision.verdict)

    def worst(self) -> dict[str, Verdict]:
        return {customer: worst(verdicts) for customer, verdicts in self.seen.items()}

    def watch(self, check: Any) -> bool:
        """Note every answer of this check instance (its services hold it already, so it
        is watched in place); False when the instance takes no new attribute."""
        ask = check.assess

        def assess(query: RiskQuery) -> RiskDecision:
            decision: RiskDecision = ask(query)
            self.note(query, decision)
            return decision

        try:
            check.assess = assess
        except AttributeError:
            return False
        return True
