"""发货管理 and 广告消耗与违规处罚 in Debian's Chromium, on SQLite and PostgreSQL: a merchant
ships its paid order and marks it delivered (the subsidy shown, the late flagged); an
operator records ad spend (the rebate the server's) and a penalty, then withdraws it;
finance records spend but no penalty; the pages speak English too."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dacu.adapters.audit import history
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.http import serving
from tests.integration.shipping_rig import (
    CAMPAIGN,
    PAID,
    Clock,
    paid_order,
    shipping_platform,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        clock = Clock(PAID + timedelta(hours=3))
        platform = shipping_platform(engine, clock)
        rice = paid_order(platform, engine, "c-1", [("K-RICE", 1)], "k-1")
        coat = paid_order(platform, engine, "c-2", [("A-COAT", 1)], "k-2")
        tokens = {
            "home": platform.access.issue("m-home", Role.MERCHANT).token,
            "north": platform.access.issue("m-north", Role.MERCHANT).token,
            **{r.value: platform.access.issue(f"{r.value}-1", r).token for r in Role},
        }
        with serving(create_app(platform)) as base:
            yield base, platform, tokens, clock, rice, coat


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()


def sign_in(page: Any, base: str, token: str, path: str) -> None:
    page.goto(f"{base}{path}")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url(base + path)


def test_a_merchant_ships_and_marks_delivered(site, page):
    base, platform, tokens, _, rice, coat = site
    sign_in(page, base, tokens["home"], "/console/shipments")
    assert page.inner_text(".topbar nav a.on") == "发货管理"
    row = page.locator(f"tr[data-order='{rice.id}']")
    assert row.get_attribute("data-status") == "to_ship"
    assert page.locator(f"tr[data-order='{coat.id}']").count() == 0  # another shop's
    row.locator("input[name=carrier]").fill("sf-express")
    row.locator("input[name=waybill]").fill("SF20261111")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("#shipments .notice:has-text('已发货')")
    row = page.locator(f"tr[data-order='{rice.id}']")
    assert row.get_attribute("data-status") == "shipped"
    assert "SF20261111" in row.inner_text()
    assert "large" in row.inner_text()
    row.locator("form.delivered button").click()
    page.wait_for_selector("#shipments .notice:has-text('已签收')")
    row = page.locator(f"tr[data-order='{rice.id}']")
    assert row.get_attribute("data-status") == "delivered"
    assert "5.00" in row.inner_text()
    owed = platform.ledger.balances("merchant:home-goods:logistics", CAMPAIGN)
    assert owed == {"merchant:home-goods:logistics": -500}


def test_a_late_order_is_flagged_and_the_page_speaks_english(site, page):
    base, _, tokens, clock, _, coat = site
    clock.now = PAID + timedelta(hours=50)
    sign_in(page, base, tokens["north"], "/console/shipments")
    row = page.locator(f"tr[data-order='{coat.id}']")
    assert row.get_attribute("data-late") == "1"
    assert "已超时" in row.inner_text()
    row.locator("input[name=carrier]").fill("sf-express")
    row.locator("input[name=waybill]").fill("SF1")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("#shipments .notice")
    assert "发货超时" in page.locator(f"tr[data-order='{coat.id}']").inner_text()
    page.goto(f"{base}/console/shipments?lang=en")
    assert page.inner_text("h1") == "Shipments"
    assert "Shipped late" in page.content()


def test_an_operator_records_ad_spend_and_a_penalty_then_withdraws_it(site, page):
    base, platform, tokens, *_ = site
    sign_in(page, base, tokens["operator"], "/console/charges")
    assert page.get_attribute("#charges", "data-campaign") == CAMPAIGN
    form = page.locator("form.ad-spend")
    form.locator("select[name=shop]").select_option("home-goods")
    form.locator("input[name=amount]").fill("1000.01")
    form.locator("input[name=reference]").fill("AD-001")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#charges .notice:has-text('已记录广告消耗')")
    assert page.get_attribute("tr[data-reference='AD-001']", "data-rebate") == "15000"

    form = page.locator("form.penalize")
    form.locator("select[name=shop]").select_option("north-wear")
    form.locator("select[name=kind]").select_option("false_shipment")
    form.locator("input[name=amount]").fill("200")
    form.locator("input[name=reason]").fill("虚假发货 3 单")
    form.locator("input[name=evidence]").fill("waybills never scanned")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#charges .notice:has-text('已记录处罚')")
    row = page.locator("tr[data-shop='north-wear'][data-status='recorded']")
    assert "虚假发货" in row.inner_text()
    penalty_id = row.get_attribute("data-penalty")
    row.locator("input[name=reason]").fill("申诉成立")
    row.locator("form.withdraw button").click()
    page.wait_for_selector("#charges .notice:has-text('已撤销处罚')")
    assert page.get_attribute(f"tr[data-penalty='{penalty_id}']", "data-status") == "withdrawn"
    actions = [e["action"] for e in history(platform.engine, f"penalty:{penalty_id}")]
    assert actions == ["penalty.record", "penalty.withdraw"]
    balance = platform.ledger.balances("merchant:north-wear:penalty", CAMPAIGN)
    assert balance == {"merchant:north-wear:penalty": 0}


def test_finance_records_spend_but_no_penalty_and_bad_input_is_named(site, page):
    base, _, tokens, *_ = site
    sign_in(page, base, tokens["finance"], "/console/charges")
    assert page.locator("form.penalize").count() == 0
    form = page.locator("form.ad-spend")
    form.locator("input[name=amount]").fill("12.345")
    form.locator("input[name=reference]").fill("AD-9")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#charges .notice.bad")
    assert "amount" in page.inner_text("#charges .notice")
    page.goto(f"{base}/console/charges?lang=en")
    assert page.inner_text("h1") == "Ad spend & penalties"


def test_a_merchant_keeps_the_size_class_on_the_goods_form(site, page):
    base, platform, tokens, *_ = site
    sign_in(page, base, tokens["home"], "/console/goods/skus/H-KETTLE")
    field = page.locator("#f-size_class")
    assert field.input_value() == "medium"
    field.fill("bulky")
    page.click("form.sku-form button[type=submit]")
    page.wait_for_selector("#sku-form .notice.good")
    assert platform.goods.sku("H-KETTLE").size_class == "bulky"
    assert platform.goods.sku("H-KETTLE").title == "电热水壶"
