"""The flash attempt's risk check carried into the Redis gate's own step, on real Redis
and PostgreSQL: a ring of accounts behind one device is refused `risk_blocked` from
the account that reaches the rule's threshold, before any stock is taken; the others
buy; the decision is logged with its rule; a repeated request id answers as before;
and with the check as `assess` makes it, the same accounts are refused; an attempt the
sale refuses anyway (sold out) is answered so, its accounts weighed at the next attempt
that could take stock. A buyer's terms,
carried from attempt to attempt, follow a new rules version and the blacklist in a
process that serves nothing but attempts; each attempt counts once in a velocity
window of the step, in any sale; a sign-in before the sale leaves the phone's floor in
Redis, so the first attempt counts the accounts SQL linked to it; accounts only SQL
linked and accounts only Redis counted yet are counted together."""

import asyncio
import time
from datetime import timedelta

import pytest

from dacu.adapters.redis_connect import async_client, redis_client
from dacu.adapters.redis_gate import AsyncRedisGate, RedisStockGate
from dacu.bootstrap import bootstrap
from dacu.domain.flashsale import FlashSale, Outcome
from dacu.domain.risk import Action, Identity, RiskQuery, Verdict
from dacu.domain.risk_rules import ListKind
from dacu.schemas.risk_rules import default_document
from dacu.services.risk_flash import FlashScreen
from tests.integration.conftest import CLUSTER_PG, REDIS_PG, intake_of, postgres_engine
from tests.integration.test_stock_gate import NOW, START

pytestmark = pytest.mark.integration


@pytest.fixture(params=[REDIS_PG])
def world(request):
    with postgres_engine() as engine, intake_of(request.param) as (url, prefix):
        platform = bootstrap(engine, clock=lambda: NOW, redis_url=url, redis_prefix=prefix)
        gate = RedisStockGate(redis_client(url), prefix)
        gate.open(FlashSale("fs-ring", "P-PHONE", START, START + timedelta(hours=1), 10, 2))
        yield platform, gate, url, prefix
        platform.close()


def attempt(platform, gate, screen, buyer, device, n):
    blocked, terms = screen.checked(buyer, Identity(device=device, ip="10.0.0.9"), "fs-ring")
    assert not blocked
    assert terms is not None  # the default rules for attempts need one step and memory
    return gate.attempt("fs-ring", buyer, f"{buyer}-{n}", 1, NOW, "10.0.0.9", risk=terms)


def test_a_ring_behind_one_device_is_refused_in_the_gates_own_step(world):
    platform, gate, _, _ = world
    screen = FlashScreen(platform.risk, lambda: NOW)
    # when: four accounts on one phone, and two on phones of their own, try to buy
    ring = [attempt(platform, gate, screen, f"ring-{i}", "dev-ring", 0) for i in range(4)]
    honest = [attempt(platform, gate, screen, f"hon-{i}", f"dev-{i}", 0) for i in range(2)]
    # then: device_many_accounts (≥ 3 accounts) refuses the third and fourth, no stock
    assert [d.outcome for d in ring] == [Outcome.ACCEPTED] * 2 + [Outcome.RISK_BLOCKED] * 2
    assert all(d.outcome is Outcome.ACCEPTED for d in honest)
    assert gate.remaining("fs-ring") == 10 - 4
    assert gate.bought("fs-ring", "ring-2") == 0
    # ... the refusal is logged with its rule, as `assess` logs it
    platform.risk_decisions.flush()
    logged = platform.risk_decisions.recent("ring-3")
    assert logged[0]["verdict"] == "block"
    assert "device_many_accounts" in logged[0]["rules"]
    assert logged[0]["subject"] == "fs-ring"  # the sale the step answered for
    # ... a repeated request id of an accepted attempt answers as before, counts nothing
    again = attempt(platform, gate, screen, "ring-0", "dev-ring", 0)
    assert again.outcome is Outcome.ACCEPTED
    assert gate.remaining("fs-ring") == 10 - 4
    # ... and the check as `assess` makes it agrees: the ring's next account is blocked
    query = RiskQuery(Action.FLASH_ATTEMPT, "ring-4", NOW, identity=Identity(device="dev-ring"))
    assert platform.risk.assess(query).verdict is Verdict.BLOCK


