"""The slower facts risk rules read (`RiskFacts`), from SQL, each kept a few seconds.

- `invite_shape`: the invite tree below a customer from `referrals` (kind "invite"):
  members invited directly, levels below (followed to `MAX_DEPTH`), how many of those
  invited directly never paid an order (no order paid or refunded), and how many were
  invited within the day before `at`.
- `standing`: when the customer registered (`customers`), their orders paid (paid or
  refunded since) and those refunded whole or in part.
- `linked_to_shop`: a shop's own people are the principals of role merchant whose
  shops include it (`principals`, `adapters/principals.py`), by subject, revoked
  tokens too (the person is the same). Their identifiers are those linked under their
  subject, as the merchant console and API link them. A customer is linked to the shop
  when they are one of those people, or share an identifier of a merging kind (a
  device, a payment account, a delivery address, a phone — not an IP) with one.
- `shared_accounts`: how many accounts were seen with the query's device, paying
  account or phone (`risk_values`, hashed as the links hash them), read fresh: one
  primary-key read, and a farm's next account must count the one before.
"""

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Engine, and_, distinct, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from dacu.adapters.risk_links import MERGING
from dacu.adapters.risk_values import stored
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
from dacu.domain.risk import Identity, LinkKind
from dacu.services.ports.risk_links import InviteShape, Standing

FACTS_SECONDS = 2.0  # short: a farm acts within seconds
MAX_DEPTH = 8
_PAID = ("paid", "refunded")  # OrderStatus values of an order once paid
_LOCAL_MAX = 100_000

_DEPTH = text(
    "WITH RECURSIVE tree(id, depth) AS ("
    " SELECT customer_id, 1 FROM referrals WHERE kind = 'invite' AND referrer = :c"
    " UNION ALL"
    " SELECT r.customer_id, tree.depth + 1 FROM referrals r"
    " JOIN tree ON r.kind = 'invite' AND r.referrer = tree.id"
    " WHERE tree.depth < :most)"
    " SELECT max(depth) FROM tree"
)

T = TypeVar("T")


class SqlRiskFacts:
    def __init__(
        self,
        engine: Engine,
        ttl_s: float = FACTS_SECONDS,
        merging: Iterable[LinkKind] = MERGING,
        now: Callable[[], float] = time.monotonic,
        key: bytes = b"",
    ) -> None:
        self._engine, self._ttl, self._now, self._key = engine, ttl_s, now, key
        self._merging = sorted(kind.value for kind in merging)
        self._kept: dict[tuple[str, ...], tuple[float, object]] = {}

    def _cached(self, key: tuple[str, ...], read: Callable[[Connection], T]) -> T:
        found = self._kept.get(key)
        if found is not None and found[0] > self._now():
            return found[1]  # type: ignore[return-value]
        with self._engine.connect() as connection:
            value = read(connection)
        if len(self._kept) >= _LOCAL_MAX:
            self._kept.clear()
        self._kept[key] = (self._now() + self._ttl, value)
        return value

    def invite_shape(self, customer_id: str, at: datetime, aged_days: int = 0) -> InviteShape:
        hour = at.replace(minute=0, second=0, microsecond=0).isoformat()
        return self._cached(
            ("shape", customer_id, hour, str(aged_days)),
            lambda c: _shape(c, customer_id, at, aged_days),
        )

    def standing(self, customer_id: str) -> Standing:
        return self._cached(("standing", customer_id), lambda c: _standing(c, customer_id))

    def shared_accounts(self, identity: Identity, kinds: frozenset[str]) -> dict[str, int]:
        wanted = {
            stored(LinkKind(kind), raw, self._key): kind
            for kind in sorted(kinds)
            if (raw := str(getattr(identity, kind, "") or ""))
        }
        wanted.pop("", None)
        if not wanted:
            return {}
        values = risk_values.c
        query = select(values.kind, values.value, values.accounts).where(
            values.kind.in_(sorted(set(wanted.values()))), values.value.in_(sorted(wanted))
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return {row.kind: int(row.accounts) for row in rows if wanted.get(row.value) == row.kind}

    def linked_to_shop(self, customer_id: str, shop: str) -> bool:
        people = self._cached(("people", shop), lambda c: _people(c, shop))
        if not people:
            return False
        if customer_id in people:
            return True
        return self._cached(
            ("linked", customer_id, shop),
            lambda c: _shares(c, customer_id, people, self._merging),
        )


def _shape(connection: Connection, customer_id: str, at: datetime, aged: int) -> InviteShape:
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


def _standing(connection: Connection, customer_id: str) -> Standing:
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


def _people(connection: Connection, shop: str) -> frozenset[str]:
    rows = connection.execute(
        select(principals.c.subject, principals.c.shops).where(
            principals.c.role == Role.MERCHANT.value
        )
    )
    return frozenset(row.subject for row in rows if shop in (row.shops or ()))


def _shares(
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
