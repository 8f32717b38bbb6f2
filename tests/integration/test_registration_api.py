"""Registration and sign-in by phone over HTTP, on real SQLite and PostgreSQL: the code
goes to the phone (the messages outbox) and nowhere else, asking is limited per phone and
per address in every process at once, and signing in gives a consumer token that checks
out as that customer."""

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from dacu.adapters.audit import history
from dacu.adapters.message_outbox import SqlMessageOutbox
from dacu.adapters.tables import verification_codes
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.conftest import stock_example_goods
from tests.integration.http import serving
from tests.integration.test_api import WARM_UP, Clock, call

pytestmark = pytest.mark.integration

PHONE, E164 = "13800138000", "+8613800138000"


@pytest.fixture
def site(engine):
    clock = Clock(WARM_UP)
    platform = bootstrap(engine, clock=clock)
    stock_example_goods(platform)
    operator = platform.access.issue("ops-lihua", Role.OPERATOR).token
    with serving(create_app(platform)) as base:
        yield base, operator, clock, platform


def _code(platform, phone: str = E164) -> str:
    """What the phone received: read from the outbox, as the phone's owner would."""
    text = SqlMessageOutbox(platform.engine).last_message(phone)
    assert text is not None
    found = re.search(r"\d{6}", text)
    assert found is not None
    return found.group()


def _sign_in(base: str, platform, phone: str = PHONE) -> dict:
    asked = call(base, None, "POST", "/v1/customers/codes", json={"phone": phone})
    assert asked.status_code == 202, asked.text
    signed = call(
        base, None, "POST", "/v1/customers/sessions", json={"phone": phone, "code": _code(platform)}
    )
    assert signed.status_code == 201, signed.text
    return dict(signed.json())


@pytest.mark.parametrize("phone", ["12345", "+14155552671", "01012345678", "x" * 40])
def test_anything_but_a_mainland_mobile_is_a_422_naming_the_phone(site, phone):
    base, *_ = site
    response = call(base, None, "POST", "/v1/customers/codes", json={"phone": phone})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "phone"


def test_the_code_is_in_the_text_message_only(site, caplog):
    base, _, _, platform = site
    caplog.set_level(logging.DEBUG)
    asked = call(base, None, "POST", "/v1/customers/codes", json={"phone": PHONE})
    assert asked.status_code == 202
    code = _code(platform)
    assert code not in asked.text
    assert asked.json()["phone"] == "138****8000"
    signed = call(base, None, "POST", "/v1/customers/sessions", json={"phone": PHONE, "code": code})
    assert code not in signed.text
    elsewhere = [r for r in caplog.records if r.name != "dacu.messages"]
    assert not [r for r in elsewhere if code in r.getMessage()]
    with platform.engine.connect() as connection:
        stored = connection.execute(verification_codes.select()).one()
    assert code not in stored.code_hash


def test_asking_twice_within_the_minute_is_a_429(site):
    base, _, clock, _ = site
    first = call(base, None, "POST", "/v1/customers/codes", json={"phone": PHONE})
    again = call(base, None, "POST", "/v1/customers/codes", json={"phone": "+86 138 0013 8000"})
    assert first.status_code == 202
    assert again.status_code == 429, again.text
    assert again.json()["error"]["code"] == "rate_limited"
    assert again.json()["error"]["field"] == "phone"
    assert int(again.headers["Retry-After"]) > 0
    clock.now += timedelta(seconds=60)
    assert call(base, None, "POST", "/v1/customers/codes", json={"phone": PHONE}).status_code == 202


def test_signing_in_gives_a_token_that_checks_out_as_that_customer(site):
    base, _, _, platform = site
    signed = _sign_in(base, platform)
    assert signed["new"] is True
    token, customer_id = signed["token"], signed["customer_id"]
    me = call(base, token, "GET", "/v1/customers/me")
    assert me.status_code == 200, me.text
    assert me.json() == {
        "id": customer_id,
        "phone": "138****8000",
        "phone_verified": True,
        "member_tier": None,
        "registered_at": me.json()["registered_at"],
    }
    assert platform.customers.facts(customer_id).phone_verified
    order = call(
        base,
        token,
        "POST",
        "/v1/orders",
        headers={"Idempotency-Key": "first"},
        json={"cart": {"items": [{"sku": "A-COAT", "qty": 1}]}},
    )
    assert order.status_code == 201, order.text
    assert order.json()["customer_id"] == customer_id


