"""The web console in Debian's Chromium, against a real server on SQLite and PostgreSQL:
every figure on the dashboard is the API's, the page keeps up by itself, the kill
switch works and is audited, English is one click away, the case library lists
what was archived. Plain HTTP checks cover sign-in, refusals and the assets."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine

from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.audit import history
from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.case_store import SqlCaseStore
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.principals import SqlPrincipals
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.domain.events import STOREFRONT_KINDS
from dacu.domain.money import yuan
from dacu.entrypoints.api import create_app
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.events import EventBatch
from dacu.schemas.yamlfile import load_yaml
from dacu.services import kpis
from dacu.services.review import archive
from tests.integration.conftest import (
    POSTGRES,
    postgres_engine,
    sqlite_engine,
    stock_example_goods,
)
from tests.integration.http import serving
from tests.integration.kpi_events import shoppers

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 11, 20, 5, tzinfo=SHANGHAI)  # burst, inside the 20:00 flash sale
MORNING = datetime(2026, 11, 11, 9, 0, tzinfo=SHANGHAI)
CAMPAIGN = "double11-2026"
DASHBOARD = f"/console/campaigns/{CAMPAIGN}"
PROMOTIONS = f"{DASHBOARD}/promotions"
FLASH = "flash-phone-20h"
PHONE_CART = {"cart": {"items": [{"sku": "P-PHONE", "qty": 1}]}}


@dataclass
class Console:
    base: str
    engine: Engine
    tokens: dict[Role, str]

    def api(self, method: str, path: str, role: Role = Role.OPERATOR, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        answer = httpx.request(method, self.base + path, headers=headers, timeout=30, **kw)
        assert answer.status_code < 300, answer.text
        return answer.json()

    def send(self, events: list[dict[str, Any]]) -> None:
        """The storefront's events over HTTP; the server's own (orders, payments …) as
        its outbox would deliver them."""
        front = [event for event in events if event["kind"] in STOREFRONT_KINDS]
        for start in range(0, len(front), 1000):
            batch = {"events": front[start : start + 1000]}
            self.api("POST", "/v1/events", Role.STOREFRONT, json=batch)
        own = [event for event in events if event["kind"] not in STOREFRONT_KINDS]
        if own:
            found = EventBatch.model_validate({"events": own}).to_domain()
            store, alerts = SqlKpiStore(self.engine), SqlAlertStore(self.engine)
            kpis.ingest(store, SqlCampaignStore(self.engine), alerts, found, NOW)

    def kpis(self) -> dict[str, Any]:
        found: dict[str, Any] = self.api("GET", f"/v1/campaigns/{CAMPAIGN}/kpis")
        return found

    def sign_in(self, page: Any, role: Role, then: str) -> None:
        """Open `then`, land on the form, sign in with the role's token: back at `then`."""
        page.goto(self.base + then)
        page.fill("#token", self.tokens[role])
        page.click("button[type=submit]")
        page.wait_for_url(self.base + then)

    def killed(self) -> set[str]:
        document = self.api("GET", f"/v1/campaigns/{CAMPAIGN}")
        return {p["id"] for p in document["promotions"] if p.get("killed")}

    def phone_quote_applies(self) -> set[str]:
        quoted = self.api("POST", "/v1/quotes", Role.CONSUMER, json=PHONE_CART)
        return {applied["id"] for applied in quoted["applied"]}


def _serve(engine: Engine) -> Iterator[Console]:
    document = load_yaml((ROOT / "src/dacu/examples/double11.yaml").read_text("utf-8"))
    SqlCampaignStore(engine).apply(*load_campaign(document), "ops-lihua", MORNING)
    principals = SqlPrincipals(engine)
    subjects = {
        Role.OPERATOR: "ops-lihua",
        Role.FINANCE: "fin-zhao",
        Role.RISK: "risk-wang",
        Role.CONSUMER: "u-1024",
        Role.STOREFRONT: "shop-front",
    }
    tokens = {
        role: principals.issue(who, role, frozenset(), MORNING) for role, who in subjects.items()
    }
    platform = bootstrap(engine, clock=lambda: NOW)
    stock_example_goods(platform)
    with serving(create_app(platform)) as base:
        yield Console(base, engine, tokens)


@pytest.fixture(params=["sqlite", POSTGRES])
def console(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Console]:
    """A served app with the example campaign, on each database."""
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        yield from _serve(engine)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Console]:
    """The same on SQLite only, for the plain HTTP checks."""
    with sqlite_engine(tmp_path) as engine:
        yield from _serve(engine)


