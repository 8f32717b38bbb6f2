"""Before the campaign: its file tuned to the crowd, merchants enrolled and reviewed,
stock committed, the flash sale opened — through the same services an operator uses."""

import copy
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dacu.domain.benefits import FlashPrice
from dacu.domain.campaigns import Campaign
from dacu.domain.enrollment import Enrollment, EnrollmentStateError, Ineligible
from dacu.domain.flashsale import FlashSale
from dacu.domain.promotions import Promotion
from dacu.domain.types import FULL_BP
from dacu.services.simulation.catalog import MIN_CUT_BP, PRODUCTS, SHOPS
from dacu.services.simulation.ports import World

ACTOR = "simulator"
REVIEWER = "ops-simulator"
STOCK_COVER = 3  # core SKUs stocked at 3× expected sales (002)
LEAST_STOCK = 30

# What a thousand simulated shoppers bring (measured on runs of 20,000, seed 11).
GMV_PER_1000 = 32_300_000  # fen
PHONE_UNITS_PER_1000 = 41
PLATFORM_SPEND_PER_1000 = 662_000  # fen
# Targets set around those, so a run meets some and misses others as a real one
# would; the budget sized for the platform's spend to end near 88% of it.
GMV_TARGET_BP = 9500
PHONE_TARGET_BP = 11200
CONVERSION_TARGET_BP = 2300  # runs convert about 21.8% of visitors
NEW_USERS_TARGET_BP = 3000  # of the crowd; about 35% of shoppers are new
BUDGET_USE_BP = 8800


def tuned(document: dict[str, Any], customers: int) -> dict[str, Any]:
    """The campaign file with its targets and budget sized for `customers` shoppers."""
    found = copy.deepcopy(document)
    budget = _round(_per(PLATFORM_SPEND_PER_1000, customers) * FULL_BP // BUDGET_USE_BP, 100_00)
    found["targets"] = [
        {"metric": "gmv", "value": _round(_per(GMV_PER_1000, customers, GMV_TARGET_BP), 1000_00)},
        {
            "metric": "sku_units",
            "sku": "P-PHONE",
            "value": max(1, _per(PHONE_UNITS_PER_1000, customers, PHONE_TARGET_BP)),
        },
        {"metric": "new_users", "value": max(1, customers * NEW_USERS_TARGET_BP // FULL_BP)},
        {"metric": "conversion_bp", "value": CONVERSION_TARGET_BP},
    ]
    planned = document.get("budget", {})
    whole = planned.get("total") or 1
    found["budget"] = {
        **planned,
        "total": budget,
        "departments": {  # the file's split between departments, kept
            name: amount * budget // whole
            for name, amount in planned.get("departments", {}).items()
        },
    }
    return found


def _per(per_1000: int, customers: int, share_bp: int = FULL_BP) -> int:
    return per_1000 * customers * share_bp // (1000 * FULL_BP)


def _round(amount: int, unit: int) -> int:
    return max(unit, (amount + unit // 2) // unit * unit)


def flash_sale(campaign: Campaign, customers: int) -> tuple[FlashSale, Promotion] | None:
    """The campaign's flash-price promotion as a flash sale behind the stock gate."""
    for held in campaign.promotions:
        promotion = held.promotion
        benefit, window, skus = promotion.benefit, promotion.window, promotion.scope.skus
        if not isinstance(benefit, FlashPrice) or not skus or len(skus) != 1:
            continue
        if window.starts_at is None or window.ends_at is None:
            continue
        (sku,) = skus
        stock = max(10, customers // 40)
        sale = FlashSale(
            id=promotion.id,
            sku=sku,
            starts_at=window.starts_at,
            ends_at=window.ends_at,
            stock=stock,
            limit_per_user=benefit.limit_per_user or 1,
            price=benefit.price,
            safety_stock=stock // 10,
            title=f"{sku} 整点秒杀",
            campaign_id=campaign.id,
            platform_bp=promotion.platform_bp,
            promotion_id=promotion.id,
        )
        return sale, promotion
    return None


@dataclass
class Preparation:
    applied: int | None = None  # the campaign's new version, None when it stood as it was
    enrolled: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    ineligible: dict[str, list[str]] = field(default_factory=dict)
    restocked: list[str] = field(default_factory=list)


def prepare(
    world: World,
    document: dict[str, Any],
    campaign: Campaign,
    demand: Counter[str],
    sale: FlashSale | None,
    now: datetime,
) -> Preparation:
    """Apply the campaign (unless it stands so already), enroll, review, stock, open the sale."""
    done = Preparation()
    try:
        standing = world.campaigns.document(campaign.id)
    except LookupError:
        standing = None
    if standing != document:
        done.applied = world.campaigns.apply(document, campaign, ACTOR, now).version
    for shop in SHOPS:
        world.enrollments.put_merchant(shop.merchant())
        world.goods.open_shop(shop.in_catalog())
    world.goods.put([product.in_catalog() for product in PRODUCTS])
    _enroll(world, campaign, demand, now + timedelta(days=1), done)
    for product in PRODUCTS:
        available = world.stock.available(product.sku)
        if available is None or available < demand[product.sku]:
            world.stock.set_stock(product.sku, _stock(demand[product.sku]))
            done.restocked.append(product.sku)
    if sale is not None:
        world.flashsales.open(sale)
    return done


def _enroll(
    world: World, campaign: Campaign, demand: Counter[str], now: datetime, done: Preparation
) -> None:
    for product in PRODUCTS:
        if product.campaign_price is None:
            continue
        terms = Enrollment(
            f"sim-{campaign.id}-{product.sku}",
            campaign.id,
            product.shop,
            product.sku,
            product.list_price,
            product.campaign_price,
            _stock(demand[product.sku]),
        )
        try:
            enrolled = world.enrollments.enroll(terms, now).enrollment
        except Ineligible as refused:
            done.ineligible.setdefault(product.shop, refused.reasons)
            continue
        except EnrollmentStateError:
            continue  # enrolled and reviewed by an earlier run
        approve = product.cut_bp >= MIN_CUT_BP
        note = "价格合规" if approve else f"降幅不足 {MIN_CUT_BP // 100}%"
        world.enrollments.review(enrolled.id, approve, REVIEWER, note, now + timedelta(hours=4))
        (done.enrolled if approve else done.rejected).append(product.sku)


def _stock(units: int) -> int:
    return max(LEAST_STOCK, STOCK_COVER * units)
