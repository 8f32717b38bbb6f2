"""Risk rules: what each kind of rule looks at, when it fires, and how the rules that
fired make one decision (`RiskDecision`).

A rule applies to a set of actions (`Action`). It fires on what the engine observed
for the query (`Observed`: counts in sliding windows, the cluster, the invite tree,
the customer's standing, blacklist hits) and yields its verdict, its reason code and
its score. The decision: the strongest verdict wins (block > review > allow), its
reason the code of the strongest rule that fired (the highest score among them), its
score the sum of every fired rule's score, capped at 1000. Rules are data: the rules
file (`schemas/risk_rules.py`) builds them, the engine (`services/risk_engine.py`)
feeds them.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from dacu.domain.risk import Action, RiskDecision, Verdict
from dacu.domain.types import Fen

MAX_SCORE = 1000
_RANK = {Verdict.ALLOW: 0, Verdict.REVIEW: 1, Verdict.BLOCK: 2}


class Scope(StrEnum):
    """Whose deeds a velocity rule counts together."""

    CUSTOMER = "customer"
    DEVICE = "device"
    IP = "ip"
    ADDRESS = "address"
    PAYMENT_ACCOUNT = "payment_account"
    PHONE = "phone"
    CLUSTER = "cluster"


class ListKind(StrEnum):
    """What a blacklist entry names."""

    PHONE = "phone"
    DEVICE = "device"
    IP = "ip"
    ADDRESS = "address"
    ACCOUNT = "account"  # a customer (or a shop) id
    PAYMENT_ACCOUNT = "payment_account"


@dataclass(frozen=True, slots=True)
class Observed:
    """What the engine found for one query; a rule reads only its own part (the engine
    fills only what some rule of the action needs)."""

    at: datetime
    amount: Fen = 0
    counts: dict[str, int] = field(default_factory=dict)  # velocity rule code → count
    cluster_size: int = 0
    cluster_first_seen: datetime | None = None
    fan_out: int = 0
    depth: int = 0
    never_ordered: int = 0
    telling: int = 0  # never ordered and aged, or on a shared device or wallet
    recent_invites: int = 0
    registered_at: datetime | None = None
    paid_orders: int = 0
    refunded_orders: int = 0
    linked_to_shop: bool = False
    listed: frozenset[ListKind] = frozenset()  # the kinds the query's identity is listed by
    shared: dict[str, int] = field(default_factory=dict)  # identifier kind → accounts seen


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """What every rule has: a unique code (the reason it gives), the actions it applies
    to, the verdict and score it yields when it fires."""

    code: str
    actions: frozenset[Action]
    verdict: Verdict = Verdict.REVIEW
    score: int = 100

    def applies(self, action: Action) -> bool:
        return action in self.actions

    def fires(self, seen: Observed) -> bool:
        raise NotImplementedError


@dataclass(frozen=True, slots=True, kw_only=True)
class Velocity(Rule):
    """More than `limit` of the actions by one `scope` within `window_s` seconds."""

    scope: Scope
    window_s: int
    limit: int

    def fires(self, seen: Observed) -> bool:
        return seen.counts.get(self.code, 0) > self.limit


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterSize(Rule):
    """The customer's cluster holds at least `min_size` accounts and is younger than
    `max_age_days` (0: any age)."""

    min_size: int
    max_age_days: int = 0

    def fires(self, seen: Observed) -> bool:
        if seen.cluster_size < self.min_size:
            return False
        if not self.max_age_days or seen.cluster_first_seen is None:
            return True
        return seen.at - seen.cluster_first_seen < timedelta(days=self.max_age_days)


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedIdentifier(Rule):
    """The query's device (or paying account, …: `kinds`) has been seen with at least
    `min_accounts` accounts, this one among them: one phone or one wallet behind many
    accounts (一机多号). Unlike a cluster, an address or an IP never counts here unless
    named: a household or an office shares those honestly."""

    kinds: frozenset[str]
    min_accounts: int

    def fires(self, seen: Observed) -> bool:
        return any(seen.shared.get(kind, 0) >= self.min_accounts for kind in self.kinds)


@dataclass(frozen=True, slots=True, kw_only=True)
class InviteTree(Rule):
    """The invite tree below the customer looks like a farm: any threshold reached
    (0: not looked at). `never_ordered` counts only once `fan_out` ≥ `min_invites`."""

    fan_out: int = 0
    depth: int = 0
    never_ordered_bp: int = 0  # of direct invitees, the share that never ordered
    min_invites: int = 5
    recent: int = 0  # invited within a day
    min_age_days: int = 0  # >0: an invitee who never ordered counts once invited this long
    # ago, or at once when seen on a device or wallet shared with another account

    def fires(self, seen: Observed) -> bool:
        if self.fan_out and seen.fan_out >= self.fan_out:
            return True
        if self.depth and seen.depth >= self.depth:
            return True
        if self.recent and seen.recent_invites >= self.recent:
            return True
        if not self.never_ordered_bp or seen.fan_out < max(self.min_invites, 1):
            return False
        never = seen.telling if self.min_age_days else seen.never_ordered
        return never * 10_000 >= self.never_ordered_bp * seen.fan_out


@dataclass(frozen=True, slots=True, kw_only=True)
class NewAccount(Rule):
    """An account younger than `max_age_hours` (or no member at all) gets a reward
    worth at least `min_amount` fen."""

    max_age_hours: int
    min_amount: Fen = 0

    def fires(self, seen: Observed) -> bool:
        if seen.amount < self.min_amount:
            return False
        if seen.registered_at is None:
            return True
        return seen.at - seen.registered_at < timedelta(hours=self.max_age_hours)


@dataclass(frozen=True, slots=True, kw_only=True)
class ShopLink(Rule):
    """The customer shares a device, address or payment account with the shop the
    reward comes from (brushing, 刷单): the query's `context["shop"]`."""

    def fires(self, seen: Observed) -> bool:
        return seen.linked_to_shop


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundRatio(Rule):
    """Refunded orders over paid orders reach `max_ratio_bp`, once `min_paid` orders
    were paid."""

    max_ratio_bp: int
    min_paid: int = 3

    def fires(self, seen: Observed) -> bool:
        if seen.paid_orders < max(self.min_paid, 1):
            return False
        return seen.refunded_orders * 10_000 >= self.max_ratio_bp * seen.paid_orders


