"""What the review desk reads of other services' tables: the subjects held for review
today (`HeldItems`, the queue's backfill) and a customer's evidence (`EvidenceReads`):
orders, refunds, rewards, rebates and the rules engine's decisions as a timeline, and
the invite tree below them."""

from typing import Any

from sqlalchemy import Engine, func, literal, select

from dacu.adapters.tables import (
    acquisition_rewards,
    coin_awards,
    orders,
    rebates,
    referrals,
    refunds,
    rewards,
)
from dacu.adapters.tables.risk_deeds import risk_deeds
from dacu.adapters.tables.risk_rules import risk_decisions
from dacu.domain.risk import Action
from dacu.domain.risk_review import Held, ReviewKind
from dacu.services.ports.risk_reviews import Deed, Invitee

HELD = "held"
PAID = ("paid", "refunded")


class SqlHeldItems:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def held(self, limit: int = 5000) -> list[Held]:
        r, b, a, c = rewards.c, rebates.c, acquisition_rewards.c, coin_awards.c
        queries: list[tuple[ReviewKind, Any]] = [
            (ReviewKind.REWARD, select(r.id, r.customer_id, r.campaign_id, r.value,
                                       r.created_at, r.source).where(r.status == HELD)),
            (ReviewKind.REBATE, select(b.key, b.shop, b.campaign_id, b.amount, b.at,
                                       b.reason).where(b.status == HELD)),
            (ReviewKind.ACQUISITION, select(a.key, a.customer_id, a.campaign_id, a.value,
                                            a.at, a.mechanic).where(a.outcome == HELD)),
            (ReviewKind.COIN_AWARD, select(c.key, c.customer_id, c.campaign_id, c.fen, c.at,
                                           c.reason).where(c.status == HELD)),
            *_deeds_held(),
        ]  # fmt: skip
        found: list[Held] = []
        with self._engine.connect() as connection:
            for kind, query in queries:
                for key, who, campaign, amount, at, why in connection.execute(query.limit(limit)):
                    shop = who if kind is ReviewKind.REBATE else ""
                    found.append(Held(kind, key, who, at, int(amount), campaign, why, 0, (), shop))
        return found


class SqlEvidence:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def timeline(self, customer_id: str, limit: int = 100) -> list[Deed]:
        o, f, r, b = orders.c, refunds.c, rewards.c, rebates.c
        with self._engine.connect() as connection:
            deeds = [
                Deed(at, "order", oid, _total(document), status)
                for oid, at, status, document in connection.execute(
                    select(o.id, o.created_at, o.status, o.document)
                    .where(o.customer_id == customer_id)
                    .order_by(o.created_at.desc())
                    .limit(limit)
                )
            ]
            deeds += [
                Deed(at, "refund", rid, int(amount), order_id)
                for rid, at, amount, order_id in connection.execute(
                    select(f.id, f.at, f.amount, f.order_id)
                    .join(orders, orders.c.id == f.order_id)
                    .where(o.customer_id == customer_id)
                    .order_by(f.at.desc())
                    .limit(limit)
                )
            ]
            deeds += [
                Deed(at, f"reward:{source}", rid, int(value), f"{name} · {status}")
                for rid, at, source, value, name, status in connection.execute(
                    select(r.id, r.created_at, r.source, r.value, r.name, r.status)
                    .where(r.customer_id == customer_id)
                    .order_by(r.created_at.desc())
                    .limit(limit)
                )
            ]
            deeds += [
                Deed(at, "rebate", key, int(amount), f"{shop} · {status}")
                for key, at, amount, shop, status in connection.execute(
                    select(b.key, b.at, b.amount, b.shop, b.status)
                    .where(b.customer_id == customer_id)
                    .order_by(b.at.desc())
                    .limit(limit)
                )
            ]
            d = risk_decisions.c
            deeds += [
                Deed(at, f"risk:{verdict}", subject, int(amount), f"{action} · {reason}")
                for at, action, subject, amount, verdict, reason in connection.execute(
                    select(d.at, d.action, d.subject, d.amount, d.verdict, d.reason)
                    .where(d.customer_id == customer_id)
                    .order_by(d.at.desc())
                    .limit(limit)
                )
            ]
        deeds.sort(key=lambda deed: deed.at, reverse=True)
        return deeds[:limit]

    def invitees(self, customer_id: str, depth: int = 3, limit: int = 200) -> list[Invitee]:
        c = referrals.c
        found: list[Invitee] = []
        level, seen = [customer_id], {customer_id}
        with self._engine.connect() as connection:
            for n in range(1, depth + 1):
                if not level or len(found) >= limit:
                    break
                rows = connection.execute(
                    select(c.customer_id, c.referrer, c.at)
                    .where(c.kind == "invite", c.referrer.in_(level))
                    .order_by(c.at, c.customer_id)
                    .limit(limit - len(found))
                ).all()
                paid = _paid(connection, [row[0] for row in rows])
                level = [who for who, _, _ in rows if who not in seen]
                seen.update(level)
                found += [Invitee(who, by, n, at, paid.get(who, 0)) for who, by, at in rows]
        return found

    def identifiers(self, customer_id: str, limit: int = 50) -> list[tuple[str, str]]:
        d = risk_decisions.c
        query = (
            select(d.identity)
            .where(d.customer_id == customer_id)
            .order_by(d.id.desc())
            .limit(limit)
        )
        found: dict[tuple[str, str], None] = {}
        with self._engine.connect() as connection:
            for (identity,) in connection.execute(query):
                if isinstance(identity, dict):
                    found |= {(str(k), str(v)): None for k, v in identity.items() if v}
        return list(found)


def _paid(connection: Any, customers: list[str]) -> dict[str, int]:
    if not customers:
        return {}
    o = orders.c
    query = (
        select(o.customer_id, func.count())
        .where(o.customer_id.in_(customers), o.status.in_(PAID))
        .group_by(o.customer_id)
    )
    return {who: int(n) for who, n in connection.execute(query)}


def _total(document: Any) -> int:
    """What the order's lines ask to be paid, fen."""
    lines = document.get("lines", []) if isinstance(document, dict) else []
    return sum(int(line.get("payable", 0)) for line in lines if isinstance(line, dict))


def _deeds_held() -> list[tuple[ReviewKind, Any]]:
    """The refunds and payouts the risk gate holds for a person (`risk_deeds`)."""
    d = risk_deeds.c
    return [
        (kind, select(d.subject, d.customer_id, literal(""), literal(0), d.at, d.reason).where(
            d.status == HELD, d.action == action.value
        ))
        for kind, action in ((ReviewKind.REFUND, Action.REFUND), (ReviewKind.PAYOUT, Action.PAYOUT))
    ]  # fmt: skip
