"""Merchant rebates over HTTP on real SQLite and PostgreSQL: a shop's totals and lines,
its statement as CSV and XLSX, and who may see which shop."""

import csv
import io
import time
from decimal import Decimal

import httpx
import pytest
from openpyxl import load_workbook

from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.conftest import NO_REDIS, REDIS_URL, intake_of
from tests.integration.http import serving
from tests.integration.payments_rig import served
from tests.integration.rebates_rig import (
    CAMPAIGN,
    NOW,
    campaign_document,
    member,
    paid_order,
    rebate_platform,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def api(engine):
    platform = rebate_platform(engine)
    member(engine, "=1+1", shop="tea-house")  # an id a spreadsheet would run
    member(engine, "u-2")
    order = paid_order(platform, "=1+1", [("T-TEA", 1)], "k-1")
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


def test_a_shops_rebates_show_every_line_with_its_order_and_member(api):
    call, order = api
    answer = call("ops", "/v1/shops/tea-house/rebates", campaign=CAMPAIGN)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    totals = body["totals"]
    assert (totals["new_member"], totals["first_order"], totals["owed"]) == (1000, 200, 1200)
    assert totals["lines"] == 3
    mine = [line for line in body["lines"] if line["order_id"] == order.id]
    assert {(line["kind"], line["customer_id"], line["amount"]) for line in mine} == {
        ("new_member", "=1+1", 1000),
        ("first_order", "=1+1", 100),
    }
    assert (
        call("finance", "/v1/shops/book-nook/rebates", campaign=CAMPAIGN).json()["totals"]["owed"]
        == 100
    )


def test_a_merchant_sees_its_own_shops_only(api):
    call, _ = api
    assert call("tea", "/v1/shops/tea-house/rebates", campaign=CAMPAIGN).status_code == 200
    other = call("book", "/v1/shops/tea-house/rebates", campaign=CAMPAIGN)
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "unknown_shop"
    assert (
        call("book", "/v1/shops/tea-house/rebates/statement.csv", campaign=CAMPAIGN).status_code
        == 404
    )
    assert call("service", "/v1/shops/tea-house/rebates", campaign=CAMPAIGN).status_code == 403
    unknown = call("ops", "/v1/shops/tea-house/rebates", campaign="no-such")
    assert unknown.json()["error"]["code"] == "unknown_campaign"
    shops = call("book", f"/v1/campaigns/{CAMPAIGN}/rebates").json()
    assert [s["shop"] for s in shops] == ["book-nook"]
    everyone = call("ops", f"/v1/campaigns/{CAMPAIGN}/rebates").json()
    assert [s["shop"] for s in everyone] == ["book-nook", "tea-house"]


def test_the_csv_statement_is_in_yuan_to_the_fen_and_runs_nothing(api):
    call, _ = api
    answer = call("tea", "/v1/shops/tea-house/rebates/statement.csv", campaign=CAMPAIGN)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    lines = [row for row in rows[1:] if len(row) == 10]
    assert len(lines) == 3
    assert {row[4] for row in lines} == {"'=1+1", "u-2"}  # kept as text
    assert sorted(row[7] for row in lines) == ["1.00", "1.00", "10.00"]
    totals = {row[0]: row[1] for row in rows if len(row) == 2}
    assert totals["应结 owed"] == "12.00"


def test_the_xlsx_statement_holds_exact_yuan_and_text_cells(api):
    call, _ = api
    answer = call("ops", "/v1/shops/tea-house/rebates/statement.xlsx", campaign=CAMPAIGN)
    assert answer.status_code == 200, answer.text
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book["返利明细"]
    lines = list(sheet.iter_rows(min_row=2))
    assert len(lines) == 3
    members = [row[4] for row in lines]
    assert {cell.value for cell in members} == {"=1+1", "u-2"}
    assert all(cell.data_type == "s" for cell in members)
    assert sorted(Decimal(str(row[7].value)) for row in lines) == [
        Decimal("1"),
        Decimal("1"),
        Decimal("10"),
    ]
    assert lines[0][7].number_format == '"¥"#,##0.00'
    totals = {row[0].value: row[1].value for row in book["合计"].iter_rows()}
    assert Decimal(str(totals["应结 owed"])) == Decimal("12")


def _wait_delivered(platform) -> None:
    deadline = time.monotonic() + 20
    while platform.outbox().pending():
        assert time.monotonic() < deadline, "the outbox was never delivered"
        time.sleep(0.1)


@pytest.mark.parametrize("intake", ["sql", pytest.param("redis", marks=pytest.mark.skipif(
    not REDIS_URL, reason=NO_REDIS))])  # fmt: skip
def test_a_first_order_paid_and_refunded_over_http_accrues_then_reverses(engine, intake):
    with intake_of(intake) as (redis_url, prefix), served(engine, redis_url, prefix) as site:
        # given: a merchant-code campaign live now, and the consumer registered with
        # north-wear's code and verified
        document = campaign_document(campaign_id="codes-now")
        document["phases"] = [{"name": "burst", "starts_at": "2026-11-01T00:00:00+08:00",
                               "ends_at": "2026-11-30T23:59:59+08:00"}]  # fmt: skip
        applied = site.call(Role.OPERATOR, "PUT", "/v1/campaigns/codes-now", json=document)
        assert applied.status_code == 200, applied.text
        member(engine, "u-1024", shop="north-wear", campaign_id="codes-now")

        # when: a coat is ordered and paid through the provider's callback
        order = site.order("o-1")
        assert site.start(order["id"]).status_code == 201
        site.wait_paid(order["id"])
        _wait_delivered(site.platform)
        path = "/v1/shops/north-wear/rebates"

        # then: 10元 for the member and 1元 for the first order
        totals = site.call(Role.FINANCE, "GET", path, params={"campaign": "codes-now"}).json()
        assert (totals["totals"]["new_member"], totals["totals"]["first_order"]) == (1000, 100)

        # and a whole refund reverses both
        refund = site.call(
            Role.SERVICE,
            "POST",
            f"/v1/orders/{order['id']}/refunds",
            headers={"Idempotency-Key": "r-1"},
            json={"sku": "A-COAT", "qty": 1},
        )
        assert refund.status_code == 201, refund.text
        _wait_delivered(site.platform)
        after = site.call(Role.FINANCE, "GET", path, params={"campaign": "codes-now"}).json()
        assert (after["totals"]["owed"], after["totals"]["reversed"]) == (0, 1100)
