"""Settlement over HTTP on real SQLite and PostgreSQL: a run with its Idempotency-Key,
the statements (a merchant's own only), a statement's lines paged, its CSV and XLSX,
and the reconciliation with the ledger."""

import csv
import io
from decimal import Decimal

import httpx
import pytest
from openpyxl import load_workbook

from dacu.domain.access import Role
from dacu.domain.goods import Shop
from dacu.entrypoints.api import create_app
from tests.integration.http import serving
from tests.integration.settlement_rig import (
    AFTER,
    BURST,
    CAMPAIGN,
    festival,
    owed_by_shop,
    shop_and_pay,
)

pytestmark = pytest.mark.integration
RUN = f"/v1/campaigns/{CAMPAIGN}/settlement-runs"


@pytest.fixture
def api(engine):
    world = festival(engine)
    platform = world.platform
    for shop, merchant in (("north-wear", "m-north"), ("digital-flagship", "m-digital")):
        platform.goods.open_shop(Shop(shop, merchant, shop))
    shop_and_pay(world)
    issue = platform.principals.issue
    tokens = {
        "finance": issue("fin", Role.FINANCE, frozenset(), BURST),
        "ops": issue("ops", Role.OPERATOR, frozenset(), BURST),
        "north": issue("m-north", Role.MERCHANT, frozenset({"north-wear"}), BURST),
        "digital": issue("m-digital", Role.MERCHANT, frozenset({"digital-flagship"}), BURST),
        "service": issue("cs", Role.SERVICE, frozenset(), BURST),
    }
    with serving(create_app(platform)) as base, httpx.Client(base_url=base) as client:

        def call(who: str, method: str, path: str, **options) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[who]}", **options.pop("headers", {})}
            return client.request(method, path, headers=headers, **options)

        yield call, world


def test_a_run_before_the_end_is_refused_naming_the_field(api):
    call, _ = api
    answer = call("finance", "POST", RUN, headers={"Idempotency-Key": "r0"})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "statement_state"


def test_finance_runs_settlement_once_per_key_and_reads_every_statement(api):
    call, world = api
    world.clock.now = AFTER
    assert call("finance", "POST", RUN).status_code == 422  # no Idempotency-Key
    assert call("service", "POST", RUN, headers={"Idempotency-Key": "r1"}).status_code == 403
    first = call("finance", "POST", RUN, headers={"Idempotency-Key": "r1"})
    assert first.status_code == 201
    again = call("finance", "POST", RUN, headers={"Idempotency-Key": "r1"}).json()
    assert again["statements"] == first.json()["statements"]
    assert again["replayed"] is True
    totals = {s["shop"]: s["total"] for s in first.json()["statements"]}
    assert totals == owed_by_shop(world)
    listed = call("ops", "GET", f"/v1/campaigns/{CAMPAIGN}/statements").json()
    assert {s["id"] for s in listed} == {s["id"] for s in first.json()["statements"]}
    reconciled = call("finance", "GET", f"/v1/campaigns/{CAMPAIGN}/settlement/reconcile").json()
    assert reconciled
    assert all(r["balanced"] for r in reconciled)
    assert {r["shop"]: r["statements_total"] for r in reconciled if r["statements"]} == totals


def test_a_statements_lines_page_and_download_to_the_fen(api):
    call, world = api
    world.clock.now = AFTER
    call("finance", "POST", RUN, headers={"Idempotency-Key": "r1"})
    sid = f"{CAMPAIGN}:north-wear:1"
    whole = call("north", "GET", f"/v1/statements/{sid}", params={"limit": 1000}).json()
    page = call("north", "GET", f"/v1/statements/{sid}", params={"offset": 1, "limit": 1}).json()
    assert page["line_count"] == len(whole["lines"]) >= 2
    assert page["lines"] == whole["lines"][1:2]
    assert sum(line["amount"] for line in whole["lines"]) == whole["total"]
    assert all(line["refs"]["order_id"] for line in whole["lines"])
    assert call("north", "GET", f"/v1/statements/{sid}", params={"limit": 0}).status_code == 422
    text = call("north", "GET", f"/v1/statements/{sid}/csv").text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[-1][1] == f"{whole['total'] // 100}.{whole['total'] % 100:02d}"
    body = call("finance", "GET", f"/v1/statements/{sid}/xlsx").content
    sheet = load_workbook(io.BytesIO(body))["结算明细"]
    amounts = [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sum(Decimal(str(a)) for a in amounts) * 100 == whole["total"]
    assert {row[4] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        line["refs"]["order_id"] for line in whole["lines"]
    }


def test_a_merchant_sees_only_its_own_shops_statements(api):
    call, world = api
    world.clock.now = AFTER
    call("finance", "POST", RUN, headers={"Idempotency-Key": "r1"})
    sid = f"{CAMPAIGN}:north-wear:1"
    assert call("digital", "GET", f"/v1/statements/{sid}").status_code == 404
    assert call("digital", "GET", f"/v1/statements/{sid}/csv").status_code == 404
    listed = call("digital", "GET", f"/v1/campaigns/{CAMPAIGN}/statements").json()
    assert all(s["shop"] == "digital-flagship" for s in listed)
    mine = call("north", "GET", f"/v1/campaigns/{CAMPAIGN}/statements").json()
    assert [s["id"] for s in mine] == [sid]
    assert call("north", "POST", RUN, headers={"Idempotency-Key": "r2"}).status_code == 403
    theirs = call("digital", "GET", f"/v1/campaigns/{CAMPAIGN}/settlement/reconcile").json()
    assert {r["shop"] for r in theirs} <= {"digital-flagship"}
    assert call("ops", "GET", "/v1/statements/nope").status_code == 404


def test_hostile_runs_are_refused_naming_the_field_and_write_nothing(api):
    call, world = api
    world.clock.now = AFTER
    long_key = {"Idempotency-Key": "k" * 121}
    assert call("finance", "POST", RUN, headers=long_key).status_code == 422
    key = {"Idempotency-Key": "h1"}
    for body in ({"shop": 7}, {"shop": ""}, {"shop": "x" * 65}, {"amount": 100}):
        answer = call("finance", "POST", RUN, headers=key, json=body)
        assert answer.status_code == 422, body
    assert (
        call("finance", "POST", "/v1/campaigns/nope/settlement-runs", headers=key).json()["error"][
            "code"
        ]
        == "unknown_campaign"
    )
    assert call("finance", "GET", f"/v1/campaigns/{CAMPAIGN}/statements").json() == []
    bad_page = {"offset": -1}
    assert (
        call("finance", "GET", f"/v1/statements/{CAMPAIGN}:x:1", params=bad_page).status_code == 422
    )
