"""Who the synthetic shoppers are and what each one means to do — before anything runs.

Every shopper draws from a random stream of their own (seeded by the run's
seed and their number), so a shopper behaves the same whatever the size of
the crowd, and the same seed always plans the same campaign. What actually
happens — prices, coupons chosen, stock — is left to the real services.
"""

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dacu.domain.campaigns import Phase
from dacu.domain.coupons import Audience, CouponTemplate
from dacu.domain.events import Channel, Segment
from dacu.domain.flashsale import FlashSale
from dacu.services.simulation.catalog import BY_SKU, CATEGORIES, CATEGORY_WEIGHTS, IN_CATEGORY
from dacu.services.simulation.timeline import Timeline

CHANNEL_WEIGHTS = {
    Channel.APP: 52,
    Channel.MINI_PROGRAM: 26,
    Channel.WEB: 12,
    Channel.SHARE_LINK: 10,
}
NEW_SHARE = 0.35  # 新客
MEMBER_SHARE = 0.45  # of returning shoppers
MEMBER_TIERS = ("silver", "gold", "platinum")
PHONE_VERIFIED_SHARE = 0.96  # the rest may not take new-user and first-order offers
VISITS = ((1, 2, 3, 4), (50, 30, 14, 6))
BUY = {Phase.WARM_UP: 0.03, Phase.BURST: 0.17, Phase.ENCORE: 0.08}
PEAK_BUY = 0.05  # extra at the 整点 waves
CLAIM = {Phase.WARM_UP: 0.25, Phase.BURST: 0.10, Phase.ENCORE: 0.05}
NEWCOMER_CLAIM = 0.6
FLASH_SHARE = 0.06
SCALPER_SHARE = 0.0005  # 黄牛: many attempts in one second, met by the gate's limits
REFUND_SHARE = 0.07
MIDNIGHT_RUSH = timedelta(minutes=20)  # payment channels strain: more first payments fail


class PayPlan(StrEnum):
    PAY = "pay"
    RETRY = "retry"  # the first payment fails (the shopper sees an error), the second goes through
    CANCEL = "cancel"  # cancelled before paying: stock and coupons come back at once
    ABANDON = "abandon"  # never paid: the sweeper cancels it when its time to pay runs out


@dataclass(frozen=True, slots=True)
class Purchase:
    pay: PayPlan
    pay_after: timedelta
    refund_after: timedelta | None  # a partial refund this long after paying
    refund_line: int  # which line gives one unit back


@dataclass(frozen=True, slots=True)
class Visit:
    n: int
    at: datetime
    phase: Phase
    pages: int
    viewed: tuple[str, ...]
    carted: tuple[tuple[str, int], ...]  # (sku, units) added to the cart
    claims: tuple[str, ...]  # coupon templates to claim
    shares: bool
    page_error: bool
    purchase: Purchase | None  # check the cart out


@dataclass(frozen=True, slots=True)
class FlashTry:
    n: int
    at: datetime
    qty: int
    pay_after: timedelta | None  # None: the hold is left to lapse
    subscribes: bool  # asks for a restock reminder (缺货提醒) when sold out
    retry_at: datetime | None  # comes back when reminded


@dataclass(frozen=True, slots=True)
class Shopper:
    id: str
    segment: Segment
    channel: Channel
    member_tier: str | None
    phone_verified: bool
    visits: tuple[Visit, ...]
    flash: tuple[FlashTry, ...] = ()


def shopper_id(seed: int, n: int) -> str:
    return f"sim{seed}-c{n:06d}"


def phone_of(shopper: str) -> str:
    """The shopper's mainland mobile number (19 + the seed's last three digits + their
    number): the same shopper, the same phone, and no two shoppers of a run share one."""
    seed, n = shopper.removeprefix("sim").split("-c")
    return f"19{int(seed) % 1000:03d}{int(n):06d}"


def plan(
    seed: int,
    customers: int,
    timeline: Timeline,
    coupons: Sequence[CouponTemplate],
    sale: FlashSale | None,
) -> Iterator[Shopper]:
    for n in range(customers):
        yield _shopper(
            random.Random(f"dacu-simulation:{seed}:{n}"), seed, n, timeline, coupons, sale
        )


def demand(shoppers: Sequence[Shopper]) -> Counter[str]:
    """Units of each SKU the shoppers mean to check out (flash sales aside)."""
    found: Counter[str] = Counter()
    for shopper in shoppers:
        for visit in shopper.visits:
            if visit.purchase is not None:
                found.update(dict(visit.carted))
    return found


