"""The risk check's decisions during a run, by account: what the attack set's score reads.

`Verdicts.watch(check)` notes each answer of the check the services ask against the
query's customer (the account the reward or the deed is for).
"""

from collections.abc import Sequence
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
        """Note every answer of this check instance, which its services hold already: a
        rules engine's through its decision log (every answer but a plain allow is logged
        there), another's by its `assess`. False when neither can be watched."""
        log = getattr(check, "decisions", None)
        if log is not None and hasattr(log, "record"):
            object.__setattr__(check, "decisions", _Tee(log, self))  # a frozen engine too
            return True
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


class _Tee:
    """A decision log that notes each decision, then logs it as before."""

    def __init__(self, log: Any, verdicts: Verdicts) -> None:
        self._log, self._verdicts = log, verdicts

    def record(self, query: RiskQuery, decision: RiskDecision, rules: Sequence[str]) -> None:
        self._verdicts.note(query, decision)
        self._log.record(query, decision, rules)
