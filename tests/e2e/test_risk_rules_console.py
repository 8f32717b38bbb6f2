"""风控规则 in Debian's Chromium: the risk role sees the packaged defaults, a bad file is
refused naming the field, a good one becomes version 1 in the history; an operator
reads the page without the form."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.conftest import sqlite_engine
from tests.integration.http import serving

pytestmark = pytest.mark.e2e
NOW = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
PEOPLE = {"risk-li": Role.RISK, "ops-wang": Role.OPERATOR}
GOOD = """rules:
  - kind: velocity
    code: device_claims
    actions: [coupon_claim]
    scope: device
    window_s: 3600
    limit: 5
    verdict: block
    score: 400
"""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    with sqlite_engine(tmp_path) as engine:
        platform = bootstrap(engine, clock=lambda: NOW)
        tokens = {w: platform.principals.issue(w, r, frozenset(), NOW) for w, r in PEOPLE.items()}
        with serving(create_app(platform)) as base:
            yield {"base": base, "tokens": tokens}


def opened(browser: Any, site: dict[str, Any], who: str) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(site["base"] + "/console/risk-rules")
    page.fill("#token", site["tokens"][who])
    page.click("button[type=submit]")
    page.wait_for_url(site["base"] + "/console/risk-rules")
    return page


def test_the_risk_role_applies_a_rules_file(site, browser):
    page = opened(browser, site, "risk-li")
    assert "风控规则" in page.content()
    assert page.inner_text("#rr-active-version") == "0"
    assert "device_claims_hourly" in page.content()  # the packaged defaults
    page.fill("#rr-document", GOOD.replace("window_s: 3600", "window_s: 0"))
    page.click("form.apply-rules button[type=submit]")
    page.wait_for_selector("text=规则文件有误")
    assert "rules[0].window_s" in page.content()
    assert page.inner_text("#rr-active-version") == "0"
    page.fill("#rr-document", GOOD)
    page.click("form.apply-rules button[type=submit]")
    page.wait_for_selector("text=已发布版本")
    assert page.inner_text("#rr-active-version") == "1"
    assert "risk-li" in page.inner_text("table.history")
    page.context.close()


def test_an_operator_reads_the_rules_without_the_form(site, browser):
    page = opened(browser, site, "ops-wang")
    assert page.inner_text("#rr-active-version") == "0"
    assert page.locator("form.apply-rules").count() == 0
    page.context.close()
