"""The budget page (费用预算) in Debian's Chromium, on SQLite and PostgreSQL: the cap and what
orders drew by department and promotion with their bars, an operator asking for part of
the reserve (a bad amount refused naming the field), finance approving it (audited), and
the weekly review tab with its workbook."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dacu.adapters.audit import history
from dacu.domain.access import Role
from dacu.schemas.yamlfile import load_yaml
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.payments_rig import Site, served

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = "double11-2026"
PAGE = f"/console/campaigns/{CAMPAIGN}/budget"


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine, served(engine) as it:
        document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
        document = json.loads(json.dumps(document, default=str))
        document["budget"] = {"total": 30000, "contingency_bp": 1000}  # cap 27,000
        document["budget"]["departments"] = {"market": 20000, "operations": 5000}
        document["promotions"][0].update(department="market", budget=15000)
        applied = it.call(Role.OPERATOR, "PUT", f"/v1/campaigns/{CAMPAIGN}", json=document)
        assert applied.status_code == 200, applied.text
        it.order("o-1", qty=3)  # apparel-300-50 draws 14,000 of the platform's
        yield it


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()


def sign_in(page: Any, site: Site, role: Role) -> None:
    page.goto(f"{site.base}{PAGE}")
    page.fill("#token", site.tokens[role])
    page.click("button[type=submit]")
    page.wait_for_url(site.base + PAGE)


def test_an_operator_asks_for_the_reserve_and_finance_approves(site, page):
    sign_in(page, site, Role.OPERATOR)
    assert "应急预留" in page.content()
    assert page.get_attribute("#budget", "data-cap") == "27000"
    assert page.get_attribute("#budget", "data-drawn") == "14000"
    assert page.get_attribute("tr[data-department='market']", "data-drawn") == "14000"
    assert page.get_attribute("tr[data-promotion='apparel-300-50']", "data-drawn") == "14000"
    assert "市场部" in page.inner_text("#budget-departments")
    page.wait_for_selector("#chart-budget-departments canvas")
    page.wait_for_selector("#chart-budget-promotions canvas")

    page.fill("#release-amount", "1.234")
    page.fill("#release-reason", "爆发期加码")
    page.click("#release button[type=submit]")
    page.wait_for_selector("#budget .notice.bad")
    assert "amount" in page.inner_text("#budget .notice")

    page.fill("#release-amount", "20.00")
    page.fill("#release-reason", "爆发期加码")
    page.click("#release button[type=submit]")
    page.wait_for_selector("tr[data-status='requested']")
    assert page.get_attribute("#budget", "data-released") == "0"  # asked is not opened
    assert page.locator("tr[data-request] button.approve").count() == 0  # not the operator's

    page.context.clear_cookies()
    sign_in(page, site, Role.FINANCE)
    page.on("dialog", lambda dialog: dialog.accept())  # approving asks first
    page.click("tr[data-status='requested'] button.approve")
    page.wait_for_selector('#budget[data-released="2000"]')
    assert page.get_attribute("#budget", "data-cap") == "29000"
    assert page.locator("tr[data-status='approved']").count() == 1
    assert page.locator("tr[data-release='2000']").count() == 1
    audited = history(site.engine, f"budget:{CAMPAIGN}")
    assert [entry["action"] for entry in audited] == [
        "budget.release_requested",
        "budget.release_approved",
        "budget.release",
    ]
    api = site.call(Role.FINANCE, "GET", f"/v1/campaigns/{CAMPAIGN}/budget").json()
    assert (api["released"], api["cap"]) == (2000, 29000)


def test_finance_reads_the_budget_but_may_not_ask(site, page):
    sign_in(page, site, Role.FINANCE)
    assert page.get_attribute("#budget", "data-drawn") == "14000"
    assert page.locator("#release").count() == 0
    assert "申请人本人不可审批" in page.content()
    page.goto(f"{site.base}{PAGE}?lang=en")
    assert "Budgets by department" in page.content()
    assert "Market" in page.inner_text("#budget-departments")
    page.goto(f"{site.base}{PAGE}/review?lang=en")
    assert "Weekly budget review" in page.content()


def test_the_weekly_review_tab(site, page):
    sign_in(page, site, Role.FINANCE)
    page.click("#review-tab")
    page.wait_for_selector("#review")
    page.fill("#week", "2026-45")
    page.click("#review-week button[type=submit]")
    page.wait_for_selector("#review .notice.bad")
    assert "week" in page.inner_text("#review .notice")
    page.fill("#week", page.get_attribute("#review", "data-week"))
    page.click("#review-week button[type=submit]")
    page.wait_for_selector("#review-departments")
    assert "每周预算复盘" in page.content()
    with page.expect_download() as download:
        page.click("#review-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
