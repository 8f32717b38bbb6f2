"""Money that stops when told, in every process: two `dacu serve` processes on one
PostgreSQL. A campaign paused or ended through one stops claims (activity codes too),
quotes, checkout and flash attempts in the other within a second; resumed, they work
again. The kill switch of a sale's flash-price promotion stops its attempts likewise. A
campaign whose last phase is over stops them too, though nobody ended it."""

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from dacu.adapters.principals import SqlPrincipals
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.schemas.yamlfile import load_yaml
from tests.e2e.cli import clean_env
from tests.integration.conftest import (
    POSTGRES_URL,
    REDIS,
    REDIS_URL,
    postgres_engine,
    redis_keys,
    stock_example_goods,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs DACU_TEST_DATABASE_URL (PostgreSQL)"),
]

ROOT = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Asia/Shanghai")
WITHIN_S = 1.0
CAMPAIGN, OVER = "stop-now", "stop-over"
COAT = {"cart": {"items": [{"sku": "A-COAT", "qty": 1}]}}  # 45,900; 满300减50 when live
COAT_LIST = 45900


def campaign_document(campaign_id: str, now: datetime, *, over: bool = False) -> dict[str, Any]:
    """The example campaign, live, its phases around `now` (or all ended an hour ago), with
    its apparel tiers and one coupon claimable now."""
    document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
    start = now - timedelta(days=3 if over else 2)
    ends = [start + timedelta(days=1), now - timedelta(hours=1), now - timedelta(minutes=30)]
    if not over:
        ends = [start + timedelta(days=1), now + timedelta(days=1), now + timedelta(days=2)]
    phases, begins = [], start
    for name, end in zip(("warm_up", "burst", "encore"), ends, strict=True):
        phases.append({"name": name, "starts_at": begins.isoformat(), "ends_at": end.isoformat()})
        begins = end + timedelta(seconds=1)
    apparel = next(p for p in document["promotions"] if p["id"] == "apparel-300-50")
    flash = next(p for p in document["promotions"] if p["id"] == "flash-phone-20h")
    flash |= {"id": f"{campaign_id}-flash", "starts_at": begins_at(now), "ends_at": ends_at(now)}
    coupon = next(c for c in document["coupons"] if c["id"] == "warm-up-300-30")
    window = {"starts_at": start.isoformat(), "ends_at": (now + timedelta(days=1)).isoformat()}
    return document | {
        "id": campaign_id,
        "phases": phases,
        "promotions": [apparel | {"id": f"{campaign_id}-apparel"}, flash],
        "coupons": [coupon | {"id": f"{campaign_id}-coupon", "claim_window": window}],
    }


def begins_at(now: datetime) -> str:
    return (now - timedelta(minutes=5)).isoformat()


def ends_at(now: datetime) -> str:
    return (now + timedelta(hours=2)).isoformat()


def flash_sale(campaign_id: str, now: datetime) -> dict[str, Any]:
    return {
        "id": f"{campaign_id}-phone",
        "campaign_id": campaign_id,
        "promotion_id": f"{campaign_id}-flash",
        "sku": "P-PHONE",
        "starts_at": begins_at(now),
        "ends_at": ends_at(now),
        "stock": 10_000,
        "limit_per_user": 10_000,
        "price": 359900,
        "user_rate": 10_000,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def api_process(url: str, redis: dict[str, str]) -> Iterator[str]:
    """`dacu serve` in a process of its own on `url` (and Redis); its base URL."""
    port = _free_port()
    env = clean_env(DACU_DATABASE_URL=url, **redis)
    command = [sys.executable, "-m", "dacu", "serve", "--port", str(port), "--no-access-log"]
    child = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).is_success:
                    break
            except httpx.HTTPError:
                pass
            assert child.poll() is None, "dacu serve exited"
            assert time.monotonic() < deadline, "dacu serve did not start"
            time.sleep(0.1)
        yield base
    finally:
        child.terminate()
        child.wait(timeout=20)