# --- in the browser -------------------------------------------------------------------


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    refused: list[str] = []  # the Content-Security-Policy must never have to refuse anything
    opened.on(
        "console",
        lambda message: refused.append(message.text) if "Security Policy" in message.text else None,
    )
    try:
        yield opened
        assert refused == []
    finally:
        context.close()


def _at(document: Any, path: str) -> Any:
    for part in path.split("."):
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


def _figures(page: Any) -> list[tuple[str, int, str]]:
    shown = page.eval_on_selector_all(
        "[data-kpi]", "els => els.map(e => [e.dataset.kpi, e.dataset.value, e.textContent])"
    )
    return [(path, int(value), text) for path, value, text in shown]


def _assert_page_equals_api(page: Any, api: dict[str, Any]) -> None:
    shown = _figures(page)
    paths = {path for path, _, _ in shown}
    wrong = [(path, value, _at(api, path)) for path, value, _ in shown if value != _at(api, path)]
    assert not wrong, f"the page differs from the API at {wrong}"
    required = {
        "totals.gmv",
        "totals.orders",
        "totals.aov",
        "totals.uv",
        "totals.pv",
        "totals.new_users",
        "totals.conversion_bp",
        "totals.refund_rate_bp",
        "totals.coupon_claims",
        "totals.coupon_uses",
        "totals.repurchase_bp",
        "budget_used_bp",
        "totals.carters",
        "totals.orderers",
        "totals.payers",
        "segments.new.gmv",
        "segments.returning.gmv",
        *(f"channels.{channel}.gmv" for channel in api["channels"]),
        *(f"top_skus.{i}.gmv" for i in range(len(api["top_skus"]))),
        *(f"achievements.{i}.achievement_bp" for i in range(len(api["achievements"]))),
    }
    assert required <= paths, f"not on the page: {sorted(required - paths)}"
    text = {path: text for path, _, text in shown}
    totals = api["totals"]
    assert text["totals.gmv"] == f"¥{yuan(totals['gmv'])}"
    assert text["totals.aov"] == f"¥{yuan(totals['aov'])}"
    rate = totals["conversion_bp"]
    assert text["totals.conversion_bp"] == f"{rate // 100}.{rate % 100:02d}%"
    assert text["totals.orders"] == f"{totals['orders']:,}"


def _chart_fen(page: Any, chart: str) -> list[int]:
    series = page.evaluate(
        "id => echarts.getInstanceByDom(document.getElementById(id)).getOption().series[0].data",
        chart,
    )
    return [round(value * 100) for value in series]


def _second_wave() -> list[dict[str, Any]]:
    """More shoppers in the afternoon: new ids, new people."""
    wave = shoppers(12, CAMPAIGN, 120, datetime(2026, 11, 11, 13, 0, tzinfo=SHANGHAI))
    for event in wave:
        event["id"] = f"wave2:{event['id']}"
        event["customer_id"] = f"w2-{event['customer_id']}"
    return wave


def test_dashboard_shows_the_apis_figures_and_keeps_up_by_itself(console, page):
    # given: a morning of shoppers, and an operator signed in
    console.send(shoppers(11, CAMPAIGN, 250, MORNING))
    console.sign_in(page, Role.OPERATOR, DASHBOARD)
    page.wait_for_function("() => echarts.getInstanceByDom(document.getElementById('chart-gmv'))")

    # then: every figure on the page is the API's, to the fen, and so are the charts
    api = console.kpis()
    assert api["totals"]["gmv"] > 0
    _assert_page_equals_api(page, api)
    bars = page.eval_on_selector_all(
        "[data-width]", "els => els.map(e => [e.dataset.width + '%', e.style.width])"
    )  # drawn by console.js: the policy allows no style attribute
    assert bars
    assert all(wanted == drawn for wanted, drawn in bars), bars
    assert _chart_fen(page, "chart-gmv") == [hour["gmv"] for hour in api["hourly"]]
    assert _chart_fen(page, "chart-orders") == [hour["orders"] * 100 for hour in api["hourly"]]
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(500)  # let the charts' short animation finish before the picture
    page.screenshot(path=str(ARTIFACTS / "console-dashboard.png"), full_page=True)

    # when: an afternoon's shoppers arrive, and nobody touches the page
    console.send(_second_wave())
    later = console.kpis()
    assert later["totals"]["gmv"] > api["totals"]["gmv"]

    # then: the next poll shows the new figures, and the charts are redrawn from them
    page.wait_for_function(
        "gmv => document.querySelector('[data-kpi=\"totals.gmv\"]').dataset.value === gmv",
        arg=str(later["totals"]["gmv"]),
    )
    _assert_page_equals_api(page, later)
    page.wait_for_function(
        """gmv => echarts.getInstanceByDom(document.getElementById('chart-gmv')).getOption()
             .series[0].data.reduce((sum, v) => sum + Math.round(v * 100), 0) === gmv""",
        arg=later["totals"]["gmv"],
    )
    assert _chart_fen(page, "chart-gmv") == [hour["gmv"] for hour in later["hourly"]]


