"""The SQL reads behind the slower facts of risk rules (`adapters/risk_facts.py` keeps
their answers warm): a customer's invite tree and standing, a shop's own people and
whether a customer shares an identifier with them. The trees and standings read again
behind are read many at once (`shapes_many`, `standing_many`): two statements for a
batch of trees, three for a batch of standings, not that many per customer."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

from sqlalchemy import and_, bindparam, distinct, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from dacu.adapters.tables import (
    customers,
    orders,
    principals,
    referrals,
    refunds,
    risk_links,
    risk_values,
)
from dacu.domain.access import Role
from dacu.domain.risk import LinkKind
from dacu.services.ports.risk_links import InviteShape, Standing

MAX_DEPTH = 8
FLOOR_ACCOUNTS = 50  # an identifier's accounts SQL linked, read with its floor when so few
_PAID = ("paid", "refunded")  # OrderStatus values of an order once paid

_DEPTH = text(
    "WITH RECURSIVE tree(id, depth) AS ("
    " SELECT customer_id, 1 FROM referrals WHERE kind = 'invite' AND referrer = :c"
    " UNION ALL"
    " SELECT r.customer_id, tree.depth + 1 FROM referrals r"
    " JOIN tree ON r.kind = 'invite' AND r.referrer = tree.id"
    " WHERE tree.depth < :most)"
    " SELECT max(depth) FROM tree"
)


_DEPTHS = text(
    "WITH RECURSIVE tree(root, id, depth) AS ("
    " SELECT referrer, customer_id, 1 FROM referrals WHERE kind = 'invite' AND referrer IN :roots"
    " UNION ALL"
    " SELECT tree.root, r.customer_id, tree.depth + 1 FROM referrals r"
    " JOIN tree ON r.kind = 'invite' AND r.referrer = tree.id"
    " WHERE tree.depth < :most)"
    " SELECT root, max(depth) FROM tree GROUP BY root"
).bindparams(bindparam("roots", expanding=True))


@dataclass(frozen=True, slots=True)
class TreeRead:
    """How one customer's invite tree is read: as of `at`, invitees telling after `aged`
    days. Alone, a call; many together, `shapes_many`."""

    customer_id: str
    at: datetime
    aged: int

    def __call__(self, connection: Connection) -> InviteShape:
        return shape(connection, self.customer_id, self.at, self.aged)


def shapes_many(connection: Connection, asked: Sequence[TreeRead]) -> dict[TreeRead, InviteShape]:
    """`shape` of many trees in two statements: every direct invitee of the customers
    (with whether they ordered and share a wallet), then each tree's depth."""
    roots = sorted({read.customer_id for read in asked})
    if not roots:
        return {}
    ordered = select(orders.c.id).where(
        orders.c.customer_id == referrals.c.customer_id, orders.c.status.in_(_PAID)
    )
    rows = connection.execute(
        select(
            referrals.c.referrer,
            referrals.c.at,
            ordered.exists().label("ordered"),
            _shares_wallet().label("shares"),
        ).where(referrals.c.kind == "invite", referrals.c.referrer.in_(roots))
    ).all()
    depths: dict[str, int | None] = {}
    for root, depth in connection.execute(_DEPTHS, {"roots": roots, "most": MAX_DEPTH}):
        depths[root] = depth
    invitees: dict[str, list[tuple[datetime, bool, bool]]] = {}
    for row in rows:
        invitees.setdefault(row.referrer, []).append((row.at, bool(row.ordered), bool(row.shares)))
    found = {}
    for read in asked:
        mine = invitees.get(read.customer_id, [])
        day, aged = read.at - timedelta(days=1), read.at - timedelta(days=read.aged)
        never = [(at, shares) for at, did, shares in mine if not did]
        found[read] = InviteShape(
            len(mine),
            int(depths.get(read.customer_id) or 0) if mine else 0,
            len(never),
            sum(1 for at, _, _ in mine if day < at <= read.at),
            sum(1 for at, shares in never if at <= aged or shares),
        )
    return found


def hour_of(at: datetime) -> str:
    """The hour `at` falls in, as a key of the facts kept (asked at every check)."""
    return _hour(at.year, at.month, at.day, at.hour, at.tzinfo)


@lru_cache(maxsize=1024)
def _hour(year: int, month: int, day: int, hour: int, zone: tzinfo | None) -> str:
    return datetime(year, month, day, hour, tzinfo=zone).isoformat()


def shape(connection: Connection, customer_id: str, at: datetime, aged: int) -> InviteShape:
    invited = (referrals.c.kind == "invite") & (referrals.c.referrer == customer_id)
    fan_out, recent = connection.execute(
        select(
            func.count(),
            func.count().filter(referrals.c.at > at - timedelta(days=1), referrals.c.at <= at),
        ).where(invited)
    ).one()
    if not fan_out:
        return InviteShape(0, 0, 0, 0)
    ordered = select(orders.c.id).where(
        orders.c.customer_id == referrals.c.customer_id, orders.c.status.in_(_PAID)
    )
    never, telling = connection.execute(
        select(
            func.count(),
            func.count().filter((referrals.c.at <= at - timedelta(days=aged)) | _shares_wallet()),
        ).where(invited, ~ordered.exists())
    ).one()
    depth = connection.execute(_DEPTH, {"c": customer_id, "most": MAX_DEPTH}).scalar_one()
    return InviteShape(int(fan_out), int(depth or 0), int(never), int(recent), int(telling))


