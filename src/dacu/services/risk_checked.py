"""The risk check of a flash attempt carried into the gate's own step (`CheckedTerms`).

When an action's rules weigh only velocity windows, the accounts behind identifiers
and the blacklist (`Plan.plain`), and the counters live on the gate's Redis server,
the check needs no round trip of its own: the gate's script counts the windows, adds
the account under each identifier, and refuses the attempt when a block rule's
threshold is reached — before it takes any stock. The counts come back with the
gate's answer and the rules engine judges them in full (every rule, the blacklist,
the decision logged), exactly as `assess` would have with the same counts.

A buyer's check on one identity is worked out once per rules version (`Prepared`,
kept by `CheckMemo`): the counters' keys, the identifiers' calls and the plan's terms
encoded once as JSON. Each attempt then adds only its tag. The arguments follow the
order `adapters/redis_scripts.py`'s `ATTEMPT_CHECKED` reads: a tag for the hits, the
account, and the JSON `[ttl, most, windows, identifiers]` — the identifiers' expiry
and most accounts kept; each window's span in ms, the count past which its rule
fires and whether it blocks (1) or not (0); for each identifier the accounts at
which a rule fires and at which a block rule fires (-1: none). The keys are the
windows' then the identifiers'. The step answers whether it refused, whether any
rule fired (when none did and the rules weigh no blacklist, the engine has nothing
to judge or log), the counts, and the identifiers' accounts. The blacklist's
blocking entries were asked from memory before the step (`RiskEngine.known`).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dacu.domain.risk import Action, Identity
from dacu.domain.risk_rules import RuleSet
from dacu.services.ports.flash import CheckedTerms
from dacu.services.risk_plan import Plan

Judge = Callable[[dict[str, int], dict[str, int] | None], object]
NONE = -1
MOST_KEPT = 100_000  # prepared checks kept at once; forgotten all together beyond it


@dataclass(frozen=True, slots=True)
class Prepared:
    """One buyer's check on one identity under one rules version: all but the tag."""

    plan: Plan
    wanted: list[tuple[str, str, int]]  # the windows: (code, counter, seconds)
    keys: list[str]  # the windows' keys, then the identifiers'
    ask: Any  # the identifiers' calls (`SharedAsk`)
    account: str
    spec: str  # the plan's terms as JSON, the script's last argument


def prepared(plan: Plan, wanted: list[tuple[str, str, int]], keys: list[str], ask: Any) -> Prepared:
    """`wanted` the windows at `keys`, `ask` the identifiers' calls, made ready to send."""
    account, ttl, most = ask.calls[0][2] if ask.calls else ("", 0, 0)
    spans = [[window * 1000, *plan.limits[code]] for code, _, window in wanted]
    shared = [[plan.least.get(kind, NONE), plan.blocking.get(kind, NONE)] for kind in ask.kinds]
    spec = json.dumps([int(ttl), int(most), spans, shared], separators=(",", ":"))
    shared_keys = [call[1][0] for call in ask.calls]
    return Prepared(plan, wanted, [*keys, *shared_keys], ask, str(account), spec)


class CheckMemo:
    """Prepared checks by (action, buyer, identity) for one rules version: all forgotten
    when the version changes (its thresholds, windows or identifiers may differ)."""

    def __init__(self, most: int = MOST_KEPT) -> None:
        self._ruleset: RuleSet | None = None
        self._kept: dict[tuple[Action, str, Identity], Prepared] = {}
        self._most = most

    def get(
        self,
        ruleset: RuleSet,
        key: tuple[Action, str, Identity],
        make: Callable[[], Prepared | None],
    ) -> Prepared | None:
        """The check kept under `key` for `ruleset`, else made (and kept unless None)."""
        if ruleset is not self._ruleset:
            self._kept, self._ruleset = {}, ruleset
        found = self._kept.get(key)
        if found is None:
            found = make()
            if found is None:
                return None
            if len(self._kept) >= self._most:
                self._kept.clear()
            self._kept[key] = found
        return found


def terms(ready: Prepared, tag: str, judge: Judge) -> CheckedTerms:
    """The terms of one attempt's check: `judge` what the counts are given to."""
    plan, wanted, ask = ready.plan, ready.wanted, ready.ask

    def answered(reply: Any) -> object:
        _, fired, counts, shared = reply
        kept = ask.answer(list(shared)) if plan.kinds else None  # floors read again when due
        if not fired and not plan.listing:
            return None  # no rule fired: a plain allow, nothing to log
        found = {code: int(n) for (code, _, _), n in zip(wanted, counts, strict=True)}
        return judge(found, kept)

    return CheckedTerms(ready.keys, [tag, ready.account, ready.spec], answered)
