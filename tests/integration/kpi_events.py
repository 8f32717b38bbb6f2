"""Plausible shoppers' events for KPI tests: every kind, several hours, channels and
segments, repeat buyers, refunds, errors — deterministic for a seed."""

import random
from datetime import datetime, timedelta
from typing import Any

CHANNELS = ("app", "mini_program", "web", "share_link")
SKUS = ("P-PHONE", "E-BUDS", "A-TV", "C-COAT", "B-CREAM")
PRICES = {"P-PHONE": 399900, "E-BUDS": 29900, "A-TV": 459900, "C-COAT": 69900, "B-CREAM": 15900}


def shoppers(seed: int, campaign_id: str, customers: int, start: datetime) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    found: list[dict[str, Any]] = []
    for n in range(customers):
        who = f"c{n:05d}"
        segment = "new" if rng.random() < 0.35 else "returning"
        channel = rng.choice(CHANNELS)
        at = start + timedelta(minutes=rng.randrange(0, 6 * 60), seconds=n % 60)
        step = 0

        def emit(
            kind: str, who: str = who, channel: str = channel, segment: str = segment, **fields: Any
        ) -> None:
            nonlocal at, step
            step += 1
            at += timedelta(seconds=rng.randrange(1, 900))
            found.append(
                {
                    "id": f"{campaign_id}:{who}:{step}",
                    "kind": kind,
                    "campaign_id": campaign_id,
                    "customer_id": who,
                    "channel": channel,
                    "segment": segment,
                    "at": at.isoformat(),
                    **fields,
                }
            )

        if segment == "new":
            emit("registration")
        emit("login")
        for _ in range(rng.randrange(1, 4)):
            emit("page_view")
        if rng.random() < 0.3:
            emit("coupon_claim", coupon="warm-up-300-30")
        if rng.random() < 0.1:
            emit("share")
        if rng.random() < 0.05:
            emit("error")
        for order in range(rng.choice((0, 0, 1, 1, 1, 2))):
            sku = rng.choice(SKUS)
            emit("sku_view", sku=sku)
            if rng.random() < 0.3:
                continue
            emit("add_to_cart", sku=sku)
            qty = rng.randrange(1, 3)
            amount = PRICES[sku] * qty
            order_id = f"o-{who}-{order}"
            lines = [{"sku": sku, "qty": qty, "amount": amount}]
            emit("order", order_id=order_id, amount=amount, lines=lines)
            if rng.random() < 0.2:
                continue
            platform, merchant = amount // 20, amount // 50
            emit(
                "payment",
                order_id=order_id,
                amount=amount,
                platform_funded=platform,
                merchant_funded=merchant,
                lines=lines,
            )
            if rng.random() < 0.4:
                emit("coupon_use", coupon="warm-up-300-30")
            if rng.random() < 0.08:
                emit("refund", order_id=order_id, amount=amount // 2, platform_funded=platform // 2)
    found.sort(key=lambda event: event["at"])
    return found
