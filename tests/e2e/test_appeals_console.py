"""申诉中心, 大额审核 and 结算打款 in Debian's Chromium, on SQLite and PostgreSQL: a merchant
files an appeal and follows it, finance sees the overdue first and accepts it; a held
line prepared by one person and approved by another; finance pays the statement and
downloads its bank file."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.appeals_rig import BIG, NOW, Clock, issue, settle_platform, subsidy
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.http import serving

pytestmark = pytest.mark.e2e

PEOPLE = {
    "m-tea": Role.MERCHANT,
    "fin-zhao": Role.FINANCE,
    "fin-qian": Role.FINANCE,
    "risk-li": Role.RISK,
}


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        clock = Clock()
        platform = settle_platform(engine, tmp_path, clock)
        subsidy(platform, "o-1", "tea-house", 1_250)
        subsidy(platform, "o-2", "tea-house", BIG)
        sid = issue(platform, "tea-house")
        tokens = {
            who: platform.principals.issue(who, role, frozenset(), NOW)
            for who, role in PEOPLE.items()
        }
        with serving(create_app(platform)) as base:
            yield {"base": base, "platform": platform, "clock": clock, "sid": sid, "tokens": tokens}


def test_a_merchant_files_an_appeal_and_finance_accepts_it_overdue_first(site, open_as):
    sid = site["sid"]
    merchant = open_as(site, "m-tea", "/console/appeals")
    assert "申诉中心" in merchant.content()
    merchant.fill("#appeal-statement", sid)
    merchant.fill("#appeal-line", "1")
    merchant.fill("#appeal-claimed", "5.00")
    merchant.fill("#appeal-reason", "平台承担比例算错")
    merchant.fill("#appeal-evidence", "https://evidence.example/1.png\n订单截图")
    merchant.click("#appeal-form button[type=submit]")
    merchant.wait_for_selector("#appeal-notice")
    assert "申诉已提交" in merchant.inner_text("#appeal-notice")
    merchant.fill("#appeal-statement", sid)  # the same line again: one open appeal per line
    merchant.fill("#appeal-line", "1")
    merchant.fill("#appeal-claimed", "1")
    merchant.fill("#appeal-reason", "again")
    merchant.click("#appeal-form button[type=submit]")
    merchant.wait_for_selector("#appeal-notice.bad")
    assert merchant.locator("tr[data-appeal]").count() == 1

    site["clock"].at = NOW + timedelta(days=7)  # past its 3 working days
    finance = open_as(site, "fin-zhao", "/console/appeals")
    row = finance.locator("tr[data-appeal]").first
    assert row.get_attribute("data-overdue") == "1"
    assert "已逾期" in row.inner_text()
    assert finance.locator("#appeal-form").count() == 0
    row.locator("input[name=amount]").fill("3.00")
    row.locator("input[name=report]").fill("比例已更正")
    row.locator("button[type=submit]").click()
    finance.wait_for_selector("tr[data-status=accepted]")
    appeal_id = finance.get_attribute("tr[data-appeal]", "data-appeal")
    entry = site["platform"].ledger.entry(f"adjustment:{appeal_id}")
    assert sorted(line.amount for line in entry) == [-300, 300]

    followed = open_as(site, "m-tea", "/console/appeals")  # a new day, a new session
    followed.goto(site["base"] + "/console/appeals?lang=en")
    assert "Accepted" in followed.inner_text("#appeal-list")
    assert "3.00" in followed.inner_text("#appeal-list")


def test_two_people_review_a_large_line_and_finance_pays_the_statement(site, open_as):
    sid = site["sid"]
    risk = open_as(site, "risk-li", "/console/reviews")
    risk.goto(site["base"] + "/console/reviews?campaign=autumn-settle")
    row = risk.locator("tr[data-review]")
    assert row.count() == 1
    row.locator("input[name=note]").fill("支付与运单已核")
    row.locator("form.prepare button").click()
    risk.wait_for_selector("tr[data-status=prepared]")
    risk.locator("tr[data-review] form.decide button").click()  # the preparer: refused
    risk.wait_for_selector("#review-notice.bad")
    assert "same_person" in risk.inner_text("#review-notice")

    refused = risk.goto(site["base"] + "/console/payouts")  # risk reviews, never pays
    assert refused is not None
    assert refused.status == 403
    assert risk.locator("#pay-form").count() == 0

    finance = open_as(site, "fin-zhao", "/console/reviews")
    finance.locator("tr[data-review] input[name=report]").fill("同意")
    finance.locator("tr[data-review] form.decide button").click()
    finance.wait_for_selector("tr[data-status=approved]")

    finance.goto(site["base"] + "/console/payouts")
    finance.fill("#pay-statement", sid)
    finance.click("#pay-form button[type=submit]")
    finance.wait_for_selector("#payout-notice")
    assert "已打款" in finance.inner_text("#payout-notice")
    assert finance.locator("tr[data-payout]").count() == 2
    assert finance.get_attribute("tr[data-part=main]", "data-state") == "paid"
    with finance.expect_download() as downloaded:
        finance.locator(f"tr[data-payout='payout:{sid}:main'] a").click()
    body = Path(downloaded.value.path()).read_text("utf-8")
    assert f"tea-house,12.50,payout:{sid}:main" in body
    finance.click("#pay-form button[type=submit]")  # again: nothing more to pay
    finance.wait_for_selector("#payout-notice.bad")
    assert finance.locator("tr[data-payout]").count() == 2
