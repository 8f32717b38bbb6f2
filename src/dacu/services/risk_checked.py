"""The risk check of a flash attempt carried into the gate's own step (`CheckedTerms`).

When an action's rules weigh only velocity windows, the accounts behind identifiers
and the blacklist (`Plan.plain`), and the counters live on the gate's Redis server,
the check needs no round trip of its own: the gate's script counts the windows (every
attempt), then — for an attempt that could take stock: started, not ended, not sold
out, within the buyer's limit — adds the account under each identifier, and refuses
the attempt when a block rule's threshold is reached, before it takes any stock (one
the sale would refuse anyway costs the check its windows alone). The counts come
back with the gate's answer and the rules engine judges them in full (every rule,
the blacklist, the decision logged), exactly as `assess` would have with the same
counts.

A buyer's check on one identity is worked out once per rules version (`Prepared`,
kept by `CheckMemo`): the counters' keys, the identifiers' calls and the plan's terms
as the script's arguments, in the order `adapters/redis_scripts.py`'s
`ATTEMPT_CHECKED` reads them — the account; the identifiers' expiry and most accounts
kept; whether every answer reports the check (the rules weigh a blacklist entry that
does not block: every attempt judged); the number of windows, then each window's span
in ms, the count past which its rule fires and whether it blocks (1) or not (0); then
for each identifier the accounts at which a rule fires and at which a block rule
fires (-1: none). The keys are the windows' then the identifiers'. Each window's hit
is the attempt itself (its request, time and sale), so the terms are the same for
every attempt of the buyer on that identity, in any sale, and are carried again as
they are (`services/risk_flash.py`). The step reports whether it refused, whether any
rule fired, whether an identifier has no floor, the counts, and the identifiers'
accounts and floors (when weighed) — or nothing, when the answer is quiet: no rule fired and every
identifier has its floor (the engine has nothing to judge or log, and is not called).
The floors are read again behind when one is missing (once a second at most), and
otherwise as SQL's counts are due, looked at when a buyer's terms are made and every
few seconds while the flash screen carries them (`renewed`).
The blacklist's blocking entries were asked from memory before the step
(`RiskEngine.known`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dacu.domain.risk import Action, Identity, RiskQuery
from dacu.domain.risk_rules import RuleSet
from dacu.services.risk_plan import Plan

Clock = Callable[[], datetime] | None
Judge = Callable[[RiskQuery, Plan, Clock, dict[str, int], dict[str, int] | None, str], object]
NONE = -1
MOST_KEPT = 100_000  # prepared checks kept at once; forgotten all together beyond it


@dataclass(frozen=True, slots=True)
class Prepared:
    """One buyer's check on one identity under one rules version."""

    plan: Plan
    wanted: tuple[tuple[str, str, int], ...]  # the windows: (code, counter, seconds)
    keys: tuple[str, ...]  # the windows' keys, then the identifiers'
    ask: Any  # the identifiers' calls (`SharedAsk`)
    args: tuple[str, ...]  # the script's arguments for the check


def prepared(
    plan: Plan,
    wanted: list[tuple[str, str, int]],
    keys: list[str],
    ask: Any,
    tails: dict[tuple[Any, ...], tuple[Plan, tuple[str, ...]]] | None = None,
) -> Prepared:
    """`wanted` the windows at `keys`, `ask` the identifiers' calls, made ready to send.
    The arguments after the account are the plan's alone, for these windows and kinds of
    identifier: worked out once and kept in `tails` (the caller's, for one version)."""
    account, ttl, most = ask.calls[0][2] if ask.calls else ("", 0, 0)
    key = (id(plan), tuple(code for code, _, _ in wanted), ask.kinds, ttl, most)
    kept = None if tails is None else tails.get(key)
    if kept is not None and kept[0] is plan:
        tail = kept[1]
    else:
        spans = [(window * 1000, *plan.limits[code]) for code, _, window in wanted]
        shared = [(plan.least.get(k, NONE), plan.blocking.get(k, NONE)) for k in ask.kinds]
        terms = [ttl, most, int(plan.listing), len(spans), *(n for span in spans for n in span)]
        terms += [n for pair in shared for n in pair]
        tail = tuple(str(int(n)) for n in terms)
        if tails is not None:
            tails[key] = (plan, tail)
    shared_keys = (call[1][0] for call in ask.calls)
    return Prepared(plan, tuple(wanted), (*keys, *shared_keys), ask, (str(account), *tail))


class CheckMemo:
    """Prepared checks by (action, buyer, identity) for one rules version: all forgotten
    when the version changes (its thresholds, windows or identifiers may differ)."""

    def __init__(self, most: int = MOST_KEPT) -> None:
        self._ruleset: RuleSet | None = None
        self._kept: dict[tuple[Action, str, Identity], Prepared] = {}
        self._most = most
        self.tails: dict[tuple[Any, ...], tuple[Plan, tuple[str, ...]]] = {}  # `prepared`'s

    def get(
        self,
        ruleset: RuleSet,
        key: tuple[Action, str, Identity],
        make: Callable[[], Prepared | None],
    ) -> Prepared | None:
        """The check kept under `key` for `ruleset`, else made (and kept unless None)."""
        if ruleset is not self._ruleset:
            self._kept, self._ruleset, self.tails = {}, ruleset, {}
        found = self._kept.get(key)
        if found is None:
            found = make()
            if found is None:
                return None
            if len(self._kept) >= self._most:
                self._kept.clear()
            self._kept[key] = found
        return found


class Terms:
    """The terms of a buyer's check, for every attempt on this identity (`CheckedTerms`):
    `judge(query, plan, clock, counts, accounts, sale_id)` the counts are given to when a
    rule fired (or a blacklist rule weighs). One object a buyer, carried for their later
    attempts (`services/risk_flash.py`): its slots hold what a closure would have held
    in cells. Made, and renewed every few seconds while carried, it asks for its
    identifiers' floors to be read again where due (`FLOOR_SECONDS` an identifier): a
    quiet answer is not handed back."""

    __slots__ = ("_clock", "_judge", "_query", "_ready", "args", "keys")

    def __init__(
        self, ready: Prepared, judge: Judge, query: RiskQuery, clock: Clock = None
    ) -> None:
        self.keys, self.args, self._ready = ready.keys, ready.args, ready
        self._judge, self._query, self._clock = judge, query, clock
        self.renewed()

    def renewed(self) -> None:
        ready = self._ready
        if ready.plan.kinds:
            ready.ask.floored()  # taken as floored: SQL's counts read again behind when due

    def answered(self, part: Any, sale_id: str) -> object:
        ready = self._ready
        if not part:  # quiet (a plain allow), or the step ended before the check
            return None
        nv = len(ready.wanted)
        shared = part[3 + nv :]  # none when the step ended before the accounts were weighed
        pairs = [shared[i : i + 2] for i in range(0, len(shared), 2)]
        kept = ready.ask.answer(pairs) if pairs else None  # a floor missing: read behind
        if not (part[1] or ready.plan.listing):
            return None  # no rule fired, and no blacklist rule weighs: nothing to log
        counts = part[3 : 3 + nv]
        found = {code: int(n) for (code, _, _), n in zip(ready.wanted, counts, strict=True)}
        return self._judge(self._query, ready.plan, self._clock, found, kept, sale_id)
