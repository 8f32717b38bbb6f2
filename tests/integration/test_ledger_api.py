"""The ledger over HTTP on real SQLite and PostgreSQL: the trial balance, account
balances, an account's lines and an entry, who may see which, and bad input named."""

import time

import httpx
import pytest

from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.http import serving
from tests.integration.rebates_rig import CAMPAIGN, NOW, member, paid_order, rebate_platform

pytestmark = pytest.mark.integration


@pytest.fixture
def api(engine):
    platform = rebate_platform(engine)
    member(engine, "u-1", shop="tea-house")
    member(engine, "u-2")
    order = paid_order(platform, "u-1", [("T-TEA", 1)], "k-1")
    paid_order(platform, "u-2", [("T-TEA", 1), ("B-BOOK", 1)], "k-2")
    issue = platform.principals.issue
    tokens = {
        "ops": issue("ops", Role.OPERATOR, frozenset(), NOW),
        "finance": issue("fin", Role.FINANCE, frozenset(), NOW),
        "service": issue("cs", Role.SERVICE, frozenset(), NOW),
        "tea": issue("m-tea", Role.MERCHANT, frozenset({"tea-house"}), NOW),
        "book": issue("m-book", Role.MERCHANT, frozenset({"book-nook"}), NOW),
    }
    with serving(create_app(platform)) as base, httpx.Client(base_url=base) as client:

        def call(who: str, path: str, **params) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            return client.get(path, headers=headers, params=params)

        deadline = time.monotonic() + 15
        while platform.outbox().pending():  # the API process delivers its outbox itself
            assert time.monotonic() < deadline, "the outbox was never delivered"
            time.sleep(0.1)
        yield call, order


def test_the_trial_balance_is_zero_with_every_account_named(api):
    call, _ = api
    answer = call("finance", "/v1/ledger/trial-balance")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["total"], body["balanced"], body["campaign_id"]) == (0, True, None)
    found = {a["account"]: (a["balance"], a["name"], a["shop"]) for a in body["accounts"]}
    assert found == {
        "platform:rebate_expense": (1300, "商家返利支出", None),
        "merchant:tea-house:rebate": (-1200, "商家 tea-house · 应付商家返利", "tea-house"),
        "merchant:book-nook:rebate": (-100, "商家 book-nook · 应付商家返利", "book-nook"),
    }
    assert body["accounts"][0]["account"] == "platform:rebate_expense"
    by_campaign = call("ops", "/v1/ledger/trial-balance", campaign_id=CAMPAIGN).json()
    assert by_campaign["total"] == 0
    assert len(by_campaign["accounts"]) == 3
    assert call("ops", "/v1/ledger/trial-balance", campaign_id="other").json()["accounts"] == []


def test_only_finance_and_operators_read_the_trial_balance(api):
    call, _ = api
    for who in ("tea", "service"):
        answer = call(who, "/v1/ledger/trial-balance")
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "forbidden"


def test_a_merchant_sees_only_its_own_shops_accounts_and_entries(api):
    call, order = api
    mine = call("tea", "/v1/ledger/accounts").json()
    assert [a["account"] for a in mine] == ["merchant:tea-house:rebate"]
    assert call("tea", "/v1/ledger/accounts", prefix="platform:").json() == []
    assert call("tea", "/v1/ledger/accounts", prefix="merchant:book").json() == []
    everyone = call("ops", "/v1/ledger/accounts", prefix="merchant:").json()
    assert {a["account"] for a in everyone} == {
        "merchant:tea-house:rebate",
        "merchant:book-nook:rebate",
    }
    key = f"rebate:first_order:{order.id}:tea-house"
    seen = call("tea", f"/v1/ledger/entries/{key}").json()
    assert [(x["account"], x["amount"]) for x in seen] == [("merchant:tea-house:rebate", -100)]
    assert seen[0]["refs"]["order_id"] == order.id
    assert len(call("finance", f"/v1/ledger/entries/{key}").json()) == 2
    hidden = call("book", f"/v1/ledger/entries/{key}")
    assert hidden.status_code == 404
    assert call("ops", "/v1/ledger/entries/order:none:paid").status_code == 404
    lines = call("tea", "/v1/ledger/lines", account="merchant:tea-house:rebate").json()
    assert sum(x["amount"] for x in lines) == -1200
    assert call("book", "/v1/ledger/lines", account="merchant:tea-house:rebate").json() == []


def test_bad_input_names_the_field(api):
    call, _ = api
    for params, field in (
        ({"prefix": "merchant:%"}, "prefix"),
        ({"prefix": "x" * 201}, "prefix"),
        ({"campaign_id": "x" * 65}, "campaign_id"),
    ):
        answer = call("ops", "/v1/ledger/accounts", **params)
        assert answer.status_code == 422, params
        assert answer.json()["error"]["field"] == field
    answer = call("ops", "/v1/ledger/lines")
    assert (answer.status_code, answer.json()["error"]["field"]) == (422, "account")
    answer = call("ops", "/v1/ledger/entries/" + "k" * 201)
    assert (answer.status_code, answer.json()["error"]["field"]) == (422, "key")
