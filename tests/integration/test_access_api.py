"""Who gets in, over HTTP on real SQLite and PostgreSQL (and Redis): someone else's order
is answered as one that does not exist, tokens expire and are revoked at once in every
process, every answer carries the security headers, and copies of one claim sent at once
all get the one coupon."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import timedelta

import httpx
import pytest
import redis

from dacu.adapters.principal_cache import principal_key
from dacu.adapters.principals import digest
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.conftest import REDIS, REDIS_URL, intake_of, stock_example_goods
from tests.integration.http import serving
from tests.integration.test_api import BURST, WARM_UP, Clock, _json, call, double11

pytestmark = pytest.mark.integration

COAT = {"sku": "A-COAT", "qty": 1}


@pytest.fixture
def site(engine):
    clock = Clock(WARM_UP)
    platform = bootstrap(engine, clock=clock)
    stock_example_goods(platform)
    access = platform.access
    tokens = {
        name: access.issue(name, role).token
        for name, role in [
            ("ops-lihua", Role.OPERATOR),
            ("u-1", Role.CONSUMER),
            ("u-2", Role.CONSUMER),
        ]
    }
    with serving(create_app(platform)) as base:
        call(
            base, tokens["ops-lihua"], "PUT", "/v1/campaigns/double11-2026", json=_json(double11())
        )
        yield base, tokens, clock, platform


def test_someone_elses_order_is_answered_as_one_that_does_not_exist(site):
    base, tokens, clock, _ = site
    clock.now = BURST
    placed = call(
        base,
        tokens["u-1"],
        "POST",
        "/v1/orders",
        headers={"Idempotency-Key": "o-1"},
        json={"cart": {"items": [COAT]}},
    )
    assert placed.status_code == 201, placed.text
    mine = placed.json()["id"]
    stranger = tokens["u-2"]
    for method, tail, body in [
        ("GET", "", None),
        ("POST", "/cancel", None),
        ("POST", "/refunds", {"sku": "A-COAT", "qty": 1}),
    ]:
        headers = {"Idempotency-Key": "r-1"}
        theirs = call(
            base, stranger, method, f"/v1/orders/{mine}{tail}", headers=headers, json=body
        )
        never = call(
            base, stranger, method, f"/v1/orders/no-such{tail}", headers=headers, json=body
        )
        assert theirs.status_code == never.status_code == 404, theirs.text
        assert theirs.json()["error"] == never.json()["error"] | {"message": f"no order {mine}"}
        assert theirs.json()["error"]["code"] == "unknown_order"
    # no consumer marks any order paid: the same refusal for theirs and for none
    theirs, never = (call(base, stranger, "POST", f"/v1/orders/{o}/pay") for o in (mine, "none"))
    assert theirs.status_code == never.status_code == 403
    assert theirs.json() == never.json()
    # and the order is untouched: still the owner's, unpaid
    assert (
        call(base, tokens["u-1"], "GET", f"/v1/orders/{mine}").json()["status"] == "pending_payment"
    )


def test_an_expired_token_is_a_401_in_the_one_error_shape(site):
    base, tokens, clock, platform = site
    short = platform.access.issue("u-9", Role.CONSUMER, ttl=timedelta(hours=1)).token
    assert call(base, short, "GET", "/v1/me/wallet").status_code == 200  # now cached, too
    clock.now = WARM_UP + timedelta(hours=1)
    expired = call(base, short, "GET", "/v1/me/wallet")
    assert expired.status_code == 401
    assert expired.json() == {
        "error": {"code": "unauthenticated", "message": "that token has expired", "field": None}
    }
    assert expired.headers["www-authenticate"] == "Bearer"
    assert call(base, tokens["u-1"], "GET", "/v1/me/wallet").status_code == 200  # 30 days


def test_copies_of_one_claim_sent_at_once_over_http_all_get_the_one_coupon(site):
    base, tokens, _, _ = site
    start = threading.Barrier(12)

    def copy(_: int) -> httpx.Response:
        start.wait()
        return call(
            base,
            tokens["u-1"],
            "POST",
            "/v1/coupon-templates/warm-up-300-30/claims",
            headers={"Idempotency-Key": "claim-once"},
            json={},
        )

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(copy, range(12)))
    assert {answer.status_code for answer in answers} == {201}, [a.text for a in answers]
    assert len({answer.json()["id"] for answer in answers}) == 1
    counts = call(base, tokens["ops-lihua"], "GET", "/v1/coupon-templates/warm-up-300-30/counts")
    assert counts.json()["issued"] == 1


def test_every_answer_carries_the_security_headers(site):
    base, tokens, _, _ = site
    answers = [
        httpx.get(f"{base}/health"),
        httpx.get(f"{base}/v1/campaigns"),  # 401
        httpx.get(f"{base}/no-such-route"),  # 404
        httpx.post(f"{base}/v1/quotes", content=b"x" * (2 * 1024 * 1024)),  # 413, refused first
        httpx.get(f"{base}/console/login"),
        httpx.get(f"{base}/console/static/console.js"),
        call(base, tokens["u-1"], "GET", "/v1/me/wallet"),
    ]
    for answer in answers:
        headers = answer.headers
        assert headers["content-security-policy"].startswith("default-src 'self'"), answer.url
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "'unsafe-inline'" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
    assert answers[4].headers["cache-control"] == "no-store"  # console pages are not kept
    docs = httpx.get(f"{base}/docs")
    nonce = docs.headers["content-security-policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in docs.text
    assert "<script>" not in docs.text


@pytest.mark.parametrize("kind", ["sql", REDIS])
def test_a_revoked_token_is_refused_by_every_api_process_within_a_second(engine, kind):
    # given: two API processes' platforms (each its own token cache), one token used on both
    clock = Clock(WARM_UP)
    with intake_of(kind) as (redis_url, prefix), ExitStack() as stack:
        made = [
            bootstrap(engine, clock=clock, redis_url=redis_url, redis_prefix=prefix)
            for _ in range(3)
        ]
        bases = [stack.enter_context(serving(create_app(platform))) for platform in made[:2]]
        issued = made[2].access.issue("u-7", Role.CONSUMER)
        for base in bases:
            assert call(base, issued.token, "GET", "/v1/me/wallet").status_code == 200

        # when: an operator revokes it by its id (as `dacu token revoke` does)
        assert made[2].access.revoke(issued.id)

        # then: the shared cache holds it revoked at once, and both processes refuse it
        if redis_url is not None:
            shared = redis.Redis.from_url(redis_url)
            assert shared.get(principal_key(prefix, digest(issued.token))) == b"revoked"
            shared.close()
        deadline = time.monotonic() + 1.5  # a second, and the test's own slack
        while True:
            codes = [call(base, issued.token, "GET", "/v1/me/wallet").status_code for base in bases]
            if codes == [401, 401] or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert codes == [401, 401]
        assert not made[2].access.revoke("0123456789abcdef")  # no such token: nothing done


@pytest.mark.skipif(REDIS_URL is None, reason="needs Redis")
def test_a_revocation_is_not_undone_by_a_process_that_read_the_token_just_before(engine):
    with intake_of("redis") as (redis_url, prefix):
        platform = bootstrap(engine, redis_url=redis_url, redis_prefix=prefix)
        issued = platform.access.issue("u-8", Role.CONSUMER)
        platform.access.revoke(issued.token)
        # a process that loaded the principal before the revocation shares it afterwards
        shared = redis.Redis.from_url(redis_url)
        key = principal_key(prefix, digest(issued.token))
        assert not shared.set(key, "u-8|consumer||", nx=True)  # the tombstone stands
        assert shared.get(key) == b"revoked"
        shared.close()
