"""Pricing throughput and latency against catalogs of 100 … 100,000 live promotions.

Each cart has 20 lines over 4 shops and a 10-item wallet. The catalog mixes
every kind and scope; most promotions are scoped to SKUs, categories or
shops the cart does not touch, as on a real platform, so the figures show
what the promotions that *reach* a cart cost. Prints a JSON list, one object
per catalog size, measured in this one process pinned to one core.

    python bench/pricing.py [--carts 300] [--sizes 100,1000,10000,100000]
"""

import argparse
import gc
import json
import os
import random
import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dacu.domain import benefits as b
from dacu.domain.cart import Cart, CartLine, Customer
from dacu.domain.pricing import PromotionCatalog, price
from dacu.domain.promotions import Promotion
from dacu.domain.rules import Level, Scope, Window
from dacu.domain.wallet import WalletItem, WalletKind

NOW = datetime(2026, 11, 11, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
SKUS, CATEGORIES, SHOPS = 200_000, 2_000, 5_000
PLATFORM_CATEGORY_RULES = 300


def sku(n: int) -> str:
    return f"K{n}"


def category(n: int) -> str:
    return f"cat{n}"


def shop(n: int) -> str:
    return f"s{n}"


def make_cart(rng: random.Random) -> Cart:
    shops = rng.sample(range(SHOPS), 4)
    lines = []
    for i in range(20):
        n = rng.randrange(SKUS)
        lines.append(
            CartLine(
                sku(n),
                shop(shops[i % 4]),
                rng.randrange(990, 99_900),
                rng.randint(1, 3),
                category(n % CATEGORIES),
            )
        )
    return Cart(tuple({line.sku: line for line in lines}.values()))


def make_wallet(rng: random.Random, cart: Cart) -> list[WalletItem]:
    shops = list(cart.shops)
    expires = NOW + timedelta(days=3)
    wallet = []
    for i in range(7):
        threshold = rng.choice([0, 10_000, 20_000, 50_000, 100_000])
        wallet.append(
            WalletItem(
                f"shop-coupon-{i}",
                WalletKind.COUPON,
                Level.SHOP,
                threshold,
                expires + timedelta(hours=i),
                off=rng.randrange(500, 3_000),
                shop=shops[i % len(shops)],
            )
        )
    for i in range(2):
        wallet.append(
            WalletItem(
                f"platform-coupon-{i}",
                WalletKind.COUPON,
                Level.PLATFORM,
                rng.choice([100_000, 200_000, 300_000]),
                expires,
                off=rng.randrange(5_000, 20_000),
            )
        )
    wallet.append(
        WalletItem("red-packet", WalletKind.RED_PACKET, Level.PLATFORM, 3_000, expires, off=2_000)
    )
    return wallet


def _benefit(rng: random.Random, level: Level) -> b.Benefit:
    if level is Level.ITEM:
        return rng.choice(
            [
                b.PercentOff(rng.randrange(500, 3_000)),
                b.DirectOff(rng.randrange(100, 2_000)),
                b.FlashPrice(rng.randrange(500, 20_000), rng.choice([None, 1, 2])),
                b.MemberPrice({"gold": 1_000}),
            ]
        )
    if rng.random() < 0.6:
        base = rng.choice([10_000, 20_000, 30_000, 50_000])
        return b.ThresholdOff((b.OffTier(base, base // 10), b.OffTier(base * 2, base // 4)))
    return b.ThresholdDiscount((b.RateTier(500, threshold=30_000), b.RateTier(1_000, 60_000)))


def make_catalog(rng: random.Random, size: int, carts: list[Cart]) -> list[Promotion]:
    """`size` live promotions; a handful reach every cart, the rest are spread thin."""
    promotions: list[Promotion] = []
    window = Window(NOW - timedelta(days=1), NOW + timedelta(days=1))
    # Platform-wide rules: the same few whatever the catalog's size.
    promotions.append(
        Promotion(
            "cross-shop",
            Level.PLATFORM,
            b.ThresholdOff((b.OffTier(30_000, 3_000), b.OffTier(100_000, 15_000))),
            window=window,
        )
    )
    promotions.append(
        Promotion(
            "every-300-50",
            Level.PLATFORM,
            b.ThresholdOff((b.OffTier(30_000, 5_000),), repeat=True),
            group="category-tiers",
            window=window,
        )
    )
    # Carts meet item and shop promotions of their own, as on a real 大促 day: as
    # many carts as the catalog's size allows (all of them from 1,000 on).
    for c, cart in enumerate(carts[: min(len(carts), size // 4)]):
        line = cart.lines[c % len(cart.lines)]
        promotions.append(
            Promotion(
                f"own-item-{c}",
                Level.ITEM,
                b.PercentOff(1_500),
                scope=Scope(skus=frozenset({line.sku})),
                window=window,
            )
        )
        promotions.append(
            Promotion(
                f"own-shop-{c}",
                Level.SHOP,
                b.ThresholdOff((b.OffTier(20_000, 2_000), b.OffTier(50_000, 6_000))),
                shop=line.shop,
                window=window,
            )
        )
    # The rest as a platform's catalog is made: merchants' item promotions on their
    # SKUs (直降, 限时折扣, 秒杀) and shop 满减, and the platform's own category
    # promotions — a few hundred at most, however many merchants take part.
    platform_rules = min(size // 20, PLATFORM_CATEGORY_RULES)
    while len(promotions) < size:
        i = len(promotions)
        owner: str | None = None
        if platform_rules and rng.random() < 0.05:
            platform_rules -= 1
            level = Level.PLATFORM
            scope = Scope(categories=frozenset({category(rng.randrange(CATEGORIES))}))
        elif rng.random() < 0.75:
            level = Level.ITEM
            scope = Scope(skus=frozenset(sku(rng.randrange(SKUS)) for _ in range(3)))
        else:
            level, scope, owner = Level.SHOP, Scope(), shop(rng.randrange(SHOPS))
        promotions.append(
            Promotion(f"p{i}", level, _benefit(rng, level), scope=scope, shop=owner, window=window)
        )
    return promotions


def measure(
    size: int,
    carts: list[Cart],
    wallets: list[list[WalletItem]],
    rng: random.Random,
    repeat: int,
) -> dict[str, object]:
    started = time.perf_counter()
    catalog = PromotionCatalog(make_catalog(rng, size, carts))
    built_ms = (time.perf_counter() - started) * 1000
    # A pricing process loads its catalog once and keeps it: move it out of the
    # collector's way, as a long-lived service does after start-up.
    gc.collect()
    gc.freeze()
    customer = Customer("u1", phone_verified=True, member_tier="gold")
    reaching = [len(catalog.reaching(cart)) for cart in carts]
    for cart, wallet in zip(carts[:20], wallets, strict=False):  # warm up
        price(cart, customer, catalog, wallet, NOW)
    latencies: list[float] = []
    rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        for cart, wallet in zip(carts, wallets, strict=True):
            t0 = time.perf_counter_ns()
            price(cart, customer, catalog, wallet, NOW)
            latencies.append((time.perf_counter_ns() - t0) / 1e6)
        rates.append(len(carts) / (time.perf_counter() - started))
    latencies.sort()
    return {
        "promotions": len(catalog),
        "carts": len(carts),
        "wallet_items": len(wallets[0]),
        "cart_lines": len(carts[0].lines),
        "carts_per_s": round(statistics.median(rates), 1),
        "carts_per_s_runs": [round(rate) for rate in rates],
        "p50_ms": round(statistics.median(latencies), 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 3),
        "mean_ms": round(statistics.fmean(latencies), 3),
        "max_ms": round(latencies[-1], 3),
        "reaching_per_cart_median": statistics.median(reaching),
        "catalog_build_ms": round(built_ms, 1),
        "cores": 1,
        "machine_cores": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carts", type=int, default=300)
    parser.add_argument("--sizes", default="100,1000,10000,100000")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the carts")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    rng = random.Random(args.seed)
    carts = [make_cart(rng) for _ in range(args.carts)]
    wallets = [make_wallet(rng, cart) for cart in carts]
    results = [
        measure(int(size), carts, wallets, random.Random(args.seed + int(size)), args.repeat)
        for size in args.sizes.split(",")
    ]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
