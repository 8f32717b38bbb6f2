"""The lottery over HTTP on SQLite and PostgreSQL: chances the server grants (3 on a
verified member's first visit, 1 on each later day's), draws once per Idempotency-Key,
no draw without a chance, none for an unverified customer or a paused campaign."""

import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.integration.conftest import NO_REDIS, REDIS_URL, intake_of
from tests.integration.http import serving
from tests.integration.test_api import Clock, call
from tests.integration.test_registration_api import _sign_in

pytestmark = pytest.mark.integration

LAUNCH = Path(__file__).parents[2] / "src/dacu/examples/launch.yaml"
SEP_3 = datetime(2026, 9, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
LOTTERY = "/v1/campaigns/launch-2026-09/lottery"


@pytest.fixture
def site(engine):
    clock = Clock(SEP_3)
    platform = bootstrap(engine, clock=clock)
    document = load_yaml(LAUNCH.read_text(encoding="utf-8"))
    platform.campaigns.apply(*load_campaign(document), "ops-lihua", SEP_3)
    with serving(create_app(platform)) as base:
        yield base, clock, platform


def _draw(base: str, token: str, key: str):
    return call(base, token, "POST", f"{LOTTERY}/draws", headers={"Idempotency-Key": key})


def test_a_new_member_gets_three_chances_then_one_a_day(site):
    base, clock, platform = site
    token = _sign_in(base, platform)["token"]
    first = call(base, token, "GET", LOTTERY)
    assert first.status_code == 200, first.text
    assert first.json()["chances_left"] == 3
    assert {p["id"] for p in first.json()["prizes"]} >= {"phone-10", "fuel-100", "thanks"}
    assert call(base, token, "GET", LOTTERY).json()["chances_left"] == 3  # same day
    clock.now = SEP_3 + timedelta(days=1)
    assert call(base, token, "GET", LOTTERY).json()["chances_left"] == 4
    assert call(base, token, "GET", LOTTERY).json()["chances_left"] == 4


def test_draws_use_chances_once_per_key(site):
    base, _, platform = site
    token = _sign_in(base, platform)["token"]
    call(base, token, "GET", LOTTERY)
    drawn = [_draw(base, token, f"k{n}") for n in range(3)]
    assert [d.status_code for d in drawn] == [201, 201, 201], drawn[0].text
    again = _draw(base, token, "k0")
    assert again.json() == drawn[0].json()
    refused = _draw(base, token, "k3")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "no_chance"
    mine = call(base, token, "GET", f"{LOTTERY}/draws").json()
    assert sorted(d["id"] for d in mine) == sorted(d.json()["id"] for d in drawn)
    assert call(base, token, "GET", LOTTERY).json()["chances_left"] == 0
    for d in drawn:
        assert d.json()["status"] in {"given", "pending", "awaiting_address", "nothing"}


def test_the_key_is_required(site):
    base, _, platform = site
    token = _sign_in(base, platform)["token"]
    assert call(base, token, "POST", f"{LOTTERY}/draws").status_code == 422


def test_an_unverified_customer_gets_no_chance(site):
    base, _, platform = site
    token = platform.access.issue("u-unverified", Role.CONSUMER).token
    seen = call(base, token, "GET", LOTTERY).json()
    assert seen["verified"] is False
    assert seen["chances_left"] == 0
    assert _draw(base, token, "k").status_code == 403


def test_a_paused_campaign_draws_nothing(site):
    base, clock, platform = site
    token = _sign_in(base, platform)["token"]
    call(base, token, "GET", LOTTERY)
    platform.campaigns.pause("launch-2026-09", "ops-lihua", clock.now)
    refused = _draw(base, token, "k")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "campaign_state"
    assert call(base, token, "GET", LOTTERY).json()["chances_left"] == 3


@pytest.mark.skipif(not REDIS_URL, reason=NO_REDIS)
def test_draws_through_redis_are_recorded_in_the_database(engine):
    clock = Clock(SEP_3)
    with intake_of("redis") as (url, prefix):
        platform = bootstrap(engine, clock=clock, redis_url=url, redis_prefix=prefix)
        document = load_yaml(LAUNCH.read_text(encoding="utf-8"))
        platform.campaigns.apply(*load_campaign(document), "ops-lihua", SEP_3)
        with serving(create_app(platform)) as base:
            token = _sign_in(base, platform)["token"]
            assert call(base, token, "GET", LOTTERY).json()["chances_left"] == 3
            drawn = [_draw(base, token, f"k{n}").json() for n in range(3)]
            assert _draw(base, token, "k0").json() == drawn[0]
            assert _draw(base, token, "k3").status_code == 409
            for _ in range(100):  # the API process's writer writes them behind
                mine = call(base, token, "GET", f"{LOTTERY}/draws").json()
                if len(mine) == len(drawn):
                    break
                time.sleep(0.05)
            assert sorted(d["id"] for d in mine) == sorted(d["id"] for d in drawn)
            assert _draw(base, token, "k0").json() == drawn[0]


@pytest.mark.parametrize(
    ("point", "prize", "status"),
    [
        (0, "phone-10", "given"),  # 话费: through the top-up port, confirmed
        (1000, "coins-10", "given"),
        (2000, "red-5", "given"),
        (3000, "coupon-50-10", "given"),
        (3752, "fuel-100", "awaiting_address"),  # 3750–3755: weight 5
        (3760, "cinema", "awaiting_address"),
        (9000, "thanks", "nothing"),
    ],
)
def test_each_kind_of_prize_lands_where_it_belongs(site, point, prize, status):
    base, _, platform = site
    platform.lottery._roll = lambda: -(-point * (1 << 32) // 10_000)  # the weights add to 10,000
    token = _sign_in(base, platform)["token"]
    call(base, token, "GET", LOTTERY)
    drawn = _draw(base, token, "k1").json()
    assert (drawn["prize_id"], drawn["status"]) == (prize, status)
    wallet = [c["template_id"] for c in call(base, token, "GET", "/v1/me/wallet").json()]
    expected = {"red-5": ["lottery-red-5"], "coupon-50-10": ["lottery-50-10"]}.get(prize, [])
    assert [t for t in wallet if t.startswith("lottery-")] == expected
