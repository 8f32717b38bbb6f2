"""The lottery page (抽奖) in Debian's Chromium: the pool with what was drawn and what is
left, the dashboard's lottery card, English on request, and an operator pausing the
campaign, which stops the draws."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.access import Role
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.integration.conftest import sqlite_engine
from tests.integration.payments_rig import Site, served
from tests.integration.test_api import call
from tests.integration.test_registration_api import _sign_in

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = "launch-2026-09"
PAGE = f"/console/campaigns/{CAMPAIGN}/lottery"
SEP_3 = datetime(2026, 9, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
LOTTERY = f"/v1/campaigns/{CAMPAIGN}/lottery"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Site, str]]:
    with sqlite_engine(tmp_path) as engine, served(engine) as it:
        it.clock.now = SEP_3
        document = load_yaml((ROOT / "src/dacu/examples/launch.yaml").read_text(encoding="utf-8"))
        it.platform.campaigns.apply(*load_campaign(document), "ops-lihua", SEP_3)
        token = _sign_in(it.base, it.platform)["token"]
        call(it.base, token, "GET", LOTTERY)
        for n in range(3):
            drawn = call(
                it.base, token, "POST", f"{LOTTERY}/draws", headers={"Idempotency-Key": f"k{n}"}
            )
            assert drawn.status_code == 201, drawn.text
        yield it, token


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()


def sign_in(page: Any, site: Site, path: str = PAGE) -> None:
    page.goto(f"{site.base}{path}")
    page.fill("#token", site.tokens[Role.OPERATOR])
    page.click("button[type=submit]")
    page.wait_for_url(site.base + path)


def test_an_operator_reads_the_pool_and_what_was_drawn(site, page):
    it, _ = site
    sign_in(page, it)
    assert "奖池" in page.content()
    assert page.locator("tr[data-prize]").count() == 9
    given = sum(
        int(g)
        for g in page.locator("tr[data-prize]").evaluate_all(
            "rows => rows.map(r => r.dataset.given)"
        )
    )
    assert given == 3
    assert page.get_attribute("tr[data-prize=fuel-100]", "data-left") == str(
        200 - int(page.get_attribute("tr[data-prize=fuel-100]", "data-given") or 0)
    )
    assert page.get_attribute("#lottery-card", "data-draws-today") == "3"
    page.goto(f"{it.base}{PAGE}?lang=en")
    assert "Prize pool" in page.content()


def test_the_dashboard_shows_the_lottery_card(site, page):
    it, _ = site
    sign_in(page, it, f"/console/campaigns/{CAMPAIGN}")
    page.wait_for_selector("#lottery-card")
    assert page.get_attribute("#lottery-card", "data-draws-today") == "3"


def test_pausing_the_campaign_stops_the_draws(site, page):
    it, token = site
    call(it.base, token, "GET", LOTTERY)
    sign_in(page, it)
    assert page.get_attribute("#lottery-state", "data-open") == "true"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#lottery-pause")
    page.wait_for_selector("#lottery-resume")
    assert page.get_attribute("#lottery-state", "data-open") == "false"
    refused = call(it.base, token, "POST", f"{LOTTERY}/draws", headers={"Idempotency-Key": "k9"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "campaign_state"
