"""Attack traffic over HTTP against `dacu serve` on PostgreSQL and Redis: the money each
attack kind tries to take and the money it gets, and the honest customers stopped.

Honest shoppers (some behind one carrier NAT address, households sharing a home address
and a delivery address, an office behind one address) and five attack kinds — an invite
farm, a scalper ring at the 20:00 flash sale, coupon hoarders, a lottery farm, refund
abusers, a brushing ring of a merchant's own accounts on its own phones
(bench/attack_crowd.py) — sign up with text-message codes, claim, draw, buy, pay
and refund, interleaved, each request with its install's X-Device-Id and its address
(the harness stands as the edge proxy: X-Forwarded-For).

What each kind *tried* to take: every account's welcome red packet (新人红包), and
- invite farm: each inviter's reward (red packet and coins) for every invitee;
- scalper ring: the flash units at its limit × (list price − flash price), and the
  coins paying for them earns;
- coupon hoarders: the limited 满300减30 coupon;
- lottery farm: its chances × the pool's expected prize value;
- refund abusers: the refunds of what they bought (kept the goods), and the coins the
  payment earned;
- brushing ring: the platform's share of the 满300减50 on each coat bought from its own
  shop, and the coins paying earns.
What it *got*: the coupons in its wallets at face value, its coins at their cash value,
the lottery prizes given, the flash units paid for, the money refunded, the platform's
share of a brushing ring's paid orders. All fen.

    python -m bench.attacks [--honest 80] [--seed 5] [--workers 2] [--rules FILE]

`--rules FILE` applies a rules file (as `dacu risk rules apply`) instead of the
packaged defaults, to compare rule sets on the same traffic.
"""

import argparse
import json
import os
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from bench.attack_actors import Customer, Harness
from bench.attack_crowd import (
    ABUSED,
    ATTACKS,
    BRUSHED,
    HOARDED,
    HONEST,
    Crowd,
    Plan,
    journeys,
)
from bench.attack_world import CAMPAIGN, fresh_schema, prepare, serving
from dacu.adapters.db import make_engine
from dacu.schemas.yamlfile import load_yaml

GIVEN = {"given", "pending", "awaiting_address"}
LIST_PRICE = {"P-PHONE": 399900, "A-COAT": 45900}
BRUSH_SUBSIDY = 3500  # the platform's 70% of 满300减50 on a coat


def run(plan: Plan, seed: int, workers: int = 2, rules: Any = None) -> dict[str, Any]:
    prefix = f"attacks-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    with fresh_schema() as url:
        world = prepare(url, prefix, flash_stock=60, rules=rules)
        engine = make_engine(url)
        try:
            with serving(url, prefix, workers) as base:
                harness = Harness(base, engine)
                try:
                    crowd = Crowd(plan, seed)
                    token = world["merchant_token"]
                    _drive(journeys(crowd, harness, CAMPAIGN, world["sale"], token))
                    figures = score(harness, crowd.people, world)
                finally:
                    harness.http.close()
        finally:
            engine.dispose()
    return figures | {"cores": os.cpu_count(), "seconds": round(time.monotonic() - started, 1)}


def _drive(walking: list) -> None:
    while walking:
        for journey in list(walking):
            try:
                next(journey)
            except StopIteration:
                walking.remove(journey)