class Apis:
    def __init__(self, a: str, b: str, tokens: dict[str, str]) -> None:
        self.a, self.b, self.tokens = a, b, tokens
        self.n = 0

    def call(self, base: str, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = kw.pop("headers", {}) | {"Authorization": f"Bearer {self.tokens[who]}"}
        return httpx.request(method, base + path, headers=headers, timeout=30, **kw)

    def key(self) -> dict[str, str]:
        self.n += 1
        return {"Idempotency-Key": f"k{self.n}"}

    # what process B is asked, each answer reduced to what the test checks

    def attempt(self, campaign_id: str) -> str:
        self.n += 1
        body = {"request_id": f"r{self.n}", "qty": 1}
        path = f"/v1/flash-sales/{campaign_id}-phone/attempts"
        answer = self.call(self.b, "u1", "POST", path, json=body)
        return "accepted" if answer.status_code == 201 else _code(answer)

    def claim(self, campaign_id: str, who: str = "u2") -> str:
        path = f"/v1/coupon-templates/{campaign_id}-coupon/claims"
        answer = self.call(self.b, who, "POST", path, json={}, headers=self.key())
        return "claimed" if answer.status_code == 201 else _code(answer)

    def code_claim(self, code: str, who: str) -> str:
        answer = self.call(self.b, who, "POST", f"/v1/codes/{code}/claims", json={})
        return "claimed" if answer.status_code == 201 else _code(answer)

    def quote(self) -> int:
        answer = self.call(self.b, "u1", "POST", "/v1/quotes", json=COAT)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["payable"])

    def checkout(self) -> int:
        answer = self.call(self.b, "u1", "POST", "/v1/orders", json=COAT, headers=self.key())
        assert answer.status_code == 201, answer.text
        return int(answer.json()["payable"])

    def status(self, campaign_id: str, status: str) -> None:
        path = f"/v1/campaigns/{campaign_id}/status"
        moved = self.call(self.a, "ops", "POST", path, json={"status": status})
        assert moved.status_code == 200, moved.text


def _code(answer: httpx.Response) -> str:
    return str(answer.json()["error"]["code"])


def within_a_second(since: float, ask: Callable[[], object], want: object) -> None:
    """`ask` answers `want` within a second of `since` (asked again until it does)."""
    while True:
        asked = time.monotonic()
        if ask() == want:
            return
        assert asked - since < WITHIN_S, f"still not {want!r} {asked - since:.2f} s later"
        time.sleep(0.02)


@pytest.fixture(params=["sql", REDIS])
def apis(request: pytest.FixtureRequest) -> Iterator[Apis]:
    now = datetime.now(ZONE)
    on_redis = request.param == "redis"
    with (
        postgres_engine() as engine,
        redis_keys() if on_redis else nullcontext((None, "")) as (
            _,
            prefix,
        ),
    ):
        redis = {"DACU_REDIS_URL": REDIS_URL or "", "DACU_REDIS_PREFIX": prefix} if on_redis else {}
        platform = bootstrap(engine, redis_url=REDIS_URL if on_redis else None, redis_prefix=prefix)
        stock_example_goods(platform)
        principals = SqlPrincipals(engine)
        tokens = {
            who: principals.issue(who, role, frozenset(), now)
            for who, role in [("ops", Role.OPERATOR), ("risk", Role.RISK)]
            + [(f"u{i}", Role.CONSUMER) for i in range(1, 6)]
        }
        url = engine.url.render_as_string(hide_password=False)
        with api_process(url, redis) as a, api_process(url, redis) as b:
            apis = Apis(a, b, tokens)
            for campaign_id, over in ((CAMPAIGN, False), (OVER, True)):
                document = campaign_document(campaign_id, now, over=over)
                put = apis.call(a, "ops", "PUT", f"/v1/campaigns/{campaign_id}", json=document)
                assert put.status_code in (200, 201), put.text
                sale = apis.call(
                    a, "ops", "POST", "/v1/flash-sales", json=flash_sale(campaign_id, now)
                )
                assert sale.status_code == 201, sale.text
                code = {"code": f"{campaign_id}-code", "max_uses": 100}
                added = apis.call(
                    a, "ops", "POST", f"/v1/coupon-templates/{campaign_id}-coupon/codes", json=code
                )
                assert added.status_code == 201, added.text
            yield apis
        platform.close()


