"""结算单 in Debian's Chromium, on SQLite and PostgreSQL: finance runs a festival's
settlement from the console, reads every shop's statements reconciled with the ledger,
drills down to a statement's lines and downloads it, in Chinese and then English; a
merchant sees its own shop's statements only and cannot run settlement."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dacu.domain.access import Role
from dacu.domain.goods import Shop
from dacu.entrypoints.api import create_app
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.http import serving
from tests.integration.settlement_rig import (
    AFTER,
    BURST,
    CAMPAIGN,
    festival,
    owed_by_shop,
    shop_and_pay,
)

pytestmark = pytest.mark.e2e

PAGE = f"/console/settlement?campaign={CAMPAIGN}"


@dataclass
class Site:
    base: str
    tokens: dict[str, str]
    owed: dict[str, int]


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        world = festival(engine)
        platform = world.platform
        for shop, merchant in (("north-wear", "m-north"), ("digital-flagship", "m-digital")):
            platform.goods.open_shop(Shop(shop, merchant, shop))
        shop_and_pay(world)
        world.clock.now = AFTER
        issue = platform.principals.issue
        tokens = {
            "finance": issue("fin-wang", Role.FINANCE, frozenset(), BURST),
            "digital": issue("m-digital", Role.MERCHANT, frozenset({"digital-flagship"}), BURST),
        }
        with serving(create_app(platform)) as base:
            yield Site(base, tokens, owed_by_shop(world))


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()


def sign_in(page: Any, site: Site, who: str, path: str = PAGE) -> None:
    page.goto(f"{site.base}{path}")
    page.fill("#token", site.tokens[who])
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.base}{path}")


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def test_finance_runs_settlement_and_reads_the_statements(site, page):
    sign_in(page, site, "finance")
    assert page.locator("h1").inner_text() == "结算单"
    assert page.locator("#statements").count() == 0
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#settlement-run button")
    page.wait_for_selector("#statements")
    assert "已出具结算单数" in page.inner_text("#settlement-notice")
    north = page.locator("#statements tr[data-shop='north-wear']")
    assert north.locator("[data-figure='total']").inner_text() == _yuan(site.owed["north-wear"])
    assert page.locator("#reconcile tr[data-balanced='no']").count() == 0
    assert page.locator("#reconcile tr[data-balanced='yes']").count() >= 1

    north.locator("a.button").click()
    page.wait_for_selector("#statement-lines")
    rows = page.locator("#statement-lines tbody tr")
    assert rows.count() >= 2
    orders = page.locator("#statement-lines [data-ref='order']").all_inner_texts()
    assert all(orders)
    assert "平台补贴" in page.inner_text("#statement-lines")
    with page.expect_download() as downloading:
        page.click("#download-csv")
    saved = Path(downloading.value.path()).read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(saved)))
    total = site.owed["north-wear"]
    assert lines[-1][1] == f"{total // 100}.{total % 100:02d}"

    page.click("a.lang-switch")
    page.wait_for_selector("html[lang='en']")
    assert page.locator("h1").inner_text().startswith("Statements · north-wear")
    assert "Subsidy" in page.inner_text("#statement-lines")


def test_a_merchant_sees_its_own_statements_only_and_cannot_run(site, page):
    sign_in(page, site, "finance")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#settlement-run button")
    page.wait_for_selector("#statements")
    page.context.clear_cookies()
    sign_in(page, site, "digital")
    assert page.locator("#settlement-run").count() == 0
    assert page.locator("#statements tr[data-shop='north-wear']").count() == 0
    answer = page.goto(f"{site.base}/console/settlement/statements/{CAMPAIGN}:north-wear:1")
    assert answer is not None
    assert answer.status == 404
    csv_answer = page.goto(f"{site.base}/console/settlement/statements/{CAMPAIGN}:north-wear:1/csv")
    assert csv_answer is not None
    assert csv_answer.status == 404