@dataclass(frozen=True, slots=True, kw_only=True)
class Blacklisted(Rule):
    """The query's identity is on the blacklist under one of `kinds`."""

    kinds: frozenset[ListKind]

    def fires(self, seen: Observed) -> bool:
        return bool(self.kinds & seen.listed)


@dataclass(frozen=True, slots=True)
class Fired:
    code: str
    verdict: Verdict
    score: int


def evaluate(rules: Sequence[Rule], action: Action, seen: Observed) -> list[Fired]:
    """The rules of `action` that fire on what was observed, in the file's order."""
    return [
        Fired(rule.code, rule.verdict, rule.score)
        for rule in rules
        if rule.applies(action) and rule.fires(seen)
    ]


def combine(fired: Sequence[Fired]) -> RiskDecision:
    """The strongest verdict wins; its reason the strongest rule's code (the highest
    score among those of that verdict, the first on a tie); the score the capped sum."""
    if not fired:
        return RiskDecision(Verdict.ALLOW, "ok", 0)
    strongest = max(fired, key=lambda f: (_RANK[f.verdict], f.score))  # the first of equals
    total = min(sum(max(f.score, 0) for f in fired), MAX_SCORE)
    return RiskDecision(strongest.verdict, strongest.code, total)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The active rules, as one version of the rules file."""

    rules: tuple[Rule, ...]
    version: int = 0  # 0: the packaged defaults, never applied

    def of(self, action: Action) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.applies(action))