def test_a_known_phone_signs_in_as_the_same_customer(site):
    base, _, clock, platform = site
    first = _sign_in(base, platform)
    clock.now += timedelta(minutes=1)
    again = _sign_in(base, platform)
    assert (again["new"], again["customer_id"]) == (False, first["customer_id"])


def test_a_wrong_or_used_code_names_the_code(site):
    base, _, _, platform = site
    call(base, None, "POST", "/v1/customers/codes", json={"phone": PHONE})
    code = _code(platform)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = call(
        base, None, "POST", "/v1/customers/sessions", json={"phone": PHONE, "code": wrong}
    )
    assert refused.status_code == 422
    assert refused.json()["error"] == refused.json()["error"] | {
        "code": "wrong_code",
        "field": "code",
    }
    body = {"phone": PHONE, "code": code}
    assert call(base, None, "POST", "/v1/customers/sessions", json=body).status_code == 201
    used = call(base, None, "POST", "/v1/customers/sessions", json=body)
    assert (used.status_code, used.json()["error"]["code"]) == (422, "code_expired")


def test_only_an_operator_sets_a_tier_and_it_is_audited(site):
    base, operator, _, platform = site
    signed = _sign_in(base, platform)
    customer_id, token = signed["customer_id"], signed["token"]
    path = f"/v1/customers/{customer_id}/tier"
    mine = call(base, token, "PUT", path, json={"tier": "gold"})
    assert mine.status_code == 403
    assert call(base, None, "PUT", path, json={"tier": "gold"}).status_code == 401
    set_ = call(base, operator, "PUT", path, json={"tier": "gold"})
    assert set_.status_code == 200, set_.text
    assert set_.json()["member_tier"] == "gold"
    assert platform.customers.facts(customer_id).member_tier == "gold"
    assert call(base, token, "GET", "/v1/customers/me").json()["member_tier"] == "gold"
    [entry] = history(platform.engine, f"customer:{customer_id}")
    assert (entry["actor"], entry["after"]) == ("ops-lihua", {"member_tier": "gold"})
    nobody = call(base, operator, "PUT", "/v1/customers/nobody/tier", json={"tier": "gold"})
    assert (nobody.status_code, nobody.json()["error"]["code"]) == (404, "unknown_customer")


def test_me_takes_a_token(site):
    base, operator, *_ = site
    assert call(base, None, "GET", "/v1/customers/me").status_code == 401
    assert call(base, operator, "GET", "/v1/customers/me").status_code == 403


def test_the_limits_hold_across_processes_and_copies_sent_at_once(site, engine):
    base, _, clock, platform = site
    other = bootstrap(engine, clock=clock)  # a second API process over the same database
    with serving(create_app(other)) as second, ThreadPoolExecutor(8) as pool:
        at_once = list(
            pool.map(
                lambda n: (
                    call(
                        (base, second)[n % 2],
                        None,
                        "POST",
                        "/v1/customers/codes",
                        json={"phone": PHONE},
                    ).status_code
                ),
                range(8),
            )
        )
        assert sorted(at_once) == [202] + [429] * 7
        phones = [f"1390013{n:04d}" for n in range(19)]  # the address has 19 more this hour
        answers = [
            call(
                (base, second)[n % 2], None, "POST", "/v1/customers/codes", json={"phone": phone}
            ).status_code
            for n, phone in enumerate(phones)
        ]
        assert answers == [202] * 19
        last = call(second, None, "POST", "/v1/customers/codes", json={"phone": "13900139999"})
        assert (last.status_code, last.json()["error"]["code"]) == (429, "rate_limited")
    assert platform.registration is not other.registration


def test_a_sweep_forgets_spent_codes_and_counts(site):
    base, _, clock, platform = site
    _sign_in(base, platform)
    assert platform.registration.prune() == 0
    clock.now += timedelta(days=1, hours=1)
    assert platform.registration.prune() == 3  # the code, the phone's day, the address's hour
    _sign_in(base, platform)  # asking again starts afresh
