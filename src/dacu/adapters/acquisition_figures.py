"""One campaign's acquisition figures for the console and the dashboard card."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from dacu.adapters.tables import acquisition_rewards, customers, referrals
from dacu.domain.acquisition import ReferralKind
from dacu.services.ports.acquisition import Figures

TOP = 10
MAX_DEPTH = 64  # an invite chain is followed no further (a cycle cannot form: one referrer)


def figures_of(
    connection: Connection, campaign_id: str, since: datetime, full: bool = True
) -> Figures:
    """The outcomes and new members; with `full`, the inviters, shops and tree depth too."""
    rewards = acquisition_rewards.c
    outcomes: dict[str, dict[str, int]] = {}
    counted = connection.execute(
        select(rewards.mechanic, rewards.outcome, func.count())
        .where(rewards.campaign_id == campaign_id)
        .group_by(rewards.mechanic, rewards.outcome)
    )
    for mechanic, outcome, n in counted:
        outcomes.setdefault(mechanic, {})[outcome] = int(n)
    verified = connection.execute(
        select(func.count()).where(
            customers.c.phone_verified.is_(True), customers.c.registered_at >= since
        )
    ).scalar_one()
    if not full:
        return Figures(outcomes, [], 0, [], 0, int(verified))
    return Figures(
        outcomes=outcomes,
        top_inviters=_by_referrer(connection, campaign_id, ReferralKind.INVITE),
        invitees=_count(connection, campaign_id),
        merchant_signups=_by_referrer(connection, campaign_id, ReferralKind.MERCHANT),
        depth=_depth(connection, campaign_id),
        verified=int(verified),
    )


def _by_referrer(
    connection: Connection, campaign_id: str, kind: ReferralKind, top: int = TOP
) -> list[tuple[str, int]]:
    n = func.count().label("n")
    rows = connection.execute(
        select(referrals.c.referrer, n)
        .where(referrals.c.campaign_id == campaign_id, referrals.c.kind == kind.value)
        .group_by(referrals.c.referrer)
        .order_by(n.desc(), referrals.c.referrer)
        .limit(top)
    )
    return [(str(referrer), int(count)) for referrer, count in rows]


def _count(connection: Connection, campaign_id: str) -> int:
    return int(
        connection.execute(
            select(func.count()).where(
                referrals.c.campaign_id == campaign_id,
                referrals.c.kind == ReferralKind.INVITE.value,
            )
        ).scalar_one()
    )


def _depth(connection: Connection, campaign_id: str) -> int:
    """The longest chain of inviters above any of the campaign's invitees, plus one."""
    rows = connection.execute(
        select(referrals.c.customer_id, referrals.c.referrer).where(
            referrals.c.kind == ReferralKind.INVITE.value
        )
    )
    edges = {str(invitee): str(referrer) for invitee, referrer in rows}
    mine = connection.execute(
        select(referrals.c.customer_id).where(
            referrals.c.campaign_id == campaign_id,
            referrals.c.kind == ReferralKind.INVITE.value,
        )
    ).scalars()
    known: dict[str, int] = {}
    deepest = 0
    for invitee in mine:
        deepest = max(deepest, _chain(str(invitee), edges, known))
    return deepest


def _chain(start: str, edges: dict[str, str], known: dict[str, int]) -> int:
    path: list[str] = []
    at: str | None = start
    while at is not None and at in edges and at not in known and len(path) < MAX_DEPTH:
        path.append(at)
        at = edges[at]
    base = known.get(at, 0) if at is not None else 0
    for depth, member in enumerate(reversed(path), start=1):
        known[member] = base + depth
    return known.get(start, base)
