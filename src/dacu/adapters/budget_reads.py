"""What finance reads of the budgets: each line's draws, and what each rule spent.

The spend is the funding book's (`ledger`: one row per paid order's share and
per refund's claw-back, naming the rule and the campaign budget that funded
it); a coupon's rows are summed under its template. A rule's results are the
orders it was paid on and their lines' payable amounts (GMV it touched).
"""

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from dacu.adapters.tables import budget_draws, coupons, ledger, orders
from dacu.domain.budget_review import RuleSpend
from dacu.domain.types import Fen

_CHUNK = 500


class SqlBudgetReads:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def drawn(self, keys: Iterable[str]) -> dict[str, tuple[Fen, Fen]]:
        """(drawn, released) per budget id drawn from."""
        wanted = sorted(set(keys))
        found: dict[str, tuple[Fen, Fen]] = {}
        with self._engine.connect() as connection:
            for part in _chunks(wanted):
                rows = connection.execute(
                    select(budget_draws).where(budget_draws.c.campaign_id.in_(part))
                )
                found.update({r.campaign_id: (int(r.drawn), int(r.released)) for r in rows})
        return found

    def spend(
        self, campaign_id: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[RuleSpend]:
        """Each rule's spend from the campaign's budget, booked in [since, until)."""
        rule = func.coalesce(coupons.c.template_id, ledger.c.rule_id)
        query = (
            select(
                rule,
                func.sum(ledger.c.platform),
                func.count(func.distinct(ledger.c.order_id)).filter(ledger.c.refund_id.is_(None)),
            )
            .select_from(ledger.outerjoin(coupons, coupons.c.id == ledger.c.rule_id))
            .where(ledger.c.budget == campaign_id)
            .group_by(rule)
        )
        if since is not None:
            query = query.where(ledger.c.at >= since)
        if until is not None:
            query = query.where(ledger.c.at < until)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
            gmv = _gmv(connection, campaign_id, since, until)
        return [
            RuleSpend(name, int(spent or 0), int(count or 0), gmv.get(name, 0))
            for name, spent, count in sorted(rows, key=lambda r: r[0])
        ]


def _gmv(
    connection: Connection, campaign_id: str, since: datetime | None, until: datetime | None
) -> dict[str, Fen]:
    """The payable amount of the lines each rule applied to, on the orders paid then."""
    paid = (
        select(ledger.c.order_id)
        .where(ledger.c.budget == campaign_id, ledger.c.refund_id.is_(None))
        .distinct()
    )
    if since is not None:
        paid = paid.where(ledger.c.at >= since)
    if until is not None:
        paid = paid.where(ledger.c.at < until)
    order_ids = [row[0] for row in connection.execute(paid)]
    templates: dict[str, str] = {}
    found: dict[str, Fen] = {}
    for part in _chunks(order_ids):
        rows = connection.execute(select(orders.c.document).where(orders.c.id.in_(part)))
        documents = [row[0] for row in rows]
        coupon_ids = {c for d in documents for c in d.get("coupons", ())}
        templates.update(_templates(connection, coupon_ids - templates.keys()))
        for document in documents:
            _add_lines(found, document, templates)
    return found


def _add_lines(found: dict[str, Fen], document: dict[str, Any], templates: dict[str, str]) -> None:
    funders = document.get("funders", {})
    for line in document.get("lines", ()):
        rules = {d["id"] for d in line.get("discounts", ()) if d["id"] in funders}
        for rule in rules:
            name = templates.get(rule, rule)
            found[name] = found.get(name, 0) + int(line["payable"])


def _templates(connection: Connection, coupon_ids: set[str]) -> dict[str, str]:
    found = {}
    for part in _chunks(sorted(coupon_ids)):
        rows = connection.execute(
            select(coupons.c.id, coupons.c.template_id).where(coupons.c.id.in_(part))
        )
        found.update({r.id: r.template_id for r in rows})
    return found


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
