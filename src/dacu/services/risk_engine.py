"""The rules engine: the platform's `RiskCheck` once risk control is wired.

For a query it records what the customer was seen with (`IdentityLinks.record`,
written behind: a decision never waits on a SQL write), counts the deed in each
velocity rule's sliding window (one round trip), reads the cluster and the slower
facts only when a rule of the action needs them, evaluates the active rules
(`domain/risk_rules.py`), logs every decision that is not a plain allow (behind) and
returns. `known` answers from memory alone, for the flash hot path.

When storage fails it never raises: a reward is held for review ("risk_unavailable"),
a purchase, sign-up or sign-in goes through — a customer's own money is never
refused for want of the risk store, a reward waits until someone looks.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

from dacu.domain.risk import Action, Identity, RiskDecision, RiskQuery, Verdict
from dacu.domain.risk_rules import (
    Blacklisted,
    ListKind,
    Observed,
    Rule,
    RuleSet,
    combine,
    evaluate,
)
from dacu.services.ports.flash import CheckedTerms
from dacu.services.ports.risk_links import (
    DecisionLog,
    IdentityLinks,
    RiskCounters,
    RiskFacts,
)
from dacu.services.risk_checked import CheckMemo, Prepared, Terms, prepared
from dacu.services.risk_counted import counted_by
from dacu.services.risk_fallback import CHANGING, UNAVAILABLE, on_failure
from dacu.services.risk_plan import Plan, Plans, member_of, shops_of, windows
from dacu.services.risk_rules import ActiveRules, ListedCache

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RiskEngine:
    """`RiskCheck` over the active rules; see the module's docstring."""

    links: IdentityLinks
    facts: RiskFacts
    counters: RiskCounters
    decisions: DecisionLog
    rules: ActiveRules
    listed: ListedCache
    failure: Callable[[Action], RiskDecision] = on_failure
    _lists: dict[Action, tuple[RuleSet, tuple[Rule, ...], bool]] = field(
        default_factory=dict, repr=False, compare=False
    )  # an action's blacklist rules, and whether they are all its rules, by rules version
    _plans: Plans = field(default_factory=Plans, repr=False, compare=False)
    _live: bool = field(default=False, init=False, repr=False, compare=False)
    _prefetch: Callable[[str, datetime, bool], object] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _together: Callable[..., tuple[list[int], list[object]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _one_server: bool = field(default=False, init=False, repr=False, compare=False)
    _memo: CheckMemo = field(default_factory=CheckMemo, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # the adapters' optional powers, looked up once
        found = object.__setattr__
        found(self, "_live", bool(getattr(self.facts, "counts_live", False)))
        found(self, "_prefetch", getattr(self.facts, "prefetch", None))
        together = getattr(self.counters, "hit_many_seen", None)  # one script on one server
        found(self, "_together", together or getattr(self.counters, "hit_many_with", None))
        keyed = getattr(self.counters, "key_of", None) is not None  # the gate's step counts
        found(self, "_one_server", keyed and bool(getattr(self.counters, "one_server", False)))

    def assess(self, query: RiskQuery) -> RiskDecision:
        try:
            ruleset = self.rules.current()
            plan = self._plans.of(ruleset, query.action)
            fired = evaluate(plan.rules, query.action, self._observe(query, plan, ruleset))
            decision = combine(fired)
        except Exception:  # storage down or slow: the documented fallback, never a raise
            log.exception("risk check failed for %s", query.action)
            decision, fired = self.failure(query.action), []
        if query.action in CHANGING:
            self._changed(query)
        if decision.verdict is not Verdict.ALLOW or decision.reason != "ok":
            self._record(query, decision, [f.code for f in fired])
        return decision

    def known(self, query: RiskQuery) -> RiskDecision | None:
        """What memory alone tells of the deed — the blacklist as this process holds it, no
        storage read — when the action's rules are all blacklists (its identity then
        recorded behind) or they block; None when only `assess` can tell. The flash hot
        path's first look."""
        ruleset = self.rules.kept()
        memo = self._lists.get(query.action)
        if memo is None or memo[0] is not ruleset:
            rules = ruleset.of(query.action)
            lists: tuple[Rule, ...] = tuple(r for r in rules if isinstance(r, Blacklisted))
            memo = self._lists[query.action] = (ruleset, lists, len(lists) == len(rules))
        _, lists, complete = memo
        if lists and (blocked := self._listed_block(query, lists)) is not None:
            return blocked
        if not complete:
            return None
        if query.identity.links():
            self.links.record(member_of(query), query.identity, query.at)
        return RiskDecision(Verdict.ALLOW, "ok", 0)

    def checked(
        self, query: RiskQuery, clock: Callable[[], datetime] | None = None
    ) -> CheckedTerms | None:
        """The check as terms the flash gate's step carries (`services/risk_checked.py`):
        None when the action's rules weigh more than that step tells, or the counters are
        not on one Redis server with it — the caller then asks `assess`. A buyer's check
        on one identity is prepared once per rules version; its terms serve the buyer's
        later attempts on that identity, in any sale, as they are (a decision judged at
        `clock`'s time, for the sale the step answered), until `stamp` moves."""
        if not self._one_server:
            return None  # a Redis Cluster: the check's keys live outside the sale's slot
        member = member_of(query)
        try:
            ruleset = self.rules.kept()
            plan = self._plans.of(ruleset, query.action)
            if not (self._live and plan.plain):
                return None
            key = (query.action, member, query.identity)
            ready = self._memo.get(ruleset, key, partial(self._prepare, query, plan, member))
        except Exception:
            log.exception("risk terms not made for %s", query.action)
            return None
        if ready is None:
            return None
        if query.identity.links():  # written behind: never waited on
            self.links.record(member, query.identity, query.at)
        return Terms(ready, self._judged, query, clock)

    def stamp(self) -> tuple[object, int]:
        """What the answers from memory (`known`) and the terms (`checked`) stand on: the
        rules version and the blacklist's as this process holds them."""
        return self.rules.kept(), self.listed.version

    def reread(self) -> None:
        """The rules and the blacklist read again when due (the flash screen's, behind)."""
        self.rules.current()
        self.listed.reread()

    def _prepare(self, query: RiskQuery, plan: Plan, member: str) -> Prepared | None:
        ask = self.facts.shared_ask(member, query.identity, plan.asked)  # type: ignore[attr-defined]
        if ask is None:
            return None
        wanted = windows(plan, query, member, None)
        key_of = self.counters.key_of  # type: ignore[attr-defined]
        keys = [key_of(key) for _, key, _ in wanted]
        return prepared(plan, wanted, keys, ask, self._memo.tails)

    def _judged(
        self,
        query: RiskQuery,
        plan: Plan,
        clock: Callable[[], datetime] | None,
        counts: dict[str, int],
        shared: dict[str, int] | None,
        subject: str,
    ) -> RiskDecision:
        """The decision on counts the gate's step answered for an attempt on `subject` (at
        `clock`'s time): every rule of the action, the blacklist as this process holds
        it; logged as `assess` logs."""
        query = replace(query, subject=subject, at=query.at if clock is None else clock())
        try:
            listed = self._listed(query, member_of(query)) if plan.listed else frozenset()
            seen = Observed(query.at, query.amount, counts, shared=shared or {}, listed=listed)
            fired = evaluate(plan.rules, query.action, seen)
            decision = combine(fired)
        except Exception:
            log.exception("risk check failed for %s", query.action)
            decision, fired = self.failure(query.action), []
        if decision.verdict is not Verdict.ALLOW or decision.reason != "ok":
            self._record(query, decision, [f.code for f in fired])
        return decision

    def _listed_block(self, query: RiskQuery, lists: tuple[Rule, ...]) -> RiskDecision | None:
        member = member_of(query)
        listed = self.listed.listed(member, query.identity, query.at, reread=False)
        if member != query.customer_id:
            listed |= self.listed.listed(query.customer_id, query.identity, query.at, False)
        if not listed:
            return None
        fired = evaluate(lists, query.action, Observed(query.at, query.amount, listed=listed))
        decision = combine(fired)
        if decision.verdict is not Verdict.BLOCK:
            return None
        self._record(query, decision, [f.code for f in fired])
        return decision

    def _changed(self, query: RiskQuery) -> None:
        """The facts the deed changes read again behind: an invite reward follows a new
        invitee (the inviter's tree), a sign-up, payment or refund the standing."""
        changed = getattr(self.facts, "changed", None)
        if changed is None:
            return
        tree = query.action is Action.INVITE_REWARD  # a new invitee; else the standing
        try:
            changed(member_of(query), query.at, standing=not tree, tree=tree)
        except Exception:
            log.exception("risk facts not refreshed after %s", query.action)

    def _record(self, query: RiskQuery, decision: RiskDecision, codes: list[str]) -> None:
        try:
            self.decisions.record(query, decision, codes)
        except Exception:
            log.exception("risk decision not logged for %s", query.action)

    def seen(self, subject: str, identity: Identity, at: datetime) -> bool:
        """Someone seen asking for nothing (a merchant's own request): linked behind and,
        with Redis, counted at once under the identifiers counted live."""
        if identity.links():
            self.links.record(subject, identity, at)
            if self._live:
                kinds = self._plans.counted(self.rules.current())
                self.facts.shared_live(subject, identity, kinds)  # type: ignore[attr-defined]
        return True

    def _observe(self, query: RiskQuery, plan: Plan, ruleset: RuleSet) -> Observed:
        member = member_of(query)
        if query.identity.links():  # written behind: never waited on
            self.links.record(member, query.identity, query.at)
        facts = self.facts
        if self._prefetch is not None:  # read behind at first sight; a flash-first buyer's
            # standing only (one batched read), not the tree: later deeds find it kept
            self._prefetch(member, query.at, query.action is not Action.FLASH_ATTEMPT)
        live = self._live  # counted as asked: nothing to wait on
        if (plan.shared and not live) or plan.shop:
            self.links.settle(member, query.identity)  # read the sightings so far
        cluster = self.links.cluster(member) if plan.cluster else None
        counted = self._plans.counted(ruleset) if live else frozenset[str]()
        counts, shared = counted_by(
            query,
            member,
            cluster,
            plan,
            counted,
            facts=self.facts,
            counters=self.counters,
            together=self._together,
        )
        seen: dict[str, object] = {"at": query.at, "amount": query.amount, "counts": counts}
        if shared is not None:
            seen["shared"] = shared
        if cluster is not None:
            seen |= {"cluster_size": cluster.size, "cluster_first_seen": cluster.first_seen}
        if plan.invite_age is not None:
            shape = facts.invite_shape(member, query.at, plan.invite_age)
            seen |= {
                "fan_out": shape.fan_out,
                "depth": shape.depth,
                "never_ordered": shape.never_ordered,
                "recent_invites": shape.recent,
                "telling": shape.telling,
            }
        if query.amount >= plan.standing_from:  # a new account's rule weighs only rewards
            standing = facts.standing(member)  # worth its minimum
            seen |= {
                "registered_at": standing.registered_at,
                "paid_orders": standing.paid_orders,
                "refunded_orders": standing.refunded_orders,
            }
        if plan.shop:
            shops = [shop for shop in shops_of(query) if shop != member]
            seen["linked_to_shop"] = any(facts.linked_to_shop(member, s) for s in shops)
        if plan.listed:
            seen["listed"] = self._listed(query, member)
        return Observed(**seen)  # type: ignore[arg-type]

    def _listed(self, query: RiskQuery, member: str) -> frozenset[ListKind]:
        listed = self.listed.listed(member, query.identity, query.at)
        if member != query.customer_id:
            listed |= self.listed.listed(query.customer_id, query.identity, query.at)
        return listed


__all__ = ["UNAVAILABLE", "RiskEngine", "RuleSet", "on_failure"]