class Prices:
    def __init__(self, world: dict[str, Any]) -> None:
        document = world["document"]
        self.coupons = {c["id"]: int(c.get("off", 0)) for c in document["coupons"]}
        growth = document["growth"]
        coins = growth["coins"]
        self.coin_fen = (coins["value_fen"], coins["value_coins"])
        self.invite = self.coupons[growth["invites"]["coupon"]] + self.coins(
            growth["invites"]["coins"]
        )
        prizes = growth["lottery"]["prizes"]
        self.prizes = {p["id"]: int(p["reward"].get("value", 0)) for p in prizes}
        weights = sum(p["weight"] for p in prizes)
        self.draw = sum(p["weight"] * self.prizes[p["id"]] for p in prizes) // weights
        self.chances = growth["lottery"]["chances"]["first_visit"]
        self.sale_price = int(world["sale_price"])
        self.flash_off = LIST_PRICE["P-PHONE"] - self.sale_price
        self.per_yuan = int(coins["per_yuan"])
        self.welcome = self.coupons["newcomer-red-20"]

    def paid_coins(self, fen: int) -> int:
        """The coins paying `fen` earns, in fen."""
        return self.coins(fen // 100 * self.per_yuan)

    def coins(self, n: int) -> int:
        fen, coins = self.coin_fen
        return n * fen // coins


def score(harness: Harness, people: list[Customer], world: dict[str, Any]) -> dict[str, Any]:
    prices = Prices(world)
    tried: Counter[str] = Counter()
    got: Counter[str] = Counter()
    stopped: dict[str, Counter[str]] = {}
    for who in people:
        mine, welcomed, held_draw = _got(harness, who, prices)
        got[who.kind] += mine
        tried[who.kind] += _tried(who, prices)
        tally = stopped.setdefault(who.kind, Counter())
        tally["accounts"] += 1
        tally["blocked"] += who.blocked > 0
        tally["held"] += who.blocked == 0 and (who.held > 0 or not welcomed or held_draw)
    farm = sum(1 for p in people if p.kind == "invite_farm")
    tried["invite_farm"] += max(farm - 1, 0) * prices.invite
    attacks = {
        kind: {
            "accounts": stopped[kind]["accounts"],
            "tried": tried[kind],
            "got": got[kind],
            "got_bp": got[kind] * 10_000 // max(tried[kind], 1),
            "blocked_accounts": stopped[kind]["blocked"],
            "held_accounts": stopped[kind]["held"],
        }
        for kind in ATTACKS
        if kind in stopped
    }
    honest = sum((stopped[k] for k in HONEST if k in stopped), Counter())
    return {
        "attacks": attacks,
        "honest": {
            "accounts": honest["accounts"],
            "blocked": honest["blocked"],
            "held": honest["held"],
            "by_kind": {k: dict(stopped[k]) for k in HONEST if k in stopped},
            "got": sum(got[k] for k in HONEST),
            "shop_buyers": len(buyers := [p for p in people if _bought_at_shop(p)]),
            "shop_buyers_stopped": sum(1 for p in buyers if p.blocked or p.held),
        },
        "stopped_honest": [
            {"kind": p.kind, "notes": p.notes[:6]}
            for p in people
            if p.kind in HONEST and (p.blocked or p.held)
        ][:10],
    }


def _bought_at_shop(who: Customer) -> bool:
    """An honest customer who paid for an order at the brushing ring's shop."""
    return who.kind in HONEST and any(note.startswith("bought A-") for note in who.notes)


def _tried(who: Customer, prices: Prices) -> int:
    if who.kind in HONEST:
        return 0
    extra = {
        "scalper_ring": 2 * (prices.flash_off + prices.paid_coins(prices.sale_price)),
        "coupon_hoarders": prices.coupons[HOARDED],
        "lottery_farm": prices.chances * prices.draw,
        "refund_abusers": LIST_PRICE[ABUSED] + prices.paid_coins(LIST_PRICE[ABUSED]),
        "brushing_ring": BRUSH_SUBSIDY + prices.paid_coins(LIST_PRICE[BRUSHED] - BRUSH_SUBSIDY),
    }.get(who.kind, 0)
    return prices.welcome + extra


def _got(harness: Harness, who: Customer, prices: Prices) -> tuple[int, bool, bool]:
    """The fen this account got; whether its welcome packet came; whether a prize is held."""
    if not who.token:
        return 0, False, False
    wallet = harness.wallet(who)
    fen = sum(prices.coupons.get(c["template_id"], 0) for c in wallet)
    fen += prices.coins(harness.coins(who))
    draws = harness.draws(who, CAMPAIGN)
    fen += sum(prices.prizes.get(d["prize_id"], 0) for d in draws if d["status"] in GIVEN)
    fen += _flash_and_refunds(harness, who, prices)
    welcomed = any(c["template_id"] == "newcomer-red-20" for c in wallet)
    return fen, welcomed, any(d["status"] == "held" for d in draws)


def _flash_and_refunds(harness: Harness, who: Customer, prices: Prices) -> int:
    fen = 0
    for note in who.notes:
        if note.startswith("flash "):
            fen += int(note.split()[1]) * prices.flash_off
        if note.startswith("refunded "):
            fen += int(note.split()[1])
        if note.startswith("subsidy ") and who.kind == "brushing_ring":
            fen += int(note.split()[1])
    return fen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--honest", type=int, default=80)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rules", type=Path, default=None, help="a rules file to apply")
    args = parser.parse_args()
    rules = load_yaml(args.rules.read_text(encoding="utf-8")) if args.rules else None
    figures = run(Plan(honest=args.honest), args.seed, args.workers, rules)
    print(json.dumps(figures | {"rules": str(args.rules or "packaged")}, indent=2))


if __name__ == "__main__":
    main()
