"""The risk rules and the blacklist over HTTP on real SQLite and PostgreSQL: a bad field
is a 422 naming it and changes nothing; each file applied is a version (who, when), the
same file twice one version; entries expire; every change is audited; only the risk
role writes."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from dacu.adapters.audit import history
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.entrypoints.api.app import create_app
from dacu.schemas.risk_rules import default_document
from tests.integration.http import serving

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
TOKENS = {"risk": ("risk-1", Role.RISK), "ops": ("ops-1", Role.OPERATOR)}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def served(engine) -> Iterator[Any]:
    clock = Clock()
    platform = bootstrap(engine, clock=clock)
    tokens = {
        name: platform.principals.issue(subject, role, frozenset(), NOW)
        for name, (subject, role) in TOKENS.items()
    }
    with serving(create_app(platform)) as base, httpx.Client(base_url=base) as client:

        def call(who: str, method: str, path: str, **options: Any) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            return client.request(method, path, headers=headers, **options)

        call.clock = clock  # type: ignore[attr-defined]
        yield call


@pytest.fixture
def call(engine):
    with served(engine) as calling:
        yield calling


def strict(limit: int) -> dict[str, Any]:
    rule = {"kind": "velocity", "code": "claims", "actions": ["coupon_claim"]}
    return {"rules": [rule | {"scope": "device", "window_s": 3600, "limit": limit}]}


def test_the_defaults_are_active_until_a_file_is_applied(call):
    found = call("risk", "GET", "/v1/risk/rules").json()
    assert found["active"]["version"] == 0
    assert found["active"]["document"] == default_document()
    assert found["history"] == []


def test_a_bad_field_is_a_422_naming_it_and_no_version(call):
    bad = strict(3)
    bad["rules"][0]["window_s"] = 0
    answer = call("risk", "PUT", "/v1/risk/rules", json=bad)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == "rules[0].window_s"
    bad["rules"][0] |= {"window_s": 60, "kind": "magic"}
    assert call("risk", "PUT", "/v1/risk/rules", json=bad).status_code == 422
    assert call("risk", "GET", "/v1/risk/rules").json()["active"]["version"] == 0


def test_versions_with_who_and_when_the_same_file_once(call, engine):
    first = call("risk", "PUT", "/v1/risk/rules", json=strict(3))
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 1
    assert call("risk", "PUT", "/v1/risk/rules", json=strict(3)).json()["version"] == 1
    assert call("risk", "PUT", "/v1/risk/rules", json=strict(5)).json()["version"] == 2
    found = call("ops", "GET", "/v1/risk/rules").json()
    assert found["active"]["version"] == 2
    assert found["active"]["document"] == strict(5)
    assert [(v["version"], v["by"], v["active"]) for v in found["history"]] == [
        (2, "risk-1", True),
        (1, "risk-1", False),
    ]
    assert call("ops", "PUT", "/v1/risk/rules", json=strict(9)).status_code == 403
    audited = history(engine, "risk:rules")
    assert [(a["actor"], a["after"]) for a in audited] == [
        ("risk-1", {"version": 1}),
        ("risk-1", {"version": 2}),
    ]


def test_blacklist_entries_expire_and_removal_is_safe_to_retry(call, engine):
    until = (NOW + timedelta(hours=2)).isoformat()
    body = {"kind": "device", "value": "d-farm", "reason": "farm", "expires_at": until}
    added = call("risk", "POST", "/v1/risk/blacklist", json=body)
    assert added.status_code == 201, added.text
    assert added.json()["by"] == "risk-1"
    again = call("risk", "POST", "/v1/risk/blacklist", json=body | {"reason": "farm ring"})
    assert again.json()["reason"] == "farm ring"
    phone = {"kind": "phone", "value": "+8613900000000", "reason": "chargebacks"}
    assert call("risk", "POST", "/v1/risk/blacklist", json=phone).status_code == 201
    listed = call("ops", "GET", "/v1/risk/blacklist").json()
    assert sorted(e["value"] for e in listed) == ["+8613900000000", "d-farm"]
    call.clock.now = NOW + timedelta(hours=2)
    assert [e["value"] for e in call("ops", "GET", "/v1/risk/blacklist").json()] == [
        "+8613900000000"
    ]
    with_expired = call("ops", "GET", "/v1/risk/blacklist", params={"expired": "true"}).json()
    assert len(with_expired) == 2
    gone = {"kind": "phone", "value": "+8613900000000"}
    assert call("risk", "DELETE", "/v1/risk/blacklist", params=gone).json()["removed"] is True
    assert call("risk", "DELETE", "/v1/risk/blacklist", params=gone).json()["removed"] is False
    assert call("ops", "DELETE", "/v1/risk/blacklist", params=gone).status_code == 403
    audited = history(engine, "risk:blacklist:phone:+8613900000000")
    assert [a["action"] for a in audited] == ["risk.blacklist.add", "risk.blacklist.remove"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "galaxy", "value": "x"}, "kind"),
        ({"kind": "ip", "value": ""}, "value"),
        (
            {"kind": "ip", "value": "1.2.3.4", "expires_at": "2026-11-11T09:00:00+00:00"},
            "expires_at",
        ),
        ({"kind": "ip", "value": "1.2.3.4", "extra": 1}, "extra"),
    ],
)
def test_a_bad_blacklist_entry_names_the_field(call, body, field):
    answer = call("risk", "POST", "/v1/risk/blacklist", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"].endswith(field)
    assert call("risk", "GET", "/v1/risk/blacklist").json() == []


def test_racing_writers_leave_contiguous_versions_and_one_entry_per_value(call):
    from concurrent.futures import ThreadPoolExecutor

    def put(limit: int) -> int:
        return call("risk", "PUT", "/v1/risk/rules", json=strict(limit)).status_code

    def post(i: int) -> int:
        body = {"kind": "ip", "value": f"10.0.0.{i % 3}", "reason": f"r{i}"}
        return call("risk", "POST", "/v1/risk/blacklist", json=body).status_code

    with ThreadPoolExecutor(6) as pool:
        applied = list(pool.map(put, range(1, 7)))
        listed = list(pool.map(post, range(12)))
    assert set(applied) <= {200, 409}
    assert set(listed) <= {201, 409}
    versions = [v["version"] for v in call("risk", "GET", "/v1/risk/rules").json()["history"]]
    assert versions == list(range(len(versions), 0, -1))
    assert len(versions) == applied.count(200)
    entries = call("risk", "GET", "/v1/risk/blacklist").json()
    assert sorted(e["value"] for e in entries) == ["10.0.0.0", "10.0.0.1", "10.0.0.2"]
