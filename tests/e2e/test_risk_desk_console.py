"""风控审核 in Debian's Chromium, on SQLite and PostgreSQL: the risk role syncs the held
rewards into the queue, opens one, sees its evidence and rejects it with a blacklist in
one click; a second person sees it decided; the blacklist page adds and removes; an
operator reads but has no buttons; the appeals page lists a customer's appeal."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dacu.domain.access import Role
from dacu.domain.risk import Identity
from dacu.entrypoints.api import create_app
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.http import serving
from tests.integration.risk_desk_rig import NOW, Clock, desk_platform, held_reward

pytestmark = pytest.mark.e2e

PEOPLE = {"risk-wang": Role.RISK, "risk-li": Role.RISK, "ops-zhou": Role.OPERATOR}


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        platform = desk_platform(engine, Clock())
        rewards = [held_reward(platform, f"c-{n}", f"lottery:d-{n}") for n in (1, 2)]
        for who in ("c-1", "c-9"):
            platform.risk_links.link(who, Identity(device="device-farm-1"), NOW)
        tokens = {
            who: platform.principals.issue(who, role, frozenset(), NOW)
            for who, role in PEOPLE.items()
        }
        with serving(create_app(platform)) as base:
            yield {"base": base, "platform": platform, "rewards": rewards, "tokens": tokens}


def test_the_risk_role_decides_from_the_queue_in_one_click(site, open_as):
    first = f"reward:{site['rewards'][0]}"
    risk = open_as(site, "risk-wang", "/console/risk")
    assert "风控审核" in risk.content()
    assert risk.is_visible("#risk-empty")
    risk.click("#risk-backfill button")
    risk.wait_for_selector("#risk-list")
    assert "已加入队列" in risk.inner_text("#risk-notice")
    assert risk.locator("#risk-list tbody tr").count() == 2
    risk.click(f"tr[data-item='{first}'] a.button")
    risk.wait_for_selector("#risk-evidence")
    assert "2" in risk.inner_text("#risk-cluster")  # c-1 and c-9 share a device
    assert "c-9" in risk.inner_text("#risk-members")
    assert "reward:lottery" in risk.inner_text("#risk-timeline")
    other = open_as(site, "risk-li", f"/console/risk/items/{first}")
    risk.fill("#risk-note", "设备农场")
    risk.fill("#risk-until", "2026-12-31")
    risk.click("#risk-reject-blacklist")
    risk.wait_for_selector("#risk-state[data-status=rejected]")
    assert "已拒绝" in risk.inner_text("#risk-state")
    assert "account:" in risk.inner_text("#risk-state")
    other.click("#risk-approve")  # decided meanwhile: told so, nothing paid
    other.wait_for_selector("#risk-notice")
    assert "risk-wang" in other.inner_text("#risk-notice")
    assert site["platform"].coins.balance("c-1").balance == 0


def test_the_blacklist_page_adds_and_removes_and_operators_only_read(site, open_as):
    risk = open_as(site, "risk-wang", "/console/risk/blacklist")
    assert risk.is_visible("#risk-no-entries")
    risk.select_option("#risk-list-kind", "device")
    risk.fill("#risk-list-value", "dev-ring-7")
    risk.fill("#risk-list-reason", "黄牛设备")
    risk.click("#risk-list-form button[type=submit]")
    risk.wait_for_selector("tr[data-entry='device:dev-ring-7']")
    ops = open_as(site, "ops-zhou", "/console/risk/blacklist")
    assert "dev-ring-7" in ops.inner_text("#risk-entries")
    assert ops.locator("#risk-list-form").count() == 0
    assert ops.locator("button.remove").count() == 0
    risk.click("tr[data-entry='device:dev-ring-7'] button.remove")
    risk.wait_for_selector("#risk-no-entries")
    english = open_as(site, "risk-wang", "/console/risk/blacklist?lang=en")
    assert "Blacklist" in english.content()


def test_the_appeals_page_lists_a_customers_appeal(site, open_as):
    platform = site["platform"]
    platform.risk_desk.backfill()
    platform.risk_desk.appeal("c-2", "我是真实用户", f"reward:{site['rewards'][1]}")
    risk = open_as(site, "risk-wang", "/console/risk/appeals")
    row = risk.locator("#risk-list tbody tr[data-appeal='1']")
    assert row.count() == 1
    assert "我是真实用户" in row.inner_text()
    row.locator("a.button").click()
    risk.wait_for_selector("#risk-appeal")
    risk.click("#risk-approve")
    risk.wait_for_selector("#risk-state[data-status=approved]")
    assert platform.risk_desk.appeals_of("c-2")[0].status.value == "approved"