def test_a_new_rules_version_and_a_listed_phone_reach_buyers_whose_terms_are_carried(world):
    platform, gate, _, _ = world
    screen = FlashScreen(platform.risk, lambda: NOW)
    # given: two accounts on one phone and one on another buy; their terms are carried
    first = [attempt(platform, gate, screen, f"o-{i}", "dev-o", 0) for i in range(2)]
    first.append(attempt(platform, gate, screen, "p-0", "dev-p", 0))
    assert [d.outcome for d in first] == [Outcome.ACCEPTED] * 3
    # when: a version blocking from two accounts is applied, and the other phone listed,
    # and nothing but attempts reaches the process
    document = default_document()
    for rule in document["rules"]:
        if rule["code"] == "device_many_accounts":
            rule["min_accounts"] = 2
    platform.risk_rules.apply(document, "risk-1")
    platform.risk_rules.blacklist(ListKind.DEVICE, "dev-p", "scalper", "risk-1", None)
    time.sleep(1.2)  # every process re-reads within about a second
    screen.checked("o-0", Identity(device="dev-o", ip="10.0.0.9"), "fs-ring")  # reads behind
    screen.flush()
    # then: the same buyers' next attempts meet the new threshold and the list
    again = attempt(platform, gate, screen, "o-0", "dev-o", 1)
    assert again.outcome is Outcome.RISK_BLOCKED
    assert screen.checked("p-0", Identity(device="dev-p", ip="10.0.0.9"), "fs-ring") == (
        True,
        None,
    )


def test_a_phone_whose_count_redis_lost_is_floored_from_sql_at_once(world):
    platform, gate, url, prefix = world
    screen = FlashScreen(platform.risk, lambda: NOW)
    # given: a buyer tried alone on a phone (its floor read then); two more accounts
    # were linked to the phone since, in SQL only; then Redis lost the phone's count
    assert attempt(platform, gate, screen, "f-0", "dev-f", 0).outcome is Outcome.ACCEPTED
    for i in (1, 2):
        platform.risk_links.record(f"f-{i}", Identity(device="dev-f"), NOW)
    platform.risk_links.flush()
    platform.risk_facts.flush()
    client = redis_client(url)
    for key in client.scan_iter(f"{prefix}:risk:acc:*"):
        client.delete(key)
    time.sleep(1.1)  # an identifier without a floor is read again a second on at most
    # when: the buyer tries again: Redis counts it alone, with no floor
    again = attempt(platform, gate, screen, "f-0", "dev-f", 1)
    platform.risk_facts.flush()  # the floor read behind at once (SQL's count: three)
    # then: that attempt goes through; the phone's next (another of its accounts, within
    # the sale's limit) counts SQL's three accounts
    assert again.outcome is Outcome.ACCEPTED
    assert attempt(platform, gate, screen, "f-1", "dev-f", 2).outcome is Outcome.RISK_BLOCKED


def test_accounts_only_sql_linked_and_only_redis_counted_are_counted_together(world):
    platform, _, url, prefix = world
    facts, device = platform.risk_facts, frozenset({"device"})
    # given: two accounts linked to a phone long ago, in SQL only (Redis's count gone)
    for who in ("s-1", "s-2"):
        platform.risk_links.record(who, Identity(device="dev-s"), NOW)
    platform.risk_links.flush()
    client = redis_client(url)
    for key in client.scan_iter(f"{prefix}:risk:acc:*"):
        client.delete(key)
    # when: a third is counted live before its link reaches SQL, and the floor is read
    assert facts.shared_live("s-3", Identity(device="dev-s"), device) == {"device": 1}
    facts.flush()
    # then: the phone counts the three: SQL's two and Redis's one (not the larger part)
    assert facts.shared_live("s-3", Identity(device="dev-s"), device) == {"device": 3}
    assert facts.shared_live("s-1", Identity(device="dev-s"), device) == {"device": 3}


def test_each_attempt_counts_once_in_a_window_of_the_step(world):
    platform, gate, _, _ = world
    document = default_document()
    document["rules"].append(
        {
            "kind": "velocity",
            "code": "flash_attempts_per_minute",
            "actions": ["flash_attempt"],
            "scope": "customer",
            "window_s": 60,
            "limit": 3,
            "verdict": "block",
            "score": 600,
        }
    )
    platform.risk_rules.apply(document, "risk-1")
    time.sleep(1.2)
    platform.risk.reread()
    screen = FlashScreen(platform.risk, lambda: NOW)
    gate.open(FlashSale("fs-other", "P-PHONE", START, START + timedelta(hours=1), 10, 9))
    phone = Identity(device="dev-w", ip="10.0.0.9")

    def tried(sale: str, request: str) -> Outcome:
        blocked, terms = screen.checked("w-0", phone, sale)
        assert not blocked
        return gate.attempt(sale, "w-0", request, 1, NOW, phone.ip, risk=terms).outcome

    gate.open(FlashSale("fs-gone", "P-PHONE", START, START + timedelta(hours=1), 1, 9))
    assert gate.attempt("fs-gone", "z", "z-0", 1, NOW, "10.0.0.1").outcome is Outcome.ACCEPTED
    # when: one buyer tries twice in one sale, once in a sale sold out, then once in
    # another with a request id used in the first
    found = [tried("fs-other", f"w-{n}") for n in range(2)]
    found += [tried("fs-gone", "w-9"), tried("fs-ring", "w-0")]
    # then: every attempt counted, the one the sale refused too: the fourth is past three
    assert found == [Outcome.ACCEPTED] * 2 + [Outcome.SOLD_OUT, Outcome.RISK_BLOCKED]
    # ... and a repeated request id answers as before
    assert tried("fs-other", "w-1") is Outcome.ACCEPTED
    assert gate.bought("fs-other", "w-0") == 2


