"""The console's own sessions, against a real server on SQLite and PostgreSQL: the token is
posted once and never kept (not in a cookie, not in a URL), the session is the server's
and ends at logout, after a shift, or when its token is revoked; in Chromium, the session
cookie is out of scripts' reach and signing out ends it."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from dacu.adapters.principals import digest
from dacu.adapters.tables import console_sessions
from dacu.bootstrap import Platform, bootstrap
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.e2e.test_console import MORNING
from tests.integration.conftest import POSTGRES, postgres_engine, sqlite_engine
from tests.integration.http import serving

pytestmark = pytest.mark.e2e

ALERTS = "/console/alerts"


class Clock:
    def __init__(self) -> None:
        self.now = MORNING

    def __call__(self) -> Any:
        return self.now


@dataclass
class Site:
    base: str
    engine: Engine
    platform: Platform
    clock: Clock
    token: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30)

    def sign_in(self, client: httpx.Client) -> httpx.Response:
        return client.post("/console/login", data={"token": self.token, "next": ALERTS})


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        clock = Clock()
        platform = bootstrap(engine, clock=clock)
        token = platform.access.issue("ops-lihua", Role.OPERATOR).token
        with serving(create_app(platform)) as base:
            yield Site(base, engine, platform, clock, token)


def test_signing_in_opens_a_session_of_its_own_and_the_token_is_kept_nowhere(site):
    with site.client() as client:
        signed = site.sign_in(client)
        assert signed.status_code == 303
        assert signed.headers["location"] == ALERTS
        cookie = signed.headers["set-cookie"]
        assert site.token not in cookie
        name, _, rest = cookie.partition("=")
        session_id = rest.split(";")[0]
        assert name == "dacu_session"
        assert {"httponly", "samesite=lax", "path=/console", "max-age=43200"} <= {
            part.strip().lower() for part in cookie.split(";")
        }
        assert client.get(ALERTS).status_code == 200
    with site.engine.connect() as connection:
        rows = connection.execute(select(console_sessions)).all()
    assert [row.session_hash for row in rows] == [digest(session_id)]  # never the id itself
    assert site.token not in repr(rows)
    assert session_id not in repr(rows)


def test_a_token_in_a_url_signs_nobody_in_and_is_not_echoed(site):
    with site.client() as client:
        page = client.get(f"/console/login?token={site.token}&next={ALERTS}")
        assert page.status_code == 200  # the form, as without it
        assert "set-cookie" not in page.headers
        assert site.token not in page.text  # not even in the language switch's link
        assert client.get(ALERTS).status_code == 303


def test_logging_out_ends_the_session_on_the_server(site):
    with site.client() as client:
        site.sign_in(client)
        stolen = client.cookies["dacu_session"]
        out = client.post("/console/logout")
        assert out.status_code == 303
        assert 'dacu_session=""' in out.headers["set-cookie"]
    with site.client() as replay:  # the old cookie, kept by someone, opens nothing
        replay.cookies.set("dacu_session", stolen, path="/console")
        answer = replay.get(ALERTS)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/console/login")


def test_a_session_ends_after_a_shift_and_when_its_token_is_revoked(site):
    with site.client() as client:
        site.sign_in(client)
        site.clock.now = MORNING + timedelta(hours=11, minutes=59)
        assert client.get(ALERTS).status_code == 200
        site.clock.now = MORNING + timedelta(hours=12)
        assert client.get(ALERTS).status_code == 303
    site.clock.now = MORNING
    with site.client() as client:
        site.sign_in(client)
        assert client.get(ALERTS).status_code == 200
        assert site.platform.access.revoke(site.token)
        assert client.get(ALERTS).status_code == 303
        again = site.sign_in(client)  # the revoked token opens no new session either
        assert again.status_code == 401


def test_an_expired_token_opens_no_session(site):
    short = site.platform.access.issue("risk-wang", Role.RISK, ttl=timedelta(hours=1)).token
    site.clock.now = MORNING + timedelta(hours=1)
    with site.client() as client:
        refused = client.post("/console/login", data={"token": short})
        assert refused.status_code == 401
        assert "set-cookie" not in refused.headers


def test_in_the_browser_the_session_is_out_of_scripts_reach_and_signing_out_ends_it(site, browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(site.base + ALERTS)
        page.fill("#token", site.token)
        page.click("button[type=submit]")
        page.wait_for_url(site.base + ALERTS)
        assert page.evaluate("document.cookie") == ""  # HttpOnly: no script reads it
        assert site.token not in page.content()
        page.click(".session button[type=submit]")
        page.wait_for_url(f"{site.base}/console/login")
        page.goto(site.base + ALERTS)
        assert "/console/login" in page.url
    finally:
        context.close()
