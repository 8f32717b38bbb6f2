"""The flash gate's attempts/s without the risk check and with it, in one run
(`bench/risk.py`'s `flash_gate`).

The gate as the attempt path wires it: `FlashScreen.checked` (the blacklist from
memory; a buyer's terms, once made, carried again), then the Redis gate's attempt with
the check in its own step. Every buyer first signs in once on the device and address
they attempt from, as a running shop's buyers have before its 20:00 sale. Then
`--flash-rounds` rounds, each a sale of its own for each phase: the tries go in blocks
of `BLOCK`, each block once without the check and once with it, which first
alternating (the machine's drift falls on both alike); attempts/s of each phase a
round, their medians and the ratio of the medians. The first round is also given on
its own: every buyer's first attempt in the process, their terms made then.
"""

import argparse
import statistics
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import redis

from bench.flashsale import REDIS, SHANGHAI, a_sale
from bench.risk_world import engine_of, forget, handover, queries
from dacu.adapters.redis_gate import RedisStockGate
from dacu.domain.flashsale import Outcome
from dacu.domain.risk import Action, Identity
from dacu.services.risk_flash import FlashScreen

PHASES = ("without_checks", "with_checks")
BLOCK = 250  # tries a phase takes in turn


def flash_run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    prefix = f"bench-risk-{uuid.uuid4().hex[:8]}"
    try:
        risk = engine_of(url, REDIS, prefix)
        handover(args)
        gate = RedisStockGate(redis.Redis.from_url(REDIS), prefix)
        now = datetime.now(SHANGHAI)
        for query in queries(args.customers, args.customers, now - timedelta(minutes=5)):
            seen = Identity(device=query.identity.device, ip=query.identity.ip)
            risk.assess(replace(query, action=Action.LOGIN, identity=seen))
        risk.links.flush()
        risk.facts.flush()
        tries = [  # as the attempt endpoint asks: the device and the address only
            (q.customer_id, Identity(device=q.identity.device, ip=q.identity.ip))
            for q in queries(args.customers, args.attempts, now)
        ]
        screen = FlashScreen(risk, lambda: datetime.now(SHANGHAI))
        rates: dict[str, list[int]] = {phase: [] for phase in PHASES}
        refused = 0
        for round_ in range(args.flash_rounds):
            spent = dict.fromkeys(PHASES, 0.0)
            for phase in PHASES:
                gate.open(a_sale(f"{phase}-{round_}-{prefix}", len(tries) // 2, 2))
            for start in range(0, len(tries), BLOCK):
                block = range(start, min(start + BLOCK, len(tries)))
                order = PHASES if start // BLOCK % 2 == 0 else PHASES[::-1]
                for phase in order:
                    checked = screen if phase == PHASES[1] else None
                    sale = f"{phase}-{round_}-{prefix}"
                    took, blocked = attempts(gate, checked, sale, tries, block)
                    spent[phase] += took
                    refused += blocked
            for phase in PHASES:
                rates[phase].append(round(len(tries) / spent[phase]))
            screen.flush()
            risk.links.flush()
    finally:
        forget(prefix)
    without, with_ = (statistics.median(rates[phase]) for phase in PHASES)
    return {
        "rounds": args.flash_rounds,
        "without_checks_attempts_per_s": rates[PHASES[0]],
        "with_checks_attempts_per_s": rates[PHASES[1]],
        "median_without_checks_attempts_per_s": round(without),
        "median_with_checks_attempts_per_s": round(with_),
        "with_over_without_bp": int(with_ * 10_000 // without),
        "first_round_with_over_without_bp": rates[PHASES[1]][0] * 10_000 // rates[PHASES[0]][0],
        "refused_by_the_check": refused,
    }


def attempts(
    gate: RedisStockGate,
    screen: FlashScreen | None,
    sale: str,
    tries: list[tuple[str, Identity]],
    block: range,
) -> tuple[float, int]:
    """The block's tries, one at a time: the seconds they took, and how many the check
    refused."""
    refused, now = 0, datetime.now(SHANGHAI)
    started = time.perf_counter()
    for i in block:
        buyer, identity = tries[i]
        terms = None
        if screen is not None:
            blocked, terms = screen.checked(buyer, identity, sale)
            if blocked:
                refused += 1
                continue
        decided = gate.attempt(sale, buyer, f"{sale}-{i}", 1, now, identity.ip, risk=terms)
        refused += decided.outcome is Outcome.RISK_BLOCKED
    return time.perf_counter() - started, refused
