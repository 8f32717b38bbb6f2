"""The payment channels page (支付通道) in Debian's Chromium, on SQLite and PostgreSQL: an
operator switches new payments to the backup by hand, audited, with an alert; finance reads
the page but may not switch."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.audit import history
from dacu.domain.access import Role
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.payments_rig import BACKUP, PRIMARY, Site, served

pytestmark = pytest.mark.e2e

PAGE = "/console/payments"


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine, served(engine) as it:
        yield it


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()


def _active(site: Site) -> str:
    found: str = site.call(Role.OPERATOR, "GET", "/v1/payments/channels").json()["active"]
    return found


def test_an_operator_switches_to_the_backup_channel_in_the_console(site, page):
    # given: an operator signed in, the primary in use
    page.goto(f"{site.base}{PAGE}")
    page.fill("#token", site.tokens[Role.OPERATOR])
    page.click("button[type=submit]")
    page.wait_for_url(site.base + PAGE)
    assert "支付通道" in page.content()
    assert page.get_attribute("#channels", "data-active") == PRIMARY
    page.on("dialog", lambda dialog: dialog.accept())  # the switch asks first

    # when: the operator switches to the backup
    page.click(f'tr[data-channel="{BACKUP}"] button.switch')
    page.wait_for_selector(f'tr[data-channel="{BACKUP}"][data-active="true"]')

    # then: new payments go to the backup, the audit log names who, an alert stands
    assert _active(site) == BACKUP
    order = site.order("o-1")
    started = site.start(order["id"])
    assert started.json()["channel"] == BACKUP
    [entry] = history(site.engine, "payment-channel")
    assert (entry["actor"], entry["before"], entry["after"]["active"]) == (
        "ops-lihua",
        {"active": PRIMARY},
        BACKUP,
    )
    alerts = SqlAlertStore(site.engine).alerts(f"payment-channel:{BACKUP}", standing=True)
    assert [a.kind for a in alerts] == ["payment_switch"]
    page.goto(f"{site.base}/console/alerts")
    assert "支付通道切换" in page.content()


def test_finance_reads_the_channels_but_may_not_switch_them(site):
    with httpx.Client(base_url=site.base, timeout=30) as client:
        client.post("/console/login", data={"token": site.tokens[Role.FINANCE], "next": PAGE})
        shown = client.get(PAGE)
        assert shown.status_code == 200
        assert "hx-post" not in shown.text
        refused = client.post(
            f"{PAGE}/switch", data={"channel": BACKUP}, headers={"HX-Request": "true"}
        )
        assert refused.status_code == 403
        plain = client.post(f"{PAGE}/switch", data={"channel": BACKUP})
        assert plain.status_code == 403  # not from the console's own page
    assert _active(site) == PRIMARY