def test_pause_resume_and_end_reach_the_other_process_within_a_second(apis):
    # given: the campaign live, as process B sees it
    assert apis.claim(CAMPAIGN, "u1") == "claimed"  # u1 holds its 满300减30 coupon
    assert apis.quote() < COAT_LIST - 5000 + 1
    assert apis.attempt(CAMPAIGN) == "accepted"

    # when: process A pauses it
    apis.status(CAMPAIGN, "paused")
    paused = time.monotonic()
    # then: within a second B refuses attempts and claims, and prices nothing of it
    within_a_second(paused, lambda: apis.attempt(CAMPAIGN), "campaign_state")
    within_a_second(paused, lambda: apis.claim(CAMPAIGN), "campaign_state")
    within_a_second(paused, lambda: apis.code_claim(f"{CAMPAIGN}-code", "u2"), "campaign_state")
    within_a_second(paused, apis.quote, COAT_LIST)
    within_a_second(paused, apis.checkout, COAT_LIST)

    # when: resumed
    apis.status(CAMPAIGN, "live")
    resumed = time.monotonic()
    # then: all of it works again
    within_a_second(resumed, lambda: apis.attempt(CAMPAIGN), "accepted")
    within_a_second(resumed, lambda: apis.claim(CAMPAIGN, "u4"), "claimed")
    within_a_second(resumed, lambda: apis.code_claim(f"{CAMPAIGN}-code", "u3"), "claimed")
    assert apis.quote() < COAT_LIST - 5000 + 1
    assert apis.checkout() < COAT_LIST - 5000 + 1

    # when: the sale's flash-price promotion is killed, then revived
    kill = f"/v1/campaigns/{CAMPAIGN}/promotions/{CAMPAIGN}-flash/kill"
    assert apis.call(apis.a, "risk", "POST", kill, json={"killed": True}).status_code == 200
    within_a_second(time.monotonic(), lambda: apis.attempt(CAMPAIGN), "campaign_state")
    assert apis.call(apis.a, "risk", "POST", kill, json={"killed": False}).status_code == 200
    within_a_second(time.monotonic(), lambda: apis.attempt(CAMPAIGN), "accepted")

    # when: killed (ended for good)
    apis.status(CAMPAIGN, "ended")
    ended = time.monotonic()
    # then: stopped as when paused, and it cannot be resumed
    within_a_second(ended, lambda: apis.attempt(CAMPAIGN), "campaign_state")
    within_a_second(ended, lambda: apis.claim(CAMPAIGN, "u1"), "campaign_state")
    within_a_second(ended, lambda: apis.code_claim(f"{CAMPAIGN}-code", "u1"), "campaign_state")
    within_a_second(ended, apis.quote, COAT_LIST)
    within_a_second(ended, apis.checkout, COAT_LIST)
    revived = apis.call(
        apis.a, "ops", "POST", f"/v1/campaigns/{CAMPAIGN}/status", json={"status": "live"}
    )
    assert revived.status_code == 409


def test_a_campaign_past_its_last_phase_stops_though_nobody_ended_it(apis):
    # given: its status still says live
    listed = apis.call(apis.b, "ops", "GET", "/v1/campaigns").json()
    assert {c["id"]: c["status"] for c in listed}[OVER] == "live"
    # then: no flash attempt, no claim, no activity code, nothing priced
    assert apis.attempt(OVER) == "campaign_state"
    assert apis.claim(OVER) == "campaign_state"
    assert apis.code_claim(f"{OVER}-code", "u2") == "campaign_state"
    apis.status(CAMPAIGN, "paused")  # the other campaign out of the way: OVER's tiers alone
    within_a_second(time.monotonic(), apis.quote, COAT_LIST)
