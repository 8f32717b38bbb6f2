"""关联账户 in Debian's Chromium, on SQLite and PostgreSQL: the risk desk looks an account
up and sees its cluster, its identifiers masked (never the phone) and its members, pages
through them and follows one; a finance person may not; an account never seen is said so."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.domain.risk import Identity
from dacu.entrypoints.api import create_app
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.http import serving

pytestmark = pytest.mark.e2e
NOW = datetime(2026, 9, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = "13800138000"
PEOPLE = {"risk-li": Role.RISK, "ops-wang": Role.OPERATOR, "fin-zhao": Role.FINANCE}


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        platform = bootstrap(engine, clock=lambda: NOW)
        links = platform.risk_links
        links.link("farm-00", Identity(phone=PHONE, device="d-0"), NOW - timedelta(days=3))
        for n in range(1, 55):  # 55 accounts on one device: two pages of members
            links.link(f"farm-{n:02}", Identity(device="d-0", ip="100.64.0.1"), NOW)
        tokens = {w: platform.principals.issue(w, r, frozenset(), NOW) for w, r in PEOPLE.items()}
        with serving(create_app(platform)) as base:
            yield {"base": base, "tokens": tokens}


def test_the_risk_desk_sees_a_cluster_masked_and_pages_its_members(site, open_as):
    page = open_as(site, "risk-li", "/console/risk/links")
    assert "关联账户" in page.content()
    page.fill("#links-customer", "farm-07")
    page.click("#links-find button[type=submit]")
    page.wait_for_selector("#links-cluster")
    assert page.inner_text("#links-size") == "55"
    assert page.locator("#links-members li").count() == 50
    shared = page.inner_text("#links-shared")
    assert "设备" in shared
    assert "IP" in shared
    assert PHONE not in page.content()
    page.click("#links-more")
    page.wait_for_selector("[data-member='farm-54']")
    assert page.locator("#links-members li").count() == 5
    page.click("[data-member='farm-54']")  # followed: that member's own links
    page.wait_for_url("**customer=farm-54")
    page.fill("#links-customer", "farm-00")
    page.click("#links-find button[type=submit]")
    page.wait_for_selector("tr[data-kind='phone']")
    assert "手机号" in page.inner_text("#links-shared")
    assert PHONE not in page.content()
    assert "+86" not in page.content()
    page.goto(site["base"] + "/console/risk/links?customer=ghost&lang=en")
    assert "No account seen with that id" in page.inner_text("#links-notice")


def test_only_risk_and_operators_see_linked_accounts(site, open_as):
    ops = open_as(site, "ops-wang", "/console/risk/links?customer=farm-01")
    assert ops.inner_text("#links-size") == "55"
    fin = open_as(site, "fin-zhao", "/console/")
    assert "关联账户" not in fin.inner_text("nav")
    fin.goto(site["base"] + "/console/risk/links")
    assert "仅风控和运营可查看关联账户" in fin.content()
