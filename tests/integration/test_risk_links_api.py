"""Identity links over HTTP on real SQLite and PostgreSQL: the risk desk and operators
read an account's cluster, its shared identifiers masked, and its members page by page;
nobody else may, and an account never seen is unknown_customer."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.domain.risk import Identity
from dacu.entrypoints.api import create_app
from tests.integration.http import serving

pytestmark = pytest.mark.integration
NOW = datetime(2026, 9, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = "13800138000"
LINKS = "/v1/risk/customers/{}/links"


@pytest.fixture
def api(engine):
    platform = bootstrap(engine, clock=lambda: NOW)
    links = platform.risk_links
    links.link(
        "ring-1", Identity(device="dev-1", phone=PHONE, ip="100.64.0.1"), NOW - timedelta(days=2)
    )
    for n in range(2, 6):
        links.link(f"ring-{n}", Identity(device="dev-1", ip="100.64.0.1"), NOW - timedelta(hours=n))
    links.link("honest", Identity(device="dev-9", ip="100.64.0.1"), NOW)
    issue = platform.principals.issue
    tokens = {
        who: issue(who, role, frozenset(), NOW)
        for who, role in (("risk", Role.RISK), ("ops", Role.OPERATOR), ("fin", Role.FINANCE))
    }
    with serving(create_app(platform)) as base, httpx.Client(base_url=base) as client:

        def call(who: str, path: str, **kw) -> httpx.Response:
            return client.get(path, headers={"Authorization": f"Bearer {tokens[who]}"}, **kw)

        yield call


def test_the_risk_desk_reads_a_cluster_masked_and_paged(api) -> None:
    got = api("risk", LINKS.format("ring-3"))
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["cluster"]["size"] == 5
    assert body["cluster"]["age_s"] == 2 * 86_400
    shared = {s["kind"]: s for s in body["shared"]}
    assert shared["device"]["accounts"] == 5
    assert shared["device"]["merges"]
    assert shared["ip"]["accounts"] == 6
    assert not shared["ip"]["merges"]
    assert len(shared["device"]["hash"]) == 10
    assert body["members"] == ["ring-1", "ring-2", "ring-3", "ring-4", "ring-5"]
    assert body["next_after"] is None
    first = api("ops", LINKS.format("ring-1"), params={"limit": 2}).json()
    assert PHONE not in str(first)
    assert "+86" not in str(first)
    assert first["members"] == ["ring-1", "ring-2"]
    assert first["next_after"] == "ring-2"
    rest = api("ops", LINKS.format("ring-1"), params={"limit": 2, "after": "ring-2"}).json()
    assert rest["members"] == ["ring-3", "ring-4"]
    honest = api("risk", LINKS.format("honest")).json()
    assert (honest["cluster"]["size"], honest["members"]) == (1, ["honest"])


def test_who_may_read_and_what_is_unknown(api) -> None:
    assert api("fin", LINKS.format("ring-1")).status_code == 403
    unknown = api("risk", LINKS.format("nobody"))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_customer"
    assert api("risk", LINKS.format("ring-1"), params={"limit": 0}).status_code == 422
    assert api("risk", LINKS.format("ring-1"), params={"after": "a\x00"}).status_code == 422
