"""总账 in Debian's Chromium, on SQLite and PostgreSQL: finance reads the trial balance
(zero), the platform's and each shop's accounts per campaign, drills down to an
account's lines and to an entry traceable to its order, in Chinese and then English;
a merchant sees its own shop's accounts only."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.http import serving
from tests.integration.rebates_rig import CAMPAIGN, NOW, member, paid_order, rebate_platform

pytestmark = pytest.mark.e2e

PAGE = f"/console/ledger?campaign={CAMPAIGN}"


@dataclass
class Site:
    base: str
    tokens: dict[str, str]
    order_id: str


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        platform = rebate_platform(engine)
        member(engine, "u-1", shop="tea-house")
        member(engine, "u-2")
        order = paid_order(platform, "u-1", [("T-TEA", 1)], "k-1")
        paid_order(platform, "u-2", [("T-TEA", 1), ("B-BOOK", 1)], "k-2")
        issue = platform.principals.issue
        tokens = {
            "finance": issue("fin-wang", Role.FINANCE, frozenset(), NOW),
            "book": issue("m-book", Role.MERCHANT, frozenset({"book-nook"}), NOW),
            "service": issue("cs-li", Role.SERVICE, frozenset(), NOW),
        }
        with serving(create_app(platform)) as base:
            deadline = time.monotonic() + 15
            while platform.outbox().pending():  # the API process delivers it
                assert time.monotonic() < deadline, "the outbox was never delivered"
                time.sleep(0.1)
            yield Site(base, tokens, order.id)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
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


def test_finance_reads_a_zero_trial_balance_and_traces_a_line_to_its_order(site, page):
    sign_in(page, site, "finance")
    assert page.locator("h1").inner_text() == "总账"
    balance = page.locator("#trial-balance")
    assert balance.get_attribute("data-total") == "0"
    assert balance.get_attribute("data-balanced") == "yes"
    assert "借贷平衡" in balance.inner_text()
    expense = page.locator("#platform-accounts tr[data-account='platform:rebate_expense']")
    assert "商家返利支出" in expense.inner_text()
    assert expense.locator("[data-figure='balance']").inner_text() == "¥13.00"
    tea = page.locator(".shop-accounts[data-shop='tea-house']")
    assert tea.locator("[data-figure='net']").inner_text() == "¥-12.00"
    assert page.locator(".shop-accounts").count() == 2

    tea.locator("a", has_text="应付商家返利").click()
    page.wait_for_selector("#ledger-lines")
    assert page.locator("#ledger-lines tbody tr").count() == 3
    mine = page.locator(f"#ledger-lines tbody tr[data-order='{site.order_id}']")
    assert mine.count() == 2  # the new member's and the first order's
    assert "商家返利" in mine.first.inner_text()

    mine.first.locator("td a").click()
    page.wait_for_selector("#entry-postings")
    assert page.locator("#entry-refs [data-ref='order_id']").inner_text() == site.order_id
    assert page.locator("#entry-postings tbody tr").count() == 2

    page.click("a.lang-switch")
    page.wait_for_selector("html[lang='en']")
    assert "Merchant rebate expense" in page.inner_text("#entry-postings")
    page.goto(f"{site.base}{PAGE}")
    assert page.locator("h1").inner_text() == "Ledger"
    assert "Balanced" in page.inner_text("#trial-balance")


def test_a_merchant_sees_its_own_accounts_only(site, page):
    sign_in(page, site, "book")
    assert page.locator("#trial-balance").count() == 0
    assert page.locator("#platform-accounts").count() == 0
    assert [page.locator(".shop-accounts").first.get_attribute("data-shop")] == ["book-nook"]
    assert page.locator(".shop-accounts").count() == 1
    assert page.locator("nav a[href$='/ledger']").count() == 1
    answer = page.goto(f"{site.base}/console/ledger/account?account=merchant:tea-house:rebate")
    assert answer is not None
    assert answer.status == 404
    key = "rebate:new_member:u-1"
    answer = page.goto(f"{site.base}/console/ledger/entry?entry={key}")
    assert answer is not None
    assert answer.status == 404


def test_other_roles_may_not_read_the_ledger(site, page):
    sign_in(page, site, "service", "/console/")
    answer = page.goto(f"{site.base}{PAGE}")
    assert answer is not None
    assert answer.status == 403
    assert page.locator("nav a[href$='/ledger']").count() == 0
