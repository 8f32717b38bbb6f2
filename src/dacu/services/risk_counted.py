"""A check's counts: each velocity rule's window and the accounts behind the query's
identifiers, read for `RiskEngine` (`services/risk_engine.py`) in as few round trips as
the adapters allow."""

from datetime import datetime
from typing import Any

from dacu.domain.risk import RiskQuery
from dacu.services.ports.risk_links import Cluster, RiskCounters, RiskFacts
from dacu.services.risk_plan import Plan, windows


def counted_by(
    query: RiskQuery,
    member: str,
    cluster: Cluster | None,
    plan: Plan,
    counted: frozenset[str],
    *,
    facts: RiskFacts,
    counters: RiskCounters,
    together: Any,
) -> tuple[dict[str, int], dict[str, int] | None]:
    """Each velocity rule's count, and the accounts behind the query's identifiers
    when a rule weighs them (None when none does) — with Redis (`counted`: the kinds
    it counts live), one round trip that adds the account under every counted kind
    (`together`: the counters' script that also counts the accounts, when they have
    one)."""
    kinds = plan.kinds
    wanted = windows(plan, query, member, cluster)
    hits = [(key, window, 1) for _, key, window in wanted]
    shared: dict[str, int] | None = None
    ask = None
    if counted:
        ask = facts.shared_ask(member, query.identity, plan.asked)  # type: ignore[attr-defined]
    if ask is not None and together is not None:  # the counts and the accounts at once
        found, replies = together(hits, query.at, ask.calls)
        answered = ask.answer(replies)  # a floor Redis lacks read behind, weighed or not:
        shared = answered if kinds else None  # a sign-in's leaves its 20:00 attempt quiet
    else:
        found = _hits(counters, hits, query.at)
        if counted:
            live = facts.shared_live(member, query.identity, plan.asked)  # type: ignore[attr-defined]
            shared = live if kinds else None
        elif kinds:
            shared = facts.shared_accounts(query.identity, kinds)
    return {code: int(n) for (code, _, _), n in zip(wanted, found, strict=True)}, shared


def _hits(counters: RiskCounters, hits: list[tuple[str, int, int]], at: datetime) -> list[int]:
    if not hits:
        return []
    many = getattr(counters, "hit_many", None)
    if many is not None:  # one round trip for every window of the check
        return list(many(hits, at))
    return [counters.hit(key, window, at, n) for key, window, n in hits]
