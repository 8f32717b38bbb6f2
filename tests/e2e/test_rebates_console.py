"""商家返利 in Debian's Chromium, on SQLite and PostgreSQL: an operator reads every shop's
totals, drills down to a shop's lines and downloads its statement, in Chinese and then
English; a merchant sees its own shop only; the dashboard's card shows the line's burn."""

import csv
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.http import serving
from tests.integration.rebates_rig import CAMPAIGN, NOW, member, paid_order, rebate_platform

pytestmark = pytest.mark.e2e

PAGE = f"/console/rebates?campaign={CAMPAIGN}"


@dataclass
class Site:
    base: str
    tokens: dict[str, str]


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        platform = rebate_platform(engine)
        member(engine, "u-1", shop="tea-house")
        member(engine, "u-2")
        paid_order(platform, "u-1", [("T-TEA", 1)], "k-1")
        paid_order(platform, "u-2", [("T-TEA", 1), ("B-BOOK", 1)], "k-2")
        issue = platform.principals.issue
        tokens = {
            "ops": issue("ops-lihua", Role.OPERATOR, frozenset(), NOW),
            "book": issue("m-book", Role.MERCHANT, frozenset({"book-nook"}), NOW),
        }
        with serving(create_app(platform)) as base:
            deadline = time.monotonic() + 15
            while platform.outbox().pending():  # the API process delivers it
                assert time.monotonic() < deadline, "the outbox was never delivered"
                time.sleep(0.1)
            yield Site(base, tokens)


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
    page.wait_for_url(f"{site.base}{path}")  # back where asked, a merchant too


def test_an_operator_reads_every_shop_drills_down_and_downloads_the_statement(site, page):
    sign_in(page, site, "ops")
    assert page.locator("h1").inner_text() == "商家返利"
    tea = page.locator("tr[data-shop='tea-house']")
    assert tea.locator("[data-figure='owed']").inner_text() == "¥12.00"
    assert tea.locator("[data-figure='new_member']").inner_text() == "¥10.00"
    assert page.locator("tr[data-shop='book-nook'] [data-figure='owed']").inner_text() == "¥1.00"
    assert page.locator("#rebates [data-figure='drawn']").inner_text() == "¥13.00"

    tea.locator("a.button").click()
    page.wait_for_selector("#rebate-lines")
    assert page.locator("#rebate-lines tbody tr").count() == 3
    assert page.locator("#rebate-lines tbody tr[data-key='new_member:u-1']").count() == 1
    assert "商家码拉新" in page.inner_text("#rebate-lines")
    with page.expect_download() as downloading:
        page.click("#download-csv")
    saved = Path(downloading.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(saved)))
    assert sorted(row[7] for row in rows[1:4]) == ["1.00", "1.00", "10.00"]

    page.click("a.lang-switch")
    page.wait_for_selector("html[lang='en']")
    assert page.locator("h1").inner_text() == "Merchant rebates · tea-house"
    assert "New member" in page.inner_text("#rebate-lines")


def test_a_merchant_sees_its_own_shop_only(site, page):
    sign_in(page, site, "book")
    assert page.locator("tr[data-shop]").count() == 1
    assert page.locator("tr[data-shop='book-nook']").count() == 1
    assert page.locator("#rebates [data-figure='drawn']").count() == 0  # the line is staff's
    answer = page.goto(f"{site.base}/console/rebates/tea-house?campaign={CAMPAIGN}")
    assert answer is not None
    assert answer.status == 404
    csv_answer = page.goto(
        f"{site.base}/console/rebates/tea-house/statement.csv?campaign={CAMPAIGN}"
    )
    assert csv_answer is not None
    assert csv_answer.status == 404


def test_the_dashboard_card_shows_rebates_and_the_lines_burn(site, page):
    sign_in(page, site, "ops", f"/console/campaigns/{CAMPAIGN}")
    card = page.locator("#rebate-card")
    assert card.get_attribute("data-drawn") == "1300"
    assert card.get_attribute("data-budget") == "1000000"
    assert card.locator("[data-figure='rebates_owed']").inner_text() == "¥13.00"
    assert httpx.get(f"{site.base}/console/rebates").status_code in (200, 303)
