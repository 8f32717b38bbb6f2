"""Small builders and hypothesis strategies for pricing tests (pure, no I/O)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from dacu.domain import benefits as b
from dacu.domain.cart import Cart, CartLine, CartMode, Customer
from dacu.domain.promotions import Promotion
from dacu.domain.rules import EVERYTHING, Level, Scope
from dacu.domain.wallet import WalletItem, WalletKind

NOW = datetime(2026, 11, 11, 0, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
LATER = NOW + timedelta(days=19)
SHOPS = ("s1", "s2", "s3")
CATEGORIES = ("apparel", "digital", "food")

CUSTOMER = Customer("u1", phone_verified=True)


def line(sku: str, price: int, qty: int = 1, shop: str = "s1", category: str = "apparel"):
    return CartLine(sku, shop, price, qty, category)


def cart(*lines: CartLine, mode: CartMode = CartMode.NORMAL) -> Cart:
    return Cart(tuple(lines), mode)


def threshold_off(pid: str, *tiers: tuple[int, int], level=Level.PLATFORM, shop=None, **kw):
    benefit = b.ThresholdOff(tuple(b.OffTier(t, o) for t, o in tiers), kw.pop("repeat", False))
    return Promotion(pid, level, benefit, shop=shop, **kw)


def coupon(cid: str, threshold: int, off: int, shop: str | None = None, expires=LATER, **kw):
    level = Level.SHOP if shop else Level.PLATFORM
    return WalletItem(cid, WalletKind.COUPON, level, threshold, expires, off=off, shop=shop, **kw)


def red_packet(rid: str, threshold: int, off: int, expires=LATER, **kw):
    return WalletItem(rid, WalletKind.RED_PACKET, Level.PLATFORM, threshold, expires, off=off, **kw)


# --- strategies --------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=60_000)
rates = st.integers(min_value=0, max_value=10_000)


@st.composite
def carts(draw, max_lines: int = 5) -> Cart:
    count = draw(st.integers(min_value=1, max_value=max_lines))
    lines = [
        CartLine(
            f"K{i}",
            draw(st.sampled_from(SHOPS)),
            draw(st.integers(min_value=0, max_value=50_000)),
            draw(st.integers(min_value=1, max_value=4)),
            draw(st.sampled_from(CATEGORIES)),
        )
        for i in range(count)
    ]
    return Cart(tuple(lines), draw(st.sampled_from(CartMode)))


@st.composite
def off_tiers(draw, max_tiers: int = 3) -> tuple[b.OffTier, ...]:
    thresholds = sorted(draw(st.sets(st.integers(1, 200_000), min_size=1, max_size=max_tiers)))
    offs = sorted(
        draw(st.sets(st.integers(1, 30_000), min_size=len(thresholds), max_size=len(thresholds)))
    )
    return tuple(
        b.OffTier(t, min(o, t - 1))
        for t, o in zip(thresholds, offs, strict=True)
        if min(o, t - 1) > 0
    ) or (b.OffTier(10_000, 1_000),)


def _order_scope(draw, whole_shops: bool) -> Scope:
    """Order-level scopes; `whole_shops` keeps every eligible set a union of whole shops."""
    choices = ["all", "shops"] if whole_shops else ["all", "shops", "categories", "skus"]
    kind = draw(st.sampled_from(choices))
    if kind == "shops":
        return Scope(shops=frozenset(draw(st.sets(st.sampled_from(SHOPS), min_size=1))))
    if kind == "categories":
        return Scope(categories=frozenset(draw(st.sets(st.sampled_from(CATEGORIES), min_size=1))))
    if kind == "skus":
        return Scope(skus=frozenset(draw(st.sets(st.sampled_from(["K0", "K1", "K2"]), min_size=1))))
    return EVERYTHING


@st.composite
def promotions(draw, whole_shops: bool = False, max_size: int = 6) -> list[Promotion]:
    found: list[Promotion] = []
    for i in range(draw(st.integers(0, max_size))):
        pid = f"p{i}"
        kind = draw(st.sampled_from(["item", "threshold", "discount", "bundle", "first"]))
        funding = draw(st.none() | rates)
        if kind == "item":
            benefit = draw(
                st.sampled_from(["flash", "percent", "direct", "member", "group"]).map(lambda k: k)
            )
            made: b.Benefit
            if benefit == "flash":
                made = b.FlashPrice(draw(amounts), draw(st.none() | st.integers(1, 3)))
            elif benefit == "percent":
                made = b.PercentOff(draw(rates))
            elif benefit == "direct":
                made = b.DirectOff(draw(amounts))
            elif benefit == "member":
                made = b.MemberPrice({"gold": draw(rates)})
            else:
                made = b.GroupPrice(draw(amounts))
            scope = draw(
                st.sampled_from(
                    [
                        EVERYTHING,
                        Scope(skus=frozenset({"K0", "K2"})),
                        Scope(categories=frozenset({"food"})),
                    ]
                )
            )
            found.append(Promotion(pid, Level.ITEM, made, scope=scope, funding_bp=funding))
        elif kind in ("threshold", "discount"):
            level = draw(st.sampled_from([Level.SHOP, Level.PLATFORM]))
            shop = draw(st.sampled_from(SHOPS)) if level is Level.SHOP else None
            if kind == "threshold":
                repeat = draw(st.booleans())
                tiers = draw(off_tiers(1 if repeat else 3))
                made = b.ThresholdOff(tiers, repeat, draw(st.none() | amounts) if repeat else None)
            else:
                bps = sorted(draw(st.sets(st.integers(1, 10_000), min_size=1, max_size=3)))
                by_qty = draw(st.booleans())
                needs = sorted(
                    draw(st.sets(st.integers(1, 100_000), min_size=len(bps), max_size=len(bps)))
                )
                made = b.ThresholdDiscount(
                    tuple(
                        b.RateTier(
                            bp, threshold=0 if by_qty else n, min_qty=n % 8 + i * 8 if by_qty else 0
                        )
                        for i, (bp, n) in enumerate(zip(bps, needs, strict=True))
                    ),
                    by_qty,
                    draw(st.none() | amounts),
                )
            scope = (
                EVERYTHING
                if level is Level.SHOP and whole_shops
                else _order_scope(draw, whole_shops)
            )
            group = (
                draw(st.none() | st.sampled_from(["g1", "g2"])) if level is Level.PLATFORM else None
            )
            found.append(
                Promotion(pid, level, made, scope=scope, shop=shop, group=group, funding_bp=funding)
            )
        elif kind == "bundle":
            shop = draw(st.sampled_from(SHOPS))
            skus = tuple(
                draw(
                    st.lists(
                        st.sampled_from(["K0", "K1", "K2", "K3"]),
                        min_size=1,
                        max_size=3,
                        unique=True,
                    )
                )
            )
            found.append(Promotion(pid, Level.SHOP, b.Bundle(skus, draw(amounts)), shop=shop))
        else:
            threshold = draw(st.integers(0, 60_000))
            off = draw(st.integers(0, max(0, threshold - 1))) if threshold else draw(amounts)
            found.append(Promotion(pid, Level.PLATFORM, b.FirstOrderOff(threshold, off)))
    return found


@st.composite
def wallets(draw, whole_shops: bool = False, max_size: int = 6) -> list[WalletItem]:
    found: list[WalletItem] = []
    for i in range(draw(st.integers(0, max_size))):
        kind = draw(st.sampled_from(["shop", "platform", "packet"]))
        expires = NOW + timedelta(hours=draw(st.integers(-2, 48)))
        threshold = draw(st.integers(0, 80_000))
        off = (
            draw(st.integers(1, max(1, threshold - 1)))
            if threshold > 1
            else draw(st.integers(1, 20_000))
        )
        if threshold and off >= threshold:
            threshold = off + 1
        scope = EVERYTHING if whole_shops or kind == "shop" else _order_scope(draw, False)
        not_first = draw(st.booleans())
        if kind == "shop":
            shop = draw(st.sampled_from(SHOPS))
            if draw(st.booleans()):
                found.append(
                    WalletItem(
                        f"c{i}",
                        WalletKind.COUPON,
                        Level.SHOP,
                        threshold,
                        expires,
                        discount_bp=draw(rates),
                        max_off=draw(st.none() | amounts),
                        shop=shop,
                    )
                )
            else:
                found.append(coupon(f"c{i}", threshold, off, shop=shop, expires=expires))
        elif kind == "platform":
            found.append(coupon(f"c{i}", threshold, off, expires=expires, scope=scope))
        else:
            found.append(
                red_packet(
                    f"r{i}", threshold, off, expires=expires, scope=scope, not_first_order=not_first
                )
            )
    return found


customers = st.builds(
    Customer,
    id=st.just("u1"),
    first_order=st.booleans(),
    phone_verified=st.booleans(),
    member_tier=st.sampled_from([None, "gold", "silver"]),
    bought=st.dictionaries(st.sampled_from(["K0", "K1"]), st.integers(0, 3), max_size=2),
)


@st.composite
def festival_cases(draw, small: bool = False):
    """A 大促 cart: a platform-wide 每满减 first, tiers, category rules, many coupons."""
    scale = 10 if small else 1
    count = draw(st.integers(3, 8))
    lines = tuple(
        CartLine(
            f"K{i}",
            f"s{i % 3}",
            draw(st.integers(1000 // scale, 40000 // scale)),
            draw(st.integers(1, 3)),
            draw(st.sampled_from(["a", "b"])),
        )
        for i in range(count)
    )
    step = draw(st.integers(5000 // scale, 60000 // scale))
    promos = [
        Promotion(
            "every",
            Level.PLATFORM,
            b.ThresholdOff((b.OffTier(step, draw(st.integers(1, step - 1))),), repeat=True),
        )
    ]
    if draw(st.booleans()):
        t = draw(st.integers(10000 // scale, 150000 // scale))
        tiers = (b.OffTier(t, t // 10), b.OffTier(2 * t, t // 4))
        promos.append(Promotion("tiers", Level.PLATFORM, b.ThresholdOff(tiers)))
    for k in range(draw(st.integers(0, 2))):
        t = draw(st.integers(5000 // scale, 100000 // scale))
        category = frozenset({draw(st.sampled_from(["a", "b"]))})
        promos.append(
            Promotion(
                f"category{k}",
                Level.PLATFORM,
                b.ThresholdOff((b.OffTier(t, t // 8),)),
                scope=Scope(categories=category),
            )
        )
    if draw(st.booleans()):
        tier = b.RateTier(draw(st.integers(100, 2000)), threshold=draw(st.integers(0, 100000)))
        promos.append(
            Promotion(
                "rate",
                Level.PLATFORM,
                b.ThresholdDiscount((tier,)),
                scope=Scope(categories=frozenset({"a"})),
            )
        )

    def held(threshold: int, off: int) -> tuple[int, int, datetime]:
        if threshold and off >= threshold:
            threshold = off + 1
        return threshold, off, NOW + timedelta(hours=draw(st.integers(1, 9)))

    wallet: list[WalletItem] = []
    for s in range(3):
        for k in range(draw(st.integers(0, 3))):
            t, off, expires = held(
                draw(st.integers(0, 60000 // scale)), draw(st.integers(100 // scale, 5000 // scale))
            )
            wallet.append(coupon(f"c{s}{k}", t, off, shop=f"s{s}", expires=expires))
    for k in range(draw(st.integers(0, 2))):
        t, off, expires = held(
            draw(st.integers(0, 200000 // scale)), draw(st.integers(100, 20000 // scale))
        )
        wallet.append(coupon(f"p{k}", t, off, expires=expires))
    for k in range(draw(st.integers(0, 2))):
        t, off, expires = held(
            draw(st.integers(0, 50000 // scale)), draw(st.integers(100 // scale, 3000 // scale))
        )
        wallet.append(red_packet(f"r{k}", t, off, expires=expires))
    return Cart(lines), promos, wallet
