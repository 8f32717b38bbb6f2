"""The coins page (智慧币) in Debian's Chromium, on SQLite and PostgreSQL: outstanding coins,
their liability, earned by reason, sign-ins and tasks per day — the same figures as the
API's — in Chinese first and in English; the dashboard's card; finance reads it, a risk
officer is refused."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dacu.domain.access import Role
from dacu.domain.events import EventKind
from dacu.domain.facts import Fact
from dacu.entrypoints.api import create_app
from tests.integration.coins_rig import CAMPAIGN, DAY_ONE, Clock, launch_platform, member
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.http import serving

pytestmark = pytest.mark.e2e

PAGE = f"/console/campaigns/{CAMPAIGN}/coins"


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict, Any]]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        platform = launch_platform(engine, Clock(DAY_ONE))
        for n in range(3):
            member(platform, f"c{n}")
            platform.tasks.sign_in(CAMPAIGN, f"c{n}")
        platform.tasks.visit(CAMPAIGN, "c0", "browse-venue")
        paid = Fact(
            "order:o1:paid", EventKind.PAYMENT, "c1", DAY_ONE, DAY_ONE, order_id="o1", amount=5_000
        )
        platform.listeners[0].take([paid], DAY_ONE)  # 50 coins and the order task
        tokens = {
            role: platform.access.issue(subject, role).token
            for role, subject in [
                (Role.OPERATOR, "ops-lihua"),
                (Role.FINANCE, "fin-wang"),
                (Role.RISK, "risk-zhao"),
            ]
        }
        with serving(create_app(platform)) as base:
            yield base, tokens, platform


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
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


def test_finance_reads_the_coin_liability_as_the_api_gives_it(site, page):
    base, tokens, platform = site
    sign_in(page, base, tokens[Role.FINANCE])
    api = platform.coin_rewards.figures(CAMPAIGN)
    assert api.outstanding == 3 + 1 + 50 + 1
    assert page.get_attribute("#coins", "data-outstanding") == str(api.outstanding)
    assert page.get_attribute("#coins", "data-liability") == str(api.liability)
    assert page.get_attribute("#coins", "data-drawn") == str(api.drawn)
    assert "智慧币负债" in page.content()
    assert page.get_attribute("tr[data-reason='paid']", "data-coins") == "50"
    assert page.get_attribute("tr[data-reason='sign_in']", "data-coins") == "3"
    day = page.locator("tr[data-day='2026-09-01']")
    assert day.get_attribute("data-signed") == "3"
    assert day.locator("td[data-task='browse-venue']").inner_text() == "1"
    assert day.locator("td[data-task='place-order']").inner_text() == "1"
    page.click("a.lang-switch")
    page.wait_for_selector("text=Coin liability")
    assert "Yuan paid" in page.content()


def test_the_dashboard_shows_coins_earned_today_and_the_liability(site, page):
    base, tokens, platform = site
    sign_in(page, base, tokens[Role.OPERATOR], f"/console/campaigns/{CAMPAIGN}")
    card = page.locator("#coins-card")
    api = platform.coin_rewards.figures(CAMPAIGN)
    assert card.get_attribute("data-today") == str(api.earned_today) == "55"
    assert card.get_attribute("data-liability") == str(api.liability)
    card.click()
    page.wait_for_url(base + PAGE)


def test_a_risk_officer_may_not_read_the_coins(site, page):
    base, tokens, _ = site
    page.goto(f"{base}{PAGE}")
    page.fill("#token", tokens[Role.RISK])
    page.click("button[type=submit]")
    page.wait_for_selector("text=仅运营和财务可查看智慧币。")