def test_kill_switch_stops_a_promotion_and_revive_brings_it_back(console, page):
    # given: an operator signed in through the form, the flash sale pricing the phone
    page.goto(f"{console.base}{PROMOTIONS}")
    assert "/console/login" in page.url
    page.fill("#token", console.tokens[Role.OPERATOR])
    page.click("button[type=submit]")
    page.wait_for_url(console.base + PROMOTIONS)
    assert FLASH in console.phone_quote_applies()
    row = f'tr[data-promotion="{FLASH}"]'
    page.on("dialog", lambda dialog: dialog.accept())  # the kill switch asks first

    # when: the operator kills it
    page.click(f"{row} button.kill")
    page.wait_for_selector(f'{row}[data-killed="true"]')

    # then: the API holds it killed, a quote no longer applies it, the audit log names who
    assert console.killed() == {FLASH}
    assert FLASH not in console.phone_quote_applies()
    last = history(console.engine, f"campaign:{CAMPAIGN}")[-1]
    assert (last["action"], last["actor"], last["after"]) == (
        "promotion.kill",
        "ops-lihua",
        {"killed": [FLASH]},
    )
    page.screenshot(path=str(ARTIFACTS / "console-promotions.png"), full_page=True)

    # when: revived, it prices again
    page.click(f"{row} button.revive")
    page.wait_for_selector(f'{row}[data-killed="false"]')
    assert console.killed() == set()
    assert FLASH in console.phone_quote_applies()


def test_english_is_one_click_away_and_stays(console, page):
    console.sign_in(page, Role.FINANCE, DASHBOARD)
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.inner_text('[data-card="orders"] .card-label') == "订单"

    page.click(".lang-switch")
    page.wait_for_selector('html[lang="en"]')
    assert page.inner_text('[data-card="orders"] .card-label') == "Orders"
    assert page.inner_text(".topbar nav") == (
        "Campaigns\nAlerts\nPayment channels\nCase library\nMerchant rebates\nLedger"
        "\nAd spend & penalties\nStatements\nAppeals\nLarge-line reviews\nPayouts"
    )
    page.goto(f"{console.base}/console/alerts")  # the choice is remembered
    assert page.get_attribute("html", "lang") == "en"

    page.click(".lang-switch")
    page.wait_for_selector('html[lang="zh-CN"]')
    assert "告警" in page.inner_text("h1")


def test_case_library_lists_an_archived_campaign(console, page):
    console.send(shoppers(13, CAMPAIGN, 150, MORNING))
    campaign = SqlCampaignStore(console.engine).campaign(CAMPAIGN)
    kpis, alerts, cases = (
        SqlKpiStore(console.engine),
        SqlAlertStore(console.engine),
        SqlCaseStore(console.engine),
    )
    _, case = archive(kpis, alerts, cases, campaign, NOW)

    console.sign_in(page, Role.OPERATOR, "/console/cases")
    card = page.locator(f'article[data-case="{CAMPAIGN}"]')
    assert "双十一 全民狂欢节" in card.inner_text()
    gmv = card.locator('[data-case-figure="gmv"]')
    assert gmv.get_attribute("data-value") == str(case.totals["gmv"])
    assert gmv.inner_text() == f"¥{yuan(case.totals['gmv'])}"
    achieved = card.locator('[data-case-figure="achievement_bp"]')
    shown = [int(value) for value in achieved.evaluate_all("els => els.map(e => e.dataset.value)")]
    assert shown == [done.achievement_bp for done in case.achievements]
    for line in (*case.highlights, *case.shortfalls):
        assert line in card.inner_text()


# --- over plain HTTP ------------------------------------------------------------------


def _signed_in(site: Console, role: Role) -> httpx.Client:
    """A client holding the console session the role's token signs in to (if any)."""
    with httpx.Client(base_url=site.base, timeout=30) as signing:
        signed = signing.post("/console/login", data={"token": site.tokens[role]})
        assert signed.status_code in (303, 401), signed.text
        cookies = httpx.Cookies(signing.cookies)
    return httpx.Client(base_url=site.base, timeout=30, cookies=cookies)