def _shares_wallet() -> ColumnElement[bool]:
    """The invitee was seen on a device or payment account another account was seen on."""
    links, values = risk_links, risk_values
    return (
        select(links.c.value)
        .join(values, and_(values.c.kind == links.c.kind, values.c.value == links.c.value))
        .where(
            links.c.customer_id == referrals.c.customer_id,
            links.c.kind.in_((LinkKind.DEVICE.value, LinkKind.PAYMENT_ACCOUNT.value)),
            values.c.accounts >= 2,
        )
        .exists()
    )


def standing(connection: Connection, customer_id: str) -> Standing:
    """One statement: the registration and both order counts as scalar subqueries."""
    mine = (orders.c.customer_id == customer_id) & orders.c.status.in_(_PAID)
    registered = select(customers.c.registered_at).where(customers.c.id == customer_id)
    paid = select(func.count()).select_from(orders).where(mine)
    refunded = (
        select(func.count(distinct(orders.c.id)))
        .select_from(orders.outerjoin(refunds, refunds.c.order_id == orders.c.id))
        .where(mine, (orders.c.status == "refunded") | refunds.c.id.is_not(None))
    )
    row = connection.execute(
        select(
            registered.scalar_subquery().label("registered"),
            paid.scalar_subquery().label("paid"),
            refunded.scalar_subquery().label("refunded"),
        )
    ).one()
    return Standing(row.registered, int(row.paid or 0), int(row.refunded or 0))


def standing_many(connection: Connection, ids: list[str]) -> dict[str, Standing]:
    """`standing` of many customers in three grouped statements (the reads behind)."""
    wanted = sorted(set(ids))
    mine = orders.c.customer_id.in_(wanted) & orders.c.status.in_(_PAID)
    registered: dict[str, datetime | None] = dict(
        connection.execute(
            select(customers.c.id, customers.c.registered_at).where(customers.c.id.in_(wanted))
        ).all()
    )
    paid: dict[str, int] = dict(
        connection.execute(
            select(orders.c.customer_id, func.count()).where(mine).group_by(orders.c.customer_id)
        ).all()
    )
    refunded: dict[str, int] = dict(
        connection.execute(
            select(orders.c.customer_id, func.count(distinct(orders.c.id)))
            .select_from(orders.outerjoin(refunds, refunds.c.order_id == orders.c.id))
            .where(mine, (orders.c.status == "refunded") | refunds.c.id.is_not(None))
            .group_by(orders.c.customer_id)
        ).all()
    )
    return {
        who: Standing(registered.get(who), int(paid.get(who, 0)), int(refunded.get(who, 0)))
        for who in wanted
    }


def people(connection: Connection, shop: str) -> frozenset[str]:
    rows = connection.execute(
        select(principals.c.subject, principals.c.shops).where(
            principals.c.role == Role.MERCHANT.value
        )
    )
    return frozenset(row.subject for row in rows if shop in (row.shops or ()))


def shares(
    connection: Connection, customer_id: str, people: frozenset[str], kinds: list[str]
) -> bool:
    mine, theirs = risk_links.alias("mine"), risk_links.alias("theirs")
    query = (
        select(mine.c.value)
        .join(theirs, and_(theirs.c.kind == mine.c.kind, theirs.c.value == mine.c.value))
        .where(
            mine.c.customer_id == customer_id,
            mine.c.kind.in_(kinds),
            theirs.c.customer_id.in_(sorted(people)),
        )
        .limit(1)
    )
    return connection.execute(query).first() is not None


def accounts_counted(connection: Connection, wanted: dict[str, str]) -> dict[str, int]:
    """How many accounts SQL linked to each stored identifier (value → kind) it saw."""
    values = risk_values.c
    query = select(values.kind, values.value, values.accounts).where(*_values_of(wanted))
    rows = connection.execute(query)
    return {row.value: int(row.accounts) for row in rows if wanted.get(row.value) == row.kind}


def floors_of(
    connection: Connection, wanted: dict[str, str]
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """How many accounts SQL linked to each stored identifier (value → kind; 0 for one
    it never saw), and the accounts themselves of those it links few to (up to
    `FLOOR_ACCOUNTS`): one statement. Redis holds them with its own, so its count is of
    both (an identifier counted past them is floored by SQL's count, beyond any rule's
    reach)."""
    values, links = risk_values.c, risk_links.c
    few = and_(
        links.kind == values.kind, links.value == values.value, values.accounts <= FLOOR_ACCOUNTS
    )
    query = (
        select(values.kind, values.value, values.accounts, links.customer_id)
        .select_from(risk_values.outerjoin(risk_links, few))
        .where(*_values_of(wanted))
    )
    counts, accounts = dict.fromkeys(wanted, 0), dict[str, list[str]]()
    for row in connection.execute(query):
        if wanted.get(row.value) == row.kind:
            counts[row.value] = int(row.accounts)
            if row.customer_id is not None:
                accounts.setdefault(row.value, []).append(row.customer_id)
    return counts, accounts


def _values_of(wanted: dict[str, str]) -> tuple[ColumnElement[bool], ...]:
    """`risk_values`' rows of the stored identifiers asked (value → kind), a few more
    at most (a value of another kind: the callers match the kind)."""
    values = risk_values.c
    return values.kind.in_(sorted(set(wanted.values()))), values.value.in_(sorted(wanted))
