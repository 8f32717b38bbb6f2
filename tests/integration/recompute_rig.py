"""What each shop of a campaign is owed, recomputed from the source tables alone — the
orders and their lines, the refunds, the shipments and SKUs, the ad-spend records, the
penalties and the merchant rebates — and the campaign file's `settlement` policy, with
plain SQL and integer arithmetic; never from the journal nor the statements.

Plan 004's rules, as the spec states them:

- a discount's platform share is owed to the shop of its line when the campaign funds
  it; a category tier's share is 70% (half up) of the line's part of the 满减;
- a refund gives back, per line, floor(share × refunded units / units) of each share;
- a shipment earns the largest `by_size` amount of its lines' size classes when it left
  with a partner carrier within the promise after payment, was delivered, and the shop's
  lines were not all refunded before delivery;
- an ad spend earns floor(spend × rate) cut so the shop's rebates never pass the cap;
- a penalty not withdrawn is deducted; an owed merchant rebate is added.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import chinese_calendar
from sqlalchemy import Connection, text

FULL_BP = 10_000


def _json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value


def _aware(value: datetime | str) -> datetime:
    """A stored time, aware (SQLite keeps UTC as naive text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def policy(connection: Connection, campaign_id: str) -> dict[str, Any]:
    """The campaign file's `settlement` section, as stored."""
    row = connection.execute(
        text("SELECT document FROM campaigns WHERE id = :id"), {"id": campaign_id}
    ).one()
    found: dict[str, Any] = _json(row.document)["settlement"]
    return found


def tier_shares(connection: Connection, campaign_id: str) -> dict[str, int]:
    """Each tiered threshold promotion's platform share (bp), from the file's tiers."""
    document = _json(
        connection.execute(
            text("SELECT document FROM campaigns WHERE id = :id"), {"id": campaign_id}
        ).one()[0]
    )
    tiers = {tier["category"]: tier["platform_bp"] for tier in document["settlement"]["tiers"]}
    found = {}
    for promotion in document["promotions"]:
        categories = promotion.get("scope", {}).get("categories", [])
        if promotion["kind"].startswith("threshold") and categories:
            found[promotion["id"]] = tiers[categories[0]]
    return found


def refunded_units(connection: Connection) -> dict[tuple[str, str], int]:
    rows = connection.execute(text("SELECT order_id, sku, SUM(qty) FROM refunds GROUP BY 1, 2"))
    return {(order_id, sku): int(qty) for order_id, sku, qty in rows}


def subsidies(connection: Connection, campaign_id: str) -> dict[str, int]:
    """Per shop: the campaign-funded platform shares of paid orders, less the refunds'."""
    tiered, back = tier_shares(connection, campaign_id), refunded_units(connection)
    owed: dict[str, int] = defaultdict(int)
    rows = connection.execute(
        text("SELECT id, document FROM orders WHERE status IN ('paid', 'refunded')")
    )
    for order_id, raw in rows:
        document = _json(raw)
        funders = document.get("funders", {})
        for line in document["lines"]:
            units, returned = line["qty"], back.get((order_id, line["sku"]), 0)
            for share in line["discounts"]:
                if share["id"] in tiered:  # the policy's share, not the order's word for it
                    bp = tiered[share["id"]]
                    assert share["platform"] == (share["amount"] * bp + FULL_BP // 2) // FULL_BP
                if funders.get(share["id"]) != campaign_id:
                    continue
                owed[line["shop"]] += share["platform"] - share["platform"] * returned // units
    return dict(owed)


def logistics(connection: Connection, campaign_id: str) -> dict[str, int]:
    """Per shop: the subsidies its delivered shipments earned under the policy."""
    rule = policy(connection, campaign_id)["logistics"]
    sizes = dict(connection.execute(text("SELECT id, size_class FROM skus")).all())
    owed: dict[str, int] = defaultdict(int)
    shipped = connection.execute(
        text(
            "SELECT s.order_id, s.shop, s.carrier, s.paid_at, s.shipped_at, s.delivered_at, "
            "o.document, o.created_at, o.pay_by FROM shipments s JOIN orders o "
            "ON o.id = s.order_id WHERE s.delivered_at IS NOT NULL"
        )
    )
    for order_id, shop, carrier, paid, left, delivered, raw, created, pay_by in shipped:
        paid, left, delivered = _aware(paid), _aware(left), _aware(delivered)
        assert _aware(created) <= paid <= _aware(pay_by)
        if carrier not in rule["carriers"] or left > paid + timedelta(hours=rule["promise_hours"]):
            continue
        lines = [line for line in _json(raw)["lines"] if line["shop"] == shop]
        if _all_back_before(connection, order_id, lines, delivered):
            continue
        amounts = [rule["by_size"].get(sizes.get(line["sku"], ""), 0) for line in lines]
        owed[shop] += max(amounts, default=0)
    return dict(owed)


def _all_back_before(
    connection: Connection, order_id: str, lines: list[dict[str, Any]], moment: datetime
) -> bool:
    back = connection.execute(
        text("SELECT sku, qty, at FROM refunds WHERE order_id = :id"), {"id": order_id}
    ).all()
    returned: dict[str, int] = defaultdict(int)
    for sku, qty, at in back:
        if _aware(at) <= moment:
            returned[sku] += qty
    return all(returned[line["sku"]] >= line["qty"] for line in lines)


def ad_rebates(connection: Connection, campaign_id: str) -> dict[str, int]:
    """Per shop: 15% of each ad spend, in the order recorded, never past the cap."""
    rule = policy(connection, campaign_id)["ad_rebate"]
    owed: dict[str, int] = defaultdict(int)
    rows = connection.execute(
        text("SELECT shop, spend FROM ad_spends WHERE campaign_id = :c ORDER BY at"),
        {"c": campaign_id},
    )
    for shop, spend in rows:
        owed[shop] += min(spend * rule["rate_bp"] // FULL_BP, rule["cap"] - owed[shop])
    return dict(owed)


def penalties(connection: Connection, campaign_id: str) -> dict[str, int]:
    """Per shop: the penalties standing (not withdrawn), as negative amounts owed."""
    rows = connection.execute(
        text(
            "SELECT shop, SUM(amount) FROM penalties WHERE campaign_id = :c "
            "AND status <> 'withdrawn' GROUP BY shop"
        ),
        {"c": campaign_id},
    )
    return {shop: -int(total) for shop, total in rows}


def rebates(connection: Connection, campaign_id: str) -> dict[str, int]:
    """Per shop: plan 000's merchant rebates owed (accrued, or settled by a statement)."""
    rows = connection.execute(
        text(
            "SELECT shop, SUM(amount) FROM rebates WHERE campaign_id = :c "
            "AND status IN ('accrued', 'settled') GROUP BY shop"
        ),
        {"c": campaign_id},
    )
    return {shop: int(total) for shop, total in rows}


def owed(connection: Connection, campaign_id: str) -> dict[str, dict[str, int]]:
    """Per shop and kind (the statement lines' kinds): what the shop is owed."""
    parts = {
        "subsidy": subsidies(connection, campaign_id),
        "logistics": logistics(connection, campaign_id),
        "ad_rebate": ad_rebates(connection, campaign_id),
        "penalty": penalties(connection, campaign_id),
        "rebate": rebates(connection, campaign_id),
    }
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, by_shop in parts.items():
        for shop, amount in by_shop.items():
            if amount:
                found[shop][kind] = amount
    return dict(found)


def working_days_after(end: date, days: int) -> date:
    """The `days`-th Chinese working day after `end` (holidays and 调休 make-up days)."""
    day, counted = end, 0
    while counted < days:
        day += timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    return day
