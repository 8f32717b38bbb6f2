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

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from dacu.domain.risk import Action, Identity, RiskDecision, RiskQuery, Verdict
from dacu.domain.risk_rules import (
    Blacklisted,
    ClusterSize,
    InviteTree,
    NewAccount,
    Observed,
    RefundRatio,
    Rule,
    RuleSet,
    Scope,
    SharedIdentifier,
    ShopLink,
    Velocity,
    combine,
    evaluate,
)
from dacu.services.ports.risk_links import (
    Cluster,
    DecisionLog,
    IdentityLinks,
    RiskCounters,
    RiskFacts,
)
from dacu.services.risk_rules import ActiveRules, ListedCache

log = logging.getLogger(__name__)

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


def member_of(query: RiskQuery) -> str:
    """Whose deed it is: the buyer (`context["member"]`) behind a shop's rebate, else the
    customer."""
    return query.context.get("member") or query.customer_id


def shops_of(query: RiskQuery) -> tuple[str, ...]:
    """The shops the deed is with: `context["shop"]` (a checkout's shops, comma-separated),
    else the shop paid a rebate or payout."""
    if shops := query.context.get("shop"):
        return tuple(shop for shop in shops.split(",") if shop)
    if query.action in (Action.MERCHANT_REBATE, Action.PAYOUT):
        return (query.customer_id,)
    return ()


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
    _kinds: dict[int, tuple[RuleSet, frozenset[str]]] = field(
        default_factory=dict, repr=False, compare=False
    )  # the kinds of identifier counted live, by rules version

    def assess(self, query: RiskQuery) -> RiskDecision:
        try:
            ruleset = self.rules.current()
            rules = ruleset.of(query.action)
            fired = evaluate(rules, query.action, self._observe(query, rules, ruleset))
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
        try:
            changed(member_of(query), query.at)
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
            if getattr(self.facts, "counts_live", False):
                kinds = self._counted(self.rules.current())
                self.facts.shared_live(subject, identity, kinds)  # type: ignore[attr-defined]
        return True

    def _counted(self, ruleset: RuleSet) -> frozenset[str]:
        """Every kind of identifier a rule of the version counts accounts behind: each
        check adds its account under them, whatever its action weighs."""
        memo = self._kinds.get(0)
        if memo is None or memo[0] is not ruleset:
            kinds = frozenset[str]().union(
                *(r.kinds for r in ruleset.rules if isinstance(r, SharedIdentifier))
            )
            memo = self._kinds[0] = (ruleset, kinds)
        return memo[1]

    def _observe(self, query: RiskQuery, rules: tuple[Rule, ...], ruleset: RuleSet) -> Observed:
        member = member_of(query)
        if query.identity.links():  # written behind: never waited on
            self.links.record(member, query.identity, query.at)
        prefetch = getattr(self.facts, "prefetch", None)
        if prefetch is not None and query.action is not Action.FLASH_ATTEMPT:
            prefetch(member, query.at)  # read behind at first sight (not on the flash path)
        needs = {type(rule) for rule in rules}
        wants_cluster = ClusterSize in needs or any(
            isinstance(r, Velocity) and r.scope is Scope.CLUSTER for r in rules
        )
        live = getattr(self.facts, "counts_live", False)  # counted as asked: nothing to wait on
        if (SharedIdentifier in needs and not live) or ShopLink in needs:
            self.links.settle(member, query.identity)  # read the sightings so far
        cluster = self.links.cluster(member) if wants_cluster else None
        seen: dict[str, object] = {"at": query.at, "amount": query.amount}
        counted = self._counted(ruleset) if live else frozenset[str]()
        seen["counts"], shared = self._count(query, member, cluster, rules, counted)
        if shared is not None:
            seen["shared"] = shared
        if cluster is not None:
            seen |= {"cluster_size": cluster.size, "cluster_first_seen": cluster.first_seen}
        if InviteTree in needs:
            aged = max(r.min_age_days for r in rules if isinstance(r, InviteTree))
            shape = self.facts.invite_shape(member, query.at, aged)
            seen |= {
                "fan_out": shape.fan_out,
                "depth": shape.depth,
                "never_ordered": shape.never_ordered,
                "recent_invites": shape.recent,
                "telling": shape.telling,
            }
        if RefundRatio in needs or any(
            isinstance(r, NewAccount) and query.amount >= r.min_amount for r in rules
        ):  # a new account's rule weighs only rewards worth its minimum
            standing = self.facts.standing(member)
            seen |= {
                "registered_at": standing.registered_at,
                "paid_orders": standing.paid_orders,
                "refunded_orders": standing.refunded_orders,
            }
        if ShopLink in needs:
            shops = [shop for shop in shops_of(query) if shop != member]
            seen["linked_to_shop"] = any(self.facts.linked_to_shop(member, s) for s in shops)
        if Blacklisted in needs:
            listed = self.listed.listed(member, query.identity, query.at)
            if member != query.customer_id:
                listed |= self.listed.listed(query.customer_id, query.identity, query.at)
            seen["listed"] = listed
        return Observed(**seen)  # type: ignore[arg-type]

    def _count(
        self,
        query: RiskQuery,
        member: str,
        cluster: Cluster | None,
        rules: tuple[Rule, ...],
        counted: frozenset[str],
    ) -> tuple[dict[str, int], dict[str, int] | None]:
        """Each velocity rule's count, and the accounts behind the query's identifiers
        when a rule weighs them (None when none does) — with Redis (`counted`: the kinds
        it counts live), one round trip that adds the account under every counted kind."""
        kinds = frozenset[str]().union(*(r.kinds for r in rules if isinstance(r, SharedIdentifier)))
        wanted: list[tuple[str, str, int, int]] = []  # code, key, window, n
        for rule in rules:
            if isinstance(rule, Velocity) and (value := scoped(rule.scope, query, member, cluster)):
                key = f"{rule.code}:{rule.scope.value}:{short(value)}"
                wanted.append((rule.code, key, rule.window_s, 1))
        hits = [(key, window, n) for _, key, window, n in wanted]
        shared: dict[str, int] | None = None
        together = getattr(self.counters, "hit_many_with", None)
        ask = None
        if counted:
            ask = self.facts.shared_ask(member, query.identity, counted | kinds)  # type: ignore[attr-defined]
        if ask is not None and together is not None:  # the counts and the accounts at once
            found, replies = together(hits, query.at, ask.calls)
            shared = ask.answer(replies) if kinds else None
        else:
            found = self._hits(hits, query.at)
            if counted:
                live = self.facts.shared_live(member, query.identity, counted | kinds)  # type: ignore[attr-defined]
                shared = live if kinds else None
            elif kinds:
                shared = self.facts.shared_accounts(query.identity, kinds)
        return {code: int(n) for (code, _, _, _), n in zip(wanted, found, strict=True)}, shared

    def _hits(self, hits: list[tuple[str, int, int]], at: datetime) -> list[int]:
        if not hits:
            return []
        many = getattr(self.counters, "hit_many", None)
        if many is not None:  # one round trip for every window of the check
            return list(many(hits, at))
        return [self.counters.hit(key, window, at, n) for key, window, n in hits]


def short(value: str) -> str:
    """The value as a counter's key holds it: itself, or a digest when long."""
    if len(value) <= 120:
        return value
    return "#" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def scoped(scope: Scope, query: RiskQuery, member: str, cluster: Cluster | None) -> str:
    """The value a velocity rule counts under: the customer, an identifier, the cluster."""
    if scope is Scope.CUSTOMER:
        return member
    if scope is Scope.CLUSTER:
        return cluster.id if cluster is not None else ""
    return str(getattr(query.identity, scope.value))


__all__ = ["RiskEngine", "RuleSet", "on_failure"]