def test_an_attempt_the_sale_refuses_anyway_is_answered_so_its_accounts_not_weighed(world):
    platform, gate, _, _ = world
    screen = FlashScreen(platform.risk, lambda: NOW)
    gate.open(FlashSale("fs-gone", "P-PHONE", START, START + timedelta(hours=1), 1, 9))
    assert gate.attempt("fs-gone", "z", "z-0", 1, NOW, "10.0.0.1").outcome is Outcome.ACCEPTED
    # given: two accounts on one phone bought
    assert [attempt(platform, gate, screen, f"g-{i}", "dev-g", 0).outcome for i in (0, 1)] == [
        Outcome.ACCEPTED
    ] * 2
    # when: a third tries a sale sold out, then one with stock
    blocked, terms = screen.checked("g-2", Identity(device="dev-g", ip="10.0.0.9"), "fs-gone")
    gone = gate.attempt("fs-gone", "g-2", "g-2-0", 1, NOW, "10.0.0.9", risk=terms)
    # then: the sale's answer (no stock moves either way), then the check's, at its grab
    assert (blocked, gone.outcome) == (False, Outcome.SOLD_OUT)
    assert attempt(platform, gate, screen, "g-2", "dev-g", 1).outcome is Outcome.RISK_BLOCKED
    assert gate.remaining("fs-ring") == 10 - 2


def test_the_async_gate_carries_the_check_too(world):
    platform, _, url, prefix = world
    screen = FlashScreen(platform.risk, lambda: NOW)

    async def storm():
        hot = AsyncRedisGate(async_client(url), prefix)
        found = []
        for i in range(4):
            _, terms = screen.checked(f"a-{i}", Identity(device="dev-async"), "fs-ring")
            found.append(await hot.attempt("fs-ring", f"a-{i}", f"a-{i}", 1, NOW, "", terms))
        await hot.client.aclose()
        return found

    answers = asyncio.run(storm())
    assert [d.outcome for d in answers] == [Outcome.ACCEPTED] * 2 + [Outcome.RISK_BLOCKED] * 2


@pytest.mark.parametrize("kind", [CLUSTER_PG])
def test_on_a_redis_cluster_the_check_stays_before_the_gate(kind):
    # the check's keys live outside the sale's slot: no terms, the screen answers
    with postgres_engine() as engine, intake_of(kind) as (url, prefix):
        platform = bootstrap(engine, clock=lambda: NOW, redis_url=url, redis_prefix=prefix)
        try:
            screen = FlashScreen(platform.risk, lambda: NOW)
            answers = [
                screen.checked(f"cl-{i}", Identity(device="dev-cluster"), "fs-ring")
                for i in range(4)
            ]
        finally:
            platform.close()
    assert [terms for _, terms in answers] == [None] * 4
    assert [blocked for blocked, _ in answers] == [False, False, True, True]


def test_a_sign_in_leaves_its_devices_floor_for_the_first_attempt(world):
    platform, gate, url, prefix = world
    # given: three accounts linked to a phone long ago (SQL only); one signs in before the
    # sale — no rule of a sign-in weighs the phone's accounts, but Redis counts them
    for account in ("s-1", "s-2", "s-4"):
        platform.risk_links.record(account, Identity(device="dev-s"), NOW)
    platform.risk_links.flush()
    login = RiskQuery(Action.LOGIN, "s-2", NOW, identity=Identity(device="dev-s", ip="10.0.0.9"))
    assert platform.risk.assess(login).verdict is Verdict.ALLOW
    platform.risk_facts.flush()
    # then: the phone's floor is in Redis before any check weighs it (SQL's three)
    client = redis_client(url)
    floors = [client.hget(key, "") for key in client.scan_iter(f"{prefix}:risk:acc:*")]
    assert floors == [b"3"]
    # ... and a fourth account's first attempt, the first check that weighs the phone,
    # counts them at once: refused (Redis alone holds two accounts of it)
    screen = FlashScreen(platform.risk, lambda: NOW)
    assert attempt(platform, gate, screen, "s-3", "dev-s", 0).outcome is Outcome.RISK_BLOCKED
