"""拉新 in Debian's Chromium, on SQLite and PostgreSQL: an operator reads a campaign's
welcome packets, invites and merchant-code sign-ups, looks up one member's invite
tree, sees the card on the campaign's dashboard, in Chinese and in English."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dacu.domain.access import Role
from dacu.domain.acquisition import SignUpCodes
from dacu.domain.goods import Shop
from tests.integration.acquisition_world import LAUNCH_DAY, apply_launch, launch, sign_up
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.payments_rig import Site, served

pytestmark = pytest.mark.e2e

PAGE = "/console/acquisition"


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine, served(engine) as it:
        it.clock.now = LAUNCH_DAY
        platform = it.platform
        apply_launch(platform, launch(merchant_codes={}))  # a campaign that runs 商家码
        platform.goods.open_shop(Shop("shop-3", "m-3", "三号店"))
        shop_code = platform.acquisition.merchant_code("shop-3")
        root = sign_up(platform, 1).customer_id
        child = sign_up(
            platform, 2, SignUpCodes(invite_code=platform.acquisition.invite(root).code)
        )
        grandchild_code = platform.acquisition.invite(child.customer_id).code
        sign_up(platform, 3, SignUpCodes(invite_code=grandchild_code))
        sign_up(platform, 4, SignUpCodes(merchant_code=shop_code))
        it.members = (root, child.customer_id)  # type: ignore[attr-defined]
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


def sign_in(page: Any, site: Site, role: Role, path: str = PAGE) -> None:
    page.goto(f"{site.base}{path}")
    page.fill("#token", site.tokens[role])
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.base}{path}")


def test_an_operator_reads_the_campaigns_acquisition_and_a_members_tree(site, page):
    root, child = site.members  # type: ignore[attr-defined]
    sign_in(page, site, Role.OPERATOR)
    assert "拉新" in page.inner_text("nav")
    assert page.inner_text("[data-figure=welcome_issued]") == "4"
    assert page.inner_text("[data-figure=invites_rewarded]") == "2"
    assert page.inner_text("[data-figure=new_verified]") == "4"
    assert page.inner_text("[data-figure=invitees]") == "2"
    assert page.inner_text("[data-figure=depth]") == "2"
    assert page.inner_text("tr[data-shop='shop-3'] td.r") == "1"
    assert "新人红包" in page.content()
    # look up the root member: their invitee and the invitee's invitee
    page.fill("#f-member", root)
    page.click("#choose button[type=submit]")
    page.wait_for_selector("#member-tree")
    assert page.locator(f"#member-tree li[data-member='{child}'] li").count() == 1
    assert page.locator("#member-tree tr[data-reward='invite']").count() == 1
    # a member id nobody has is said so, not shown as a member without invitees
    page.fill("#f-member", "nobody-has-this-id")
    page.click("#choose button[type=submit]")
    assert page.inner_text("#member-unknown") == "没有这个会员。"
    assert page.locator("#member-tree").count() == 0
    # and in English
    page.goto(f"{site.base}{PAGE}?lang=en")
    assert "Welcome red packets" in page.content()
    assert "Acquisition" in page.inner_text("nav")


def test_the_dashboard_shows_the_acquisition_card(site, page):
    path = "/console/campaigns/launch-2026-09"
    sign_in(page, site, Role.OPERATOR, path)
    assert page.inner_text("#acquisition [data-figure=welcome_issued]") == "4"
    assert page.inner_text("#acquisition [data-figure=invites_rewarded]") == "2"


def test_finance_is_not_shown_acquisition(site, page):
    sign_in(page, site, Role.FINANCE, "/console/")
    response = page.goto(f"{site.base}{PAGE}")
    assert response.status == 403
