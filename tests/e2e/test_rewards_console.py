"""兑换与履约 in Debian's Chromium, on SQLite and PostgreSQL: the catalog with stock left
and budget burn, the fulfilment queue with due dates and the overdue in red, an operator
marking a prize shipped (audited) and trying a failed top-up again; in English too."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from dacu.adapters.audit import history
from dacu.adapters.simulated_topups import SimulatedTopUps
from dacu.domain.access import Role
from dacu.domain.rewards import Grant, Reward, RewardKind
from dacu.entrypoints.api import create_app
from dacu.services.ports.topups import TopUpState
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.http import serving
from tests.integration.rewards_rig import LAUNCH, SHANGHAI, Clock, launched, member

pytestmark = pytest.mark.e2e

PAGE = "/console/rewards"
WON = datetime(2026, 9, 24, 10, 0, tzinfo=SHANGHAI)
ADDRESS = ("李华", "13800138000", "北京市朝阳区建国路88号")


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        clock = Clock(WON)
        topups = SimulatedTopUps([TopUpState.FAILED])
        platform = launched(engine, clock, topups)
        member(platform, "c-1", coins=20_000, phone="+8613800138000")
        member(platform, "c-2", coins=0, phone="+8613800138001")
        platform.redemptions.redeem(LAUNCH, "c-1", "fuel-100", 1, "k-1")  # awaiting address
        platform.redemptions.redeem(LAUNCH, "c-1", "topup-10", 2, "k-2")  # top-ups fail
        fuel = Reward(RewardKind.PHYSICAL, "电影票", 8000)
        platform.rewards.give(Grant(fuel, "c-2", LAUNCH, "lottery:7", WON, "lottery"))
        late = platform.rewards.mine("c-2")[0]
        held = Grant(
            Reward(RewardKind.PHYSICAL, "电影票", 8000), "c-2", LAUNCH, "lottery:8", WON, "lottery"
        )
        platform.rewards.hold(held)
        platform.rewards.give_address(late.id, "c-2", *ADDRESS)  # due 2026-09-30
        clock.now = datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)  # past it
        topups.answer(TopUpState.CONFIRMED)
        tokens = {r: platform.access.issue(f"{r.value}-1", r).token for r in Role}
        with serving(create_app(platform)) as base:
            yield base, platform, tokens, late.id


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()


def sign_in(page: Any, base: str, token: str, path: str = PAGE) -> None:
    page.goto(f"{base}{path}")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url(base + path)


def test_an_operator_reads_the_catalog_and_works_the_queue(site, page):
    base, platform, tokens, late_id = site
    sign_in(page, base, tokens[Role.OPERATOR])
    assert page.inner_text(".topbar nav a.on") == "兑换与履约"
    assert page.get_attribute("tr[data-item='topup-10']", "data-left") == "4998"
    assert page.get_attribute("tr[data-item='fuel-100']", "data-left") == "199"
    burn = page.locator(f"[data-catalog='{LAUNCH}']")
    assert burn.get_attribute("data-drawn") == str(2 * 1000 + 10000)
    assert page.locator("tr[data-status='awaiting_address']").count() == 1
    assert page.locator("tr[data-status='failed']").count() == 2
    late = page.locator(f"tr[data-reward='{late_id}']")
    assert late.get_attribute("data-overdue") == "1"
    assert "level-critical" in (late.get_attribute("class") or "")
    assert "2026-09-30" in late.inner_text()
    assert "已逾期" in late.inner_text()

    late.locator("input[name=carrier]").fill("顺丰")
    late.locator("input[name=waybill]").fill("SF1234567890")
    late.locator("button[type=submit]").click()
    page.wait_for_selector("#fulfilment .notice")
    assert page.locator(f"tr[data-reward='{late_id}']").count() == 0
    audited = history(platform.engine, f"reward:{late_id}")
    assert [(e["actor"], e["after"]["waybill"]) for e in audited] == [
        ("operator-1", "SF1234567890")
    ]

    page.locator("tr[data-status='failed'] form.retry button").first.click()
    page.wait_for_selector("#fulfilment .notice:has-text('已重试')")
    assert page.locator("tr[data-status='failed']").count() == 1

    page.on("dialog", lambda dialog: dialog.accept())  # releasing asks first
    page.locator("tr[data-status='held'] form.release button").click()
    page.wait_for_selector("#fulfilment .notice:has-text('已发放')")
    assert page.locator("tr[data-status='held']").count() == 0
    assert page.locator("tr[data-status='awaiting_address']").count() == 2


def test_the_page_speaks_english_and_finance_only_reads(site, page):
    base, _, tokens, _ = site
    sign_in(page, base, tokens[Role.FINANCE])
    page.goto(f"{base}{PAGE}?lang=en")
    assert page.inner_text("h1") == "Redemption & fulfilment"
    assert "Awaiting address" in page.content()
    assert page.locator("form.ship").count() == 0
    assert page.locator("form.retry").count() == 0
    assert page.locator("form.release").count() == 0
    assert "Only operators ship" in page.content()
