"""Ad spend rebates and penalties over HTTP on real SQLite and PostgreSQL: the rebate is
the server's (15%, capped per shop and campaign, even under concurrent records), once
per reference; a penalty posts once per key and its withdrawal reverses it, audited."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from dacu.adapters.audit import history
from dacu.domain.ledger import EntryKind
from tests.integration.shipping_rig import CAMPAIGN, PAID, Clock, served, shipping_platform

pytestmark = pytest.mark.integration
SPEND = f"/v1/campaigns/{CAMPAIGN}/ad-spend"
PENALTIES = f"/v1/campaigns/{CAMPAIGN}/penalties"


@pytest.fixture
def world(engine):
    platform = shipping_platform(engine, Clock(PAID))
    with served(platform) as call:
        yield platform, call, engine


def spend(call, amount, reference, shop="home-goods", who="fin"):
    body = {"shop": shop, "amount": amount, "reference": reference}
    return call(who, "POST", SPEND, json=body)


def test_ad_spend_earns_15_percent_once_per_reference_and_never_past_the_cap(world):
    platform, call, _ = world
    first = spend(call, 10_001, "bill-1")
    assert first.status_code == 201, first.text
    assert first.json()["rebate"] == 1500  # floor(10001 × 15%)
    assert spend(call, 10_001, "bill-1").status_code == 200
    assert spend(call, 9_999, "bill-1").json()["error"]["field"] == "reference"
    big = spend(call, 40_000_000, "bill-2").json()  # 15% is 6,000,000: cut to the cap
    assert big["rebate"] == 5_000_000 - 1500
    assert spend(call, 100_000, "bill-3").json()["rebate"] == 0
    owed = platform.ledger.balances("merchant:home-goods:ad_rebate", CAMPAIGN)
    assert owed == {"merchant:home-goods:ad_rebate": -5_000_000}
    entry = platform.ledger.entry(f"ad_rebate:{CAMPAIGN}:home-goods:bill-1")
    assert entry is not None
    assert entry[0].kind is EntryKind.AD_REBATE
    assert platform.ledger.entry(f"ad_rebate:{CAMPAIGN}:home-goods:bill-3") is None
    listed = call("home", "GET", SPEND).json()
    assert [r["reference"] for r in listed] == ["bill-3", "bill-2", "bill-1"]
    assert call("north", "GET", SPEND).json() == []
    assert call("north", "GET", SPEND, params={"shop": "home-goods"}).json() == []


def test_concurrent_records_of_one_shop_never_pass_the_cap(world):
    platform, call, _ = world
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: spend(call, 10_000_000, f"b-{i}"), range(8)))
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
    assert sum(a.json()["rebate"] for a in answers) == 5_000_000
    owed = platform.ledger.balances("merchant:home-goods:", CAMPAIGN)
    assert owed["merchant:home-goods:ad_rebate"] == -5_000_000
    assert platform.ledger.trial_balance() == 0


def test_who_may_record_ad_spend_and_what_is_refused(world):
    _, call, _ = world
    assert spend(call, 100, "b", who="home").status_code == 403
    assert spend(call, 100, "b", who="risk").status_code == 403
    assert spend(call, 0, "b").status_code == 422
    assert spend(call, 100, "b", shop="nowhere").status_code == 404
    body = {"shop": "home-goods", "amount": 100, "reference": "b"}
    assert call("ops", "POST", "/v1/campaigns/none/ad-spend", json=body).status_code == 404


def test_a_penalty_posts_once_and_its_withdrawal_reverses_it_audited(world):
    platform, call, engine = world
    body = {
        "shop": "north-wear",
        "kind": "brushing",
        "amount": 20_000,
        "reason": "刷单 38 笔",
        "evidence": "orders o-1…o-38 from one device",
    }
    made = call("risk", "POST", PENALTIES, key="p-1", json=body)
    assert made.status_code == 201, made.text
    penalty = made.json()
    assert call("risk", "POST", PENALTIES, key="p-1", json=body).json()["id"] == penalty["id"]
    other = call("risk", "POST", PENALTIES, key="p-1", json={**body, "amount": 1})
    assert other.status_code == 409
    owed = platform.ledger.balances("merchant:north-wear:penalty", CAMPAIGN)
    assert owed == {"merchant:north-wear:penalty": 20_000}
    path = f"/v1/penalties/{penalty['id']}/withdraw"
    assert call("risk", "POST", path, json={"reason": "申诉成立"}).status_code == 403
    done = call("ops", "POST", path, json={"reason": "申诉成立"})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["withdrawn_by"]) == ("withdrawn", "ops")
    assert call("ops", "POST", path, json={"reason": "again"}).json()["status"] == "withdrawn"
    owed = platform.ledger.balances("merchant:north-wear:penalty", CAMPAIGN)
    assert owed == {"merchant:north-wear:penalty": 0}
    assert platform.ledger.entry(f"penalty:{penalty['id']}:withdrawn") is not None
    actions = [row["action"] for row in history(engine, f"penalty:{penalty['id']}")]
    assert actions == ["penalty.record", "penalty.withdraw"]
    assert [p["id"] for p in call("north", "GET", PENALTIES).json()] == [penalty["id"]]
    assert call("home", "GET", PENALTIES).json() == []
    assert call("home", "GET", f"/v1/penalties/{penalty['id']}").status_code == 404


def test_penalty_input_is_checked(world):
    _, call, _ = world
    good = {"shop": "north-wear", "kind": "late_shipment", "amount": 100, "reason": "延迟发货"}
    assert call("home", "POST", PENALTIES, key="x", json=good).status_code == 403
    assert call("ops", "POST", PENALTIES, json=good).status_code == 422  # no key
    wrong = call("ops", "POST", PENALTIES, key="y", json={**good, "kind": "bad"})
    assert wrong.status_code == 422
    assert call("ops", "POST", PENALTIES, key="z", json={**good, "amount": -5}).status_code == 422
    missing = call("ops", "POST", "/v1/penalties/pen-none/withdraw", json={"reason": "x"})
    assert missing.status_code == 404


def test_hostile_text_is_refused_before_anything_is_written(world):
    platform, call, _ = world
    good = {"shop": "north-wear", "kind": "other", "amount": 100, "reason": "x"}
    nul = call("ops", "POST", PENALTIES, key="h-1", json={**good, "evidence": "a\u0000b"})
    assert nul.status_code in (400, 422)
    line = call("ops", "POST", PENALTIES, key="h-2", json={**good, "reason": "a\nb"})
    assert line.status_code == 422
    long = call("ops", "POST", PENALTIES, key="h-3", json={**good, "reason": "x" * 501})
    assert long.status_code == 422
    huge = spend(call, 10**12 + 1, "b-huge")
    assert huge.status_code == 422
    assert call("ops", "GET", PENALTIES).json() == []
    assert platform.ledger.trial_balance() == 0