def _shopper(
    rng: random.Random,
    seed: int,
    n: int,
    timeline: Timeline,
    coupons: Sequence[CouponTemplate],
    sale: FlashSale | None,
) -> Shopper:
    segment = Segment.NEW if rng.random() < NEW_SHARE else Segment.RETURNING
    channel = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
    member = None
    if segment is Segment.RETURNING and rng.random() < MEMBER_SHARE:
        member = rng.choice(MEMBER_TIERS)
    tastes = tuple(dict.fromkeys(rng.choices(CATEGORIES, CATEGORY_WEIGHTS, k=2)))
    times = sorted(timeline.moment(rng) for _ in range(rng.choices(*VISITS)[0]))
    claimed: set[str] = set()
    visits = []
    for i, at in enumerate(times):
        first = i == 0
        visits.append(
            _visit(rng, i + 1, at, timeline, tastes, coupons, claimed, segment, member, first, sale)
        )
    flash = _flash(rng, sale) if sale is not None else ()
    return Shopper(
        shopper_id(seed, n),
        segment,
        channel,
        member,
        rng.random() < PHONE_VERIFIED_SHARE,
        tuple(visits),
        flash,
    )


def _visit(
    rng: random.Random,
    n: int,
    at: datetime,
    timeline: Timeline,
    tastes: tuple[str, ...],
    coupons: Sequence[CouponTemplate],
    claimed: set[str],
    segment: Segment,
    member: str | None,
    first: bool,
    sale: FlashSale | None,
) -> Visit:
    hour = timeline.hour_of(at)
    assert hour is not None
    phase = hour.phase
    viewed = _browse(rng, tastes)
    claims = []
    for template in coupons:
        if template.id in claimed or not template.claim_window.contains(at):
            continue
        if template.audience is Audience.NEW_USERS:
            wanted = first and segment is Segment.NEW and rng.random() < NEWCOMER_CLAIM
        elif template.audience is Audience.MEMBERS:
            wanted = member is not None and rng.random() < CLAIM.get(phase, 0)
        else:
            wanted = rng.random() < CLAIM.get(phase, 0)
        if wanted:
            claims.append(template.id)
            claimed.add(template.id)
    buy = rng.random() < BUY.get(phase, 0) + (PEAK_BUY if hour.peak else 0)
    carted = _cart(rng, viewed, buy)
    if sale is not None and sale.starts_at <= at <= sale.ends_at:
        carted = tuple(line for line in carted if line[0] != sale.sku)  # only through the gate
    rush = phase is Phase.BURST and hour.start.hour == 0 and at - hour.start < MIDNIGHT_RUSH
    purchase = _purchase(rng, rush) if buy and carted else None
    return Visit(
        n,
        at,
        phase,
        rng.randint(1, 2),
        viewed,
        carted,
        tuple(claims),
        rng.random() < 0.07,
        rng.random() < 0.006,
        purchase,
    )


def _browse(rng: random.Random, tastes: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for _ in range(rng.randint(1, 3)):
        products = IN_CATEGORY[rng.choice(tastes)]
        seen[rng.choices(products, [p.popularity for p in products])[0].sku] = None
    return tuple(seen)


def _cart(rng: random.Random, viewed: tuple[str, ...], buy: bool) -> tuple[tuple[str, int], ...]:
    picked = [sku for sku in viewed if rng.random() < (0.45 if buy else 0.2)]
    if buy and not picked:
        picked = [viewed[0]]
    if "P-PHONE" in picked and "E-BUDS" not in picked and rng.random() < 0.35:
        picked.append("E-BUDS")  # 手机+耳机: the bundle price
    lines = []
    for sku in picked:
        several = BY_SKU[sku].category in ("apparel", "beauty")
        qty = rng.choices((1, 2, 3), (60, 30, 10))[0] if several else 1
        lines.append((sku, qty))
    return tuple(lines)


def _purchase(rng: random.Random, rush: bool) -> Purchase:
    retry_share = 0.45 if rush else 0.03
    pay = rng.choices(
        (PayPlan.RETRY, PayPlan.PAY, PayPlan.CANCEL, PayPlan.ABANDON),
        (retry_share, 0.87, 0.05, 0.05),
    )[0]
    refund = None
    if pay in (PayPlan.PAY, PayPlan.RETRY) and rng.random() < REFUND_SHARE:
        refund = timedelta(minutes=rng.randint(180, 48 * 60))
    return Purchase(pay, timedelta(seconds=rng.randint(20, 240)), refund, rng.randrange(3))


def _flash(rng: random.Random, sale: FlashSale) -> tuple[FlashTry, ...]:
    if rng.random() < SCALPER_SHARE:
        second = sale.starts_at + timedelta(seconds=rng.randrange(3))
        pay = timedelta(seconds=30)
        return tuple(FlashTry(i + 1, second, 1, pay, False, None) for i in range(8))
    if rng.random() >= FLASH_SHARE:
        return ()
    wait = timedelta(seconds=min(int(rng.expovariate(1 / 20)), 600))
    pays = rng.random() < 0.88
    subscribes = rng.random() < 0.4
    retry = sale.starts_at + timedelta(minutes=rng.randint(16, 45)) if subscribes else None
    return (
        FlashTry(
            1,
            sale.starts_at + wait,
            rng.choices((1, 2), (75, 25))[0],
            timedelta(seconds=rng.randint(20, 480)) if pays else None,
            subscribes,
            retry,
        ),
    )
