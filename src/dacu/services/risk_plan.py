"""What an action's active rules need observed, worked out once per rules version
(`Plan`), and the velocity counters' keys of a query.

The engine asks the plan, not the rules, on every check: which windows to count,
which identifiers' accounts to count, whether the cluster, the invite tree, the
customer's standing, a shop link or the blacklist is weighed — so a check walks the
rules only when their version changes.
"""

import hashlib
from dataclasses import dataclass, field

from dacu.domain.risk import Action, RiskQuery, Verdict
from dacu.domain.risk_rules import (
    Blacklisted,
    ClusterSize,
    InviteTree,
    NewAccount,
    RefundRatio,
    Rule,
    RuleSet,
    Scope,
    SharedIdentifier,
    ShopLink,
    Velocity,
)
from dacu.services.ports.risk_links import Cluster

NEVER = 1 << 62  # an amount no reward reaches: the standing is never read


@dataclass(frozen=True, slots=True)
class Plan:
    """One action's rules of one version, and what they weigh."""

    rules: tuple[Rule, ...]
    velocity: tuple[Velocity, ...]
    kinds: frozenset[str]  # identifiers whose accounts a rule weighs
    cluster: bool  # a rule weighs the cluster (its size, or a velocity over it)
    shared: bool  # a rule weighs the accounts behind an identifier
    shop: bool  # a rule weighs a link to the deed's shop
    invite_age: int | None  # the invite-tree rules' longest age, None when none weighs it
    standing_from: int  # the smallest amount for which the standing is read (NEVER: none)
    listed: bool  # a rule weighs the blacklist
    asked: frozenset[str] = frozenset()  # identifiers counted live (the version's) and weighed
    limits: dict[str, tuple[int, int]] = field(default_factory=dict)  # window code → limit,
    # whether it blocks (1) or not (0)
    least: dict[str, int] = field(default_factory=dict)  # identifier kind → accounts at which
    # a rule fires
    blocking: dict[str, int] = field(default_factory=dict)  # … at which a block rule fires
    listing: bool = False  # a blacklist rule that does not block

    @property
    def plain(self) -> bool:
        """Nothing weighed but the windows, the identifiers' accounts and the blacklist:
        the check needs one round trip and memory."""
        return not (self.cluster or self.shop or self.invite_age is not None) and (
            self.standing_from == NEVER
        )


def plan_of(ruleset: RuleSet, action: Action) -> Plan:
    rules = ruleset.of(action)
    counted = frozenset[str]().union(
        *(r.kinds for r in ruleset.rules if isinstance(r, SharedIdentifier))
    )
    least: dict[str, int] = {}
    blocking: dict[str, int] = {}
    for shared in rules:
        if isinstance(shared, SharedIdentifier):
            for kind in shared.kinds:
                least[kind] = min(least.get(kind, shared.min_accounts), shared.min_accounts)
                if shared.verdict is Verdict.BLOCK:
                    n = blocking.get(kind, shared.min_accounts)
                    blocking[kind] = min(n, shared.min_accounts)
    velocity = tuple(r for r in rules if isinstance(r, Velocity))
    kinds = frozenset[str]().union(*(r.kinds for r in rules if isinstance(r, SharedIdentifier)))
    invite = [r.min_age_days for r in rules if isinstance(r, InviteTree)]
    standing = [0 for r in rules if isinstance(r, RefundRatio)]
    standing += [r.min_amount for r in rules if isinstance(r, NewAccount)]
    return Plan(
        rules=rules,
        velocity=velocity,
        kinds=kinds,
        cluster=any(isinstance(r, ClusterSize) for r in rules)
        or any(r.scope is Scope.CLUSTER for r in velocity),
        shared=any(isinstance(r, SharedIdentifier) for r in rules),
        shop=any(isinstance(r, ShopLink) for r in rules),
        invite_age=max(invite) if invite else None,
        standing_from=min(standing, default=NEVER),
        listed=any(isinstance(r, Blacklisted) for r in rules),
        asked=counted | kinds,
        limits={r.code: (r.limit, int(r.verdict is Verdict.BLOCK)) for r in velocity},
        least=least,
        blocking=blocking,
        listing=any(isinstance(r, Blacklisted) and r.verdict is not Verdict.BLOCK for r in rules),
    )


class Plans:
    """Each action's plan, for the rules version it was worked out for."""

    def __init__(self) -> None:
        self._ruleset: RuleSet | None = None
        self._plans: dict[Action, Plan] = {}
        self._counted: frozenset[str] = frozenset()

    def of(self, ruleset: RuleSet, action: Action) -> Plan:
        if ruleset is not self._ruleset:
            self._moved(ruleset)
        found = self._plans.get(action)
        if found is None:
            found = self._plans[action] = plan_of(ruleset, action)
        return found

    def counted(self, ruleset: RuleSet) -> frozenset[str]:
        """Every kind of identifier a rule of the version counts accounts behind."""
        if ruleset is not self._ruleset:
            self._moved(ruleset)
        return self._counted

    def _moved(self, ruleset: RuleSet) -> None:
        self._plans = {}
        self._counted = frozenset[str]().union(
            *(r.kinds for r in ruleset.rules if isinstance(r, SharedIdentifier))
        )
        self._ruleset = ruleset


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


def windows(
    plan: Plan, query: RiskQuery, member: str, cluster: Cluster | None
) -> list[tuple[str, str, int]]:
    """Each velocity rule's (code, counter key, window) for the query; a rule whose
    scope the query lacks counts nothing."""
    found = []
    for rule in plan.velocity:
        if value := scoped(rule.scope, query, member, cluster):
            found.append(
                (rule.code, f"{rule.code}:{rule.scope.value}:{short(value)}", rule.window_s)
            )
    return found


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