def test_pages_send_a_visitor_without_a_session_to_the_login_form(site):
    with httpx.Client(base_url=site.base, timeout=30) as client:
        page = client.get(DASHBOARD)
        assert page.status_code == 303
        assert page.headers["location"] == f"/console/login?next={DASHBOARD}"
        poll = client.get(f"{DASHBOARD}/live", headers={"HX-Request": "true"})
        assert poll.status_code == 401
        assert poll.headers["hx-redirect"] == f"/console/login?next={DASHBOARD}/live"
        assert client.get("/console/login").status_code == 200


def test_unknown_tokens_and_customers_do_not_get_in(site):
    with httpx.Client(base_url=site.base, timeout=30) as client:
        wrong = client.post("/console/login", data={"token": "not-a-token"})
        assert wrong.status_code == 401
        assert "set-cookie" not in wrong.headers
        assert "令牌无效" in wrong.text
        customer = client.post("/console/login", data={"token": site.tokens[Role.CONSUMER]})
        assert customer.status_code == 401
        assert "set-cookie" not in customer.headers
    with _signed_in(site, Role.CONSUMER) as client:  # no session was opened
        assert client.get("/console/").status_code == 303


def test_the_login_form_refuses_a_post_from_another_site(site):
    with httpx.Client(base_url=site.base, timeout=30) as client:
        token = {"token": site.tokens[Role.OPERATOR], "next": "/console/cases"}
        forged = client.post("/console/login", data=token, headers={"Origin": "http://evil.test"})
        assert forged.status_code == 403
        assert "set-cookie" not in forged.headers
        signed = client.post("/console/login", data=token, headers={"Origin": site.base})
        assert signed.status_code == 303
        assert signed.headers["location"] == "/console/cases"


def test_the_kill_switch_refuses_requests_the_console_did_not_make(site):
    kill = f"{PROMOTIONS}/{FLASH}/kill"
    with _signed_in(site, Role.OPERATOR) as client:
        # a cross-site form can send the cookie (if SameSite allowed) but never the header
        plain = client.post(kill, data={"killed": "true"})
        assert plain.status_code == 403
        cross = client.post(
            kill,
            data={"killed": "true"},
            headers={"HX-Request": "true", "Origin": "http://evil.test"},
        )
        assert cross.status_code == 403
        assert site.killed() == set()

        own = client.post(
            kill, data={"killed": "true"}, headers={"HX-Request": "true", "Origin": site.base}
        )
        assert own.status_code == 200
        assert f'data-promotion="{FLASH}" data-killed="true"' in own.text
        assert site.killed() == {FLASH}


def test_finance_reads_promotions_but_may_not_kill_them(site):
    with _signed_in(site, Role.FINANCE) as client:
        listed = client.get(PROMOTIONS)
        assert listed.status_code == 200
        assert FLASH in listed.text
        assert "hx-post" not in listed.text  # no kill or revive buttons
        refused = client.post(
            f"{PROMOTIONS}/{FLASH}/kill", data={"killed": "true"}, headers={"HX-Request": "true"}
        )
        assert refused.status_code == 403
        assert site.killed() == set()
    with _signed_in(site, Role.RISK) as client:  # risk may, as over the API
        killed = client.post(
            f"{PROMOTIONS}/{FLASH}/kill", data={"killed": "true"}, headers={"HX-Request": "true"}
        )
        assert killed.status_code == 200
        assert site.killed() == {FLASH}


def test_missing_campaigns_and_promotions_are_pages_not_found(site):
    with _signed_in(site, Role.OPERATOR) as client:
        assert client.get("/console/campaigns/no-such").status_code == 404
        missing = client.post(
            f"{PROMOTIONS}/no-such/kill", data={"killed": "true"}, headers={"HX-Request": "true"}
        )
        assert missing.status_code == 404


@pytest.mark.parametrize(
    ("asset", "kind"),
    [
        ("htmx.min.js", "javascript"),
        ("echarts.min.js", "javascript"),
        ("console.js", "javascript"),
        ("console.css", "text/css"),
        ("LICENSE-echarts.txt", "text/plain"),
        ("LICENSE-htmx.txt", "text/plain"),
    ],
)
def test_console_assets_are_served_by_dacu_itself(site, asset, kind):
    served = httpx.get(f"{site.base}/console/static/{asset}", timeout=30)
    assert served.status_code == 200
    assert kind in served.headers["content-type"]
    assert served.content


def test_pages_load_nothing_from_elsewhere(site):
    with _signed_in(site, Role.OPERATOR) as client:
        for path in ("/console/", DASHBOARD, PROMOTIONS, "/console/alerts", "/console/cases"):
            html = client.get(path).text
            assert not re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", html), path
    assert not [p for p in httpx.get(f"{site.base}/openapi.json").json()["paths"] if "console" in p]
