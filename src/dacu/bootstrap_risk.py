"""The wiring of risk control (plan 004 风险管理, issue 14): `risk_of` gives the
`Platform` fields it makes.

Identity links and their clusters, and the facts rules read (`links_of`). The rules
engine (`services/risk_engine.py`) is the platform's `RiskCheck` (`rules_of`): the
active rules version (the packaged `examples/risk.yaml` until one is applied), its
counters in Redis when configured (SQL otherwise), the blacklist cached in process,
the decisions logged in SQL; the interpreter's switch interval shortened
(`quick_handover`). The review desk (`desk_of`, after the growth services whose
held subjects it releases or refuses).
"""

import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.gates import redis_client
from dacu.adapters.redis_connect import Client
from dacu.adapters.risk_counters import LocalRiskCounters, RedisRiskCounters, SqlRiskCounters
from dacu.adapters.risk_decisions import SqlDecisionLog
from dacu.adapters.risk_desk_reads import SqlEvidence, SqlHeldItems
from dacu.adapters.risk_facts import SqlRiskFacts
from dacu.adapters.risk_link_cache import (
    ClusterCache,
    LocalClusterCache,
    NearClusterCache,
    RedisClusterCache,
)
from dacu.adapters.risk_links import SqlIdentityLinks
from dacu.adapters.risk_review_store import SqlReviewStore
from dacu.adapters.risk_shared import RedisSharedAccounts
from dacu.adapters.risk_store import SqlBlacklist, SqlRuleVersions
from dacu.domain.risk_review import ReviewKind, RiskReviewState
from dacu.schemas.risk_rules import default_document, default_rules, load_rules
from dacu.services.ports.risk_links import IdentityLinks, RiskCounters, RiskFacts
from dacu.services.ports.risk_reviews import Owner
from dacu.services.rebates import RebateService
from dacu.services.rewards import RewardService
from dacu.services.risk_desk import RiskDesk
from dacu.services.risk_engine import RiskEngine
from dacu.services.risk_rules import ActiveRules, ListedCache, RiskRulesAdmin

RISK_REDIS_TIMEOUT_S = 0.25  # a slow Redis answers with the engine's fallback, not a wait
HANDOVER_S = 0.0005  # the interpreter's switch interval once risk control is wired


def quick_handover(seconds: float = HANDOVER_S) -> None:
    """Hand the GIL over every `seconds` (Python's default: 5 ms).

    A decision waits on Redis with the GIL released; a thread working behind (links,
    facts, decisions written to SQL) takes it meanwhile, and the reply, back within
    0.1-0.2 ms, then waits for that thread to give it up — up to the whole switch
    interval. At the default a decision's p99 is the 5 ms interval, not Redis; at
    0.5 ms the waiting thread gets the GIL back within that. Process-wide, and never
    raised here: a shorter interval set by the host stays.
    """
    if sys.getswitchinterval() > seconds:
        sys.setswitchinterval(seconds)


def risk_of(
    engine: Engine,
    redis_url: str | None,
    redis_prefix: str,
    clock: Callable[[], datetime],
) -> dict[str, Any]:
    """Every `Platform` field of risk control: the links and facts, then the engine."""
    fields = links_of(engine, redis_url, redis_prefix, clock)
    links, facts = fields["risk_links"], fields["risk_facts"]
    return fields | rules_of(engine, redis_url, redis_prefix, clock, links, facts)


def links_of(
    engine: Engine,
    redis_url: str | None,
    redis_prefix: str,
    clock: Callable[[], datetime],
) -> dict[str, Any]:
    """`risk_links` (clusters cached in Redis when configured, in the process otherwise)
    and `risk_facts`."""
    cache: ClusterCache = (
        LocalClusterCache()
        if redis_url is None
        else NearClusterCache(RedisClusterCache(redis_client(redis_url), redis_prefix))
    )
    links = SqlIdentityLinks(engine, cache)
    shared = None
    if redis_url is not None:  # accounts behind an identifier counted live
        shared = RedisSharedAccounts(risk_redis(redis_url), redis_prefix)
    facts = SqlRiskFacts(engine, merging=links.merging, shared=shared)
    return {"risk_links": links, "risk_facts": facts}


def risk_redis(redis_url: str) -> Client:
    """A client whose slow answer is the engine's fallback, not a wait."""
    return redis_client(
        redis_url,
        socket_timeout=RISK_REDIS_TIMEOUT_S,
        socket_connect_timeout=RISK_REDIS_TIMEOUT_S,
    )


def counters_of(engine: Engine, redis_url: str | None, redis_prefix: str) -> RiskCounters:
    """Redis's when configured; else SQL's on PostgreSQL, the process's on SQLite."""
    if redis_url is None:
        return LocalRiskCounters() if engine.dialect.name == "sqlite" else SqlRiskCounters(engine)
    return RedisRiskCounters(risk_redis(redis_url), redis_prefix)


def rules_of(
    engine: Engine,
    redis_url: str | None,
    redis_prefix: str,
    clock: Callable[[], datetime],
    links: IdentityLinks,
    facts: RiskFacts,
) -> dict[str, Any]:
    """The rules engine as `risk` (with the links and facts it reads), the rules and
    blacklist kept by the risk role as `risk_rules`, the decisions as `risk_decisions`."""
    quick_handover()  # a decision's reply is not left waiting on a thread working behind
    versions, blacklist, decisions = (
        SqlRuleVersions(engine),
        SqlBlacklist(engine),
        SqlDecisionLog(engine),
    )
    risk = RiskEngine(
        links,
        facts,
        counters_of(engine, redis_url, redis_prefix),
        decisions,
        ActiveRules(versions, load_rules, default_rules()),
        ListedCache(blacklist),
    )
    admin = RiskRulesAdmin(versions, blacklist, load_rules, default_document, clock)
    return {"risk": risk, "risk_rules": admin, "risk_decisions": decisions}


def desk_owners(
    rewards: RewardService, rebates: RebateService, now: Callable[[], datetime]
) -> dict[ReviewKind, Owner]:
    """kind → how its owning service releases or refuses a held subject, by key."""

    def release(key: str, by: str) -> None:
        rewards.release(key, by)

    def refuse(key: str, by: str) -> None:
        rewards.refuse(key, by)

    def rebate(allow: bool) -> Callable[[str, str], None]:
        def decide(key: str, by: str) -> None:
            if not rebates.decide_held(key, allow, now()):
                raise RiskReviewState(f"rebate {key} is not held", "status")

        return decide

    return {
        ReviewKind.REWARD: Owner(release, refuse),
        ReviewKind.REBATE: Owner(rebate(True), rebate(False)),
    }


def desk_of(
    engine: Engine,
    grown: dict[str, Any],
    risking: dict[str, Any],
    clock: Callable[[], datetime],
    ids: Callable[[], str],
) -> dict[str, Any]:
    """`risk_desk`: the review queue over the rules engine's blacklist and decision log,
    the identity links (when wired) and the owners of every held subject."""
    desk = RiskDesk(
        SqlReviewStore(engine),
        SqlBlacklist(engine),
        SqlHeldItems(engine),
        SqlEvidence(engine),
        risking.get("risk_links"),
        desk_owners(grown["rewards"], grown["rebates"], clock),
        clock,
        ids,
    )
    return {"risk_desk": desk}
