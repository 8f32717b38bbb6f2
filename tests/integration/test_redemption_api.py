"""Coin redemptions and rewards over HTTP, on real SQLite and PostgreSQL: a member signed
in by phone redeems coins for a top-up and a fuel card, gives the card's address, and an
operator ships it; storms of concurrent redemptions never take coins below zero, stock
below zero or the budget line past its amount, and each Idempotency-Key redeems once."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from dacu.adapters.message_outbox import SqlMessageOutbox
from dacu.adapters.tables import budget_draws, coin_balances, redemptions, rewards
from dacu.domain.access import Role
from dacu.domain.coins import CoinReason
from dacu.entrypoints.api import create_app
from tests.integration.http import serving
from tests.integration.rewards_rig import LAUNCH, MID_SEPTEMBER, Clock, launched, member
from tests.integration.test_api import call

pytestmark = pytest.mark.integration

PHONE = "13800138000"
REDEEM = f"/v1/campaigns/{LAUNCH}/redemptions"


def _site(engine, **redemption):
    clock = Clock(MID_SEPTEMBER)
    platform = launched(engine, clock, **redemption)
    return platform, serving(create_app(platform))


def _signed_in(base: str, platform) -> tuple[str, str]:
    assert call(base, None, "POST", "/v1/customers/codes", json={"phone": PHONE}).status_code == 202
    text = SqlMessageOutbox(platform.engine).last_message("+86" + PHONE) or ""
    code = re.search(r"\d{6}", text)
    assert code is not None
    body = {"phone": PHONE, "code": code.group()}
    signed = call(base, None, "POST", "/v1/customers/sessions", json=body)
    assert signed.status_code == 201, signed.text
    return signed.json()["token"], signed.json()["customer_id"]


def _redeem(base, token, key, item="topup-10", qty=1):
    body = {"item": item, "qty": qty}
    return call(base, token, "POST", REDEEM, headers={"Idempotency-Key": key}, json=body)


def test_a_member_redeems_gives_an_address_and_an_operator_ships(engine):
    platform, served = _site(engine)
    with served as base:
        token, me = _signed_in(base, platform)
        platform.coins.earn(me, 12_000, CoinReason.PAID, "seed", platform.clock())
        catalog = call(base, token, "GET", f"{REDEEM}/catalog").json()["items"]
        assert next((i["id"], i["coins"], i["in_stock"]) for i in catalog) == (
            "topup-10",
            1500,
            True,
        )
        short = _redeem(base, token, "k-0", "topup-20", 5)
        assert short.status_code == 409
        assert short.json()["error"]["field"] == "coins"
        priced = call(
            base,
            token,
            "POST",
            REDEEM,
            headers={"Idempotency-Key": "x"},
            json={"item": "topup-10", "coins": 1},
        )
        assert priced.status_code == 422
        done = _redeem(base, token, "k-1", "fuel-100")
        assert done.status_code == 201, done.text
        assert _redeem(base, token, "k-1", "fuel-100").json() == done.json()
        assert platform.coins.balance(me).balance == 2000
        prize = done.json()["rewards"][0]
        mine = call(base, token, "GET", "/v1/rewards").json()
        assert [(r["id"], r["status"]) for r in mine] == [(prize, "awaiting_address")]
        address = {"name": "李华", "phone": "13800138000", "address": "北京市朝阳区建国路88号"}
        given = call(base, token, "PUT", f"/v1/rewards/{prize}/address", json=address)
        assert given.status_code == 200, given.text
        assert (given.json()["status"], given.json()["due"]) == ("shipping", "2026-09-15")
        other = platform.access.issue(member(platform, "c-other"), Role.CONSUMER).token
        assert call(base, other, "GET", f"/v1/rewards/{prize}").status_code == 404
        assert (
            call(base, other, "PUT", f"/v1/rewards/{prize}/address", json=address).status_code
            == 404
        )
        ops = platform.access.issue("ops-lihua", Role.OPERATOR).token
        queue = call(base, ops, "GET", "/v1/fulfilment").json()
        assert [r["id"] for r in queue] == [prize]
        ship = {"carrier": "顺丰", "waybill": "SF1234567890"}
        assert (
            call(base, token, "POST", f"/v1/rewards/{prize}/shipment", json=ship).status_code == 403
        )
        shipped = call(base, ops, "POST", f"/v1/rewards/{prize}/shipment", json=ship)
        assert shipped.json()["status"] == "shipped", shipped.text
        again = call(base, ops, "POST", f"/v1/rewards/{prize}/shipment", json=ship)
        assert again.status_code == 409


def _count(engine, table) -> int:
    with engine.connect() as connection:
        return len(connection.execute(table.select()).all())


def test_one_member_storming_with_coins_for_three_gets_three(engine):
    platform, served = _site(engine)
    member(platform, "c-1", coins=3 * 1500 + 1499)
    token = platform.access.issue("c-1", Role.CONSUMER).token
    with served as base, ThreadPoolExecutor(16) as pool:
        keys = [f"k-{n % 12}" for n in range(24)]  # every key twice
        answers = list(pool.map(lambda k: _redeem(base, token, k), keys))
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}
    won = {a.json()["id"] for a in answers if a.status_code == 201}
    assert len(won) == 3
    assert platform.coins.balance("c-1").balance == 1499
    assert _count(engine, redemptions) == 3
    assert _count(engine, rewards) == 3
    left = platform.redemptions.catalog(LAUNCH).items[0].left
    assert left == 5000 - 3


def test_many_members_storming_two_servers_never_oversell_or_overdraw(engine):
    one = {"id": "topup-10", "name": "10元话费", "coins": 1500, "stock": 7}
    one["reward"] = {"kind": "top_up", "name": "10元话费", "value": 1000}
    platform, served = _site(engine, items=[one], budget=5000)  # the line funds 5
    other = launched(engine, Clock(MID_SEPTEMBER), apply=False)  # a second API process
    tokens = []
    for n in range(20):
        member(platform, f"c-{n}", coins=3000)
        tokens.append(platform.access.issue(f"c-{n}", Role.CONSUMER).token)
    with served as one_base, serving(create_app(other)) as two, ThreadPoolExecutor(20) as pool:
        bases = [one_base, two] * 10
        answers = list(pool.map(lambda n: _redeem(bases[n], tokens[n], "same-key"), range(20)))
    codes = [a.status_code for a in answers]
    assert codes.count(201) == 5, [a.text for a in answers if a.status_code != 201][:3]
    refused = {a.json()["error"]["code"] for a in answers if a.status_code != 201}
    assert refused <= {"budget_spent", "out_of_stock"}
    with engine.connect() as connection:
        drawn = connection.execute(budget_draws.select()).one().drawn
        balances = [r.balance for r in connection.execute(coin_balances.select())]
    assert drawn == 5000
    assert min(balances) >= 0
    assert sorted(balances).count(1500) == 5
    assert platform.redemptions.catalog(LAUNCH).items[0].left == 2
