"""The campaign files and coupon templates `bench/quote.py` applies: bench/pricing.py's
promotions written as campaign files spread over campaigns, and the coupons each
customer holds."""

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench import pricing
from dacu.domain import benefits as b
from dacu.domain.cart import Cart
from dacu.domain.promotions import Promotion

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime.now(ZONE)  # `dacu serve` prices at the real clock: windows are around it
CUSTOMERS = 50


def _promotion(p: Promotion) -> dict[str, Any]:
    """A promotion of bench/pricing.py as a campaign file writes it."""
    found: dict[str, Any] = {"id": p.id, "kind": p.kind.value, "level": p.level.value}
    if p.shop:
        found["shop"] = p.shop
    if p.group:
        found["group"] = p.group
    parts = {"skus": p.scope.skus, "categories": p.scope.categories, "shops": p.scope.shops}
    scope = {key: sorted(values) for key, values in parts.items() if values is not None}
    if scope:
        found["scope"] = scope
    found.update(_benefit(p.benefit))
    assert p.window.starts_at is not None
    assert p.window.ends_at is not None
    found.update(starts_at=p.window.starts_at.isoformat(), ends_at=p.window.ends_at.isoformat())
    return found


def _benefit(benefit: b.Benefit) -> dict[str, Any]:
    match benefit:
        case b.PercentOff(discount_bp=rate):
            return {"discount_bp": rate}
        case b.DirectOff(off=off):
            return {"off": off}
        case b.FlashPrice(price=price, limit_per_user=limit):
            return {"price": price} | ({"limit_per_user": limit} if limit else {})
        case b.MemberPrice(tiers=tiers):
            return {"tiers": dict(tiers)}
        case b.ThresholdOff(tiers=tiers, repeat=repeat):
            return {"tiers": [{"threshold": t.threshold, "off": t.off} for t in tiers]} | (
                {"repeat": True} if repeat else {}
            )
        case b.ThresholdDiscount(tiers=rates):
            return {
                "tiers": [{"discount_bp": t.discount_bp, "threshold": t.threshold} for t in rates]
            }
    raise AssertionError(f"no file form for {benefit}")


def coupons(carts: list[Cart]) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Coupon templates and, per customer, the 10 templates they hold one of each."""
    days = {"days": 7}
    shared = [
        {"id": "plat-0", "name": "平台券", "threshold": 100_000, "off": 10_000},
        {"id": "plat-1", "name": "平台券", "threshold": 200_000, "off": 20_000},
        {"id": "red", "name": "红包", "kind": "red_packet", "threshold": 3_000, "off": 2_000},
    ]
    templates, held = [], []
    for c, cart in enumerate(carts[:CUSTOMERS]):
        shops = sorted(cart.shops)
        own = [
            {"id": f"w{c}-{k}", "name": "店铺券", "level": "shop", "shop": shops[k % len(shops)],
             "threshold": [0, 10_000, 20_000, 50_000][k % 4] + 5_000, "off": 500 + 300 * k}
            for k in range(7)
        ]  # fmt: skip
        templates += own
        held.append([t["id"] for t in own] + [t["id"] for t in shared])
    for template in templates + shared:
        template.update(total_stock=1_000, per_user_limit=1, validity=days)
    return templates + shared, held


def documents(size: int, campaigns: int, carts: list[Cart]) -> list[dict[str, Any]]:
    rng = random.Random(size)
    promotions = pricing.make_catalog(rng, size, carts)
    phase = {"name": "burst", "starts_at": (NOW - timedelta(days=2)).isoformat(),
             "ends_at": (NOW + timedelta(days=2)).isoformat()}  # fmt: skip
    return [
        {"id": f"bench-{c}", "theme": "bench", "owner": "bench", "status": "live",
         "phases": [phase], "budget": {"total": 10**12, "contingency_bp": 500},
         "promotions": [_promotion(p) for p in promotions[c::campaigns]]}
        for c in range(campaigns)
    ]  # fmt: skip
