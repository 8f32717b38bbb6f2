"""Hostile requests over real HTTP: each a 4xx in the one error shape, and nothing written."""

import json
import socket
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.tables.kpi import events
from dacu.adapters.tables.order import orders
from dacu.domain.access import Role
from dacu.domain.events import Channel, Event, EventKind, Segment
from tests.e2e.live_api import CAMPAIGN, NOW, LiveApi, live_api

pytestmark = pytest.mark.e2e

TWO_MB = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    roles = (Role.OPERATOR, Role.CONSUMER, Role.STOREFRONT)
    with live_api(tmp_path_factory.mktemp("hostile"), roles, _with_a_bug) as api:
        yield api


def _with_a_bug(app: FastAPI) -> None:
    @app.get("/test-only/boom")
    def boom() -> None:
        raise RuntimeError("a bug with a secret in its message")


def _send(live, role: Role | None, method: str, path: str, **kwargs) -> httpx.Response:
    base, tokens, _ = live
    headers = kwargs.pop("headers", {})
    if role is not None:
        headers["Authorization"] = f"Bearer {tokens[role]}"
    return httpx.request(method, f"{base}{path}", headers=headers, timeout=30, **kwargs)


def _refused(response: httpx.Response, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code
    assert "Traceback" not in response.text
    if field is not None:
        assert body["error"]["field"] == field


def _cart(**item: object) -> dict:
    line = {"sku": "P-PHONE", "qty": 1, **item}
    return {"cart": {"items": [line]}}


def _checkout(live, body: object, key: str = "k-1") -> httpx.Response:
    return _send(
        live, Role.CONSUMER, "POST", "/v1/orders", json=body, headers={"Idempotency-Key": key}
    )


def _sent(live) -> int:
    """Events taken in from the storefront here (the server's own are delivered too)."""
    with live[2].connect() as connection:
        query = select(func.count()).where(events.c.id.like("h-%"))
        return int(connection.execute(query).scalar_one())


def _count(live, table) -> int:
    with live[2].connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"qty": 10**19}, "cart.items[0].qty"),
        ({"price": 10**19}, "cart.items[0].price"),
        ({"price": -1}, "cart.items[0].price"),
        ({"qty": 0}, "cart.items[0].qty"),
        ({"sku": "P-PHONE\u0000"}, "cart.items[0].sku"),
        ({"shop": "s" * 100_000}, "cart.items[0].shop"),
    ],
    ids=["huge-qty", "huge-price", "negative-price", "zero-qty", "nul-sku", "long-shop"],
)
def test_a_cart_out_of_bounds_is_a_422_naming_the_field(live, item, field):
    _refused(
        _send(live, Role.CONSUMER, "POST", "/v1/quotes", json=_cart(**item)), 422, "invalid", field
    )
    _refused(_checkout(live, _cart(**item)), 422, "invalid", field)
    assert _count(live, orders) == 0


@pytest.mark.parametrize(
    "fact",
    [{"first_order": True}, {"phone_verified": True}, {"member_tier": "gold"},
     {"bought": {"P-PHONE": -10}}],
    ids=["first_order", "phone_verified", "member_tier", "bought"],
)  # fmt: skip
def test_what_the_server_knows_of_a_customer_is_refused_from_the_body(live, fact):
    (name,) = fact
    for path in ("/v1/quotes", "/v1/orders"):
        answer = _send(live, Role.CONSUMER, "POST", path, json={**_cart(), **fact},
                       headers={"Idempotency-Key": "k-facts"})  # fmt: skip
        _refused(answer, 422, "invalid", name)
    _refused(_checkout(live, _cart(), key="k" * 129), 422, "invalid")
    assert _count(live, orders) == 0


def test_an_unknown_or_off_shelf_sku_is_a_422_naming_its_line(live):
    for sku in ("NO-SUCH-SKU", "G-GLOVES"):  # the gift gloves are off the shelf
        cart = {"cart": {"items": [{"sku": "P-PHONE", "qty": 1}, {"sku": sku, "qty": 1}]}}
        _refused(_checkout(live, cart), 422, "invalid", "cart.items[1].sku")
    assert _count(live, orders) == 0


def test_a_body_over_1_mb_is_413_with_its_length_declared(live):
    padding = "x" * TWO_MB
    response = _send(
        live,
        Role.CONSUMER,
        "POST",
        "/v1/quotes",
        content=json.dumps({**_cart(), "padding": padding}).encode(),
        headers={"Content-Type": "application/json"},
    )
    _refused(response, 413, "payload_too_large")


def test_a_chunked_body_over_1_mb_is_413_as_it_streams(live):
    def chunks() -> Iterator[bytes]:
        yield b'{"padding": "'
        for _ in range(TWO_MB // 65536):
            yield b"x" * 65536
        yield b'"}'

    response = _send(
        live,
        Role.CONSUMER,
        "POST",
        "/v1/orders",
        content=chunks(),
        headers={"Content-Type": "application/json", "Idempotency-Key": "k-chunked"},
    )
    assert "content-length" not in response.request.headers
    _refused(response, 413, "payload_too_large")
    assert _count(live, orders) == 0


def test_a_raw_chunked_upload_is_cut_off_at_the_limit(live):
    # a raw socket: the server answers 413 while the client is still sending
    base = urlsplit(live[0])
    token = live[1][Role.CONSUMER]
    head = (
        "POST /v1/quotes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"x" * 65536
    with socket.create_connection((base.hostname, base.port), timeout=30) as raw:
        raw.sendall(head)
        try:
            for _ in range(TWO_MB // len(chunk)):
                raw.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            raw.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before the rest was sent
        answer = raw.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert '"payload_too_large"' in answer


@pytest.mark.parametrize(
    "text",
    ['{"cart": ', "not json at all", '{"cart": {"items": [}]}', "\x00\x01\x02"],
    ids=["cut-short", "prose", "broken", "binary"],
)
def test_malformed_json_is_a_400(live, text):
    for path in ("/v1/quotes", "/v1/flash-sales/s-1/attempts"):
        response = _send(
            live,
            Role.CONSUMER,
            "POST",
            path,
            content=text.encode(),
            headers={"Content-Type": "application/json"},
        )
        _refused(response, 400, "malformed")


@pytest.mark.parametrize("depth", [5_000, 200_000], ids=["deep", "deeper"])
def test_deeply_nested_json_is_refused_not_a_crash(live, depth):
    nested = "[" * depth + "]" * depth
    for path in ("/v1/quotes", "/v1/flash-sales/s-1/attempts", f"/v1/campaigns/{CAMPAIGN}"):
        method = "PUT" if path.startswith("/v1/campaigns") else "POST"
        role = Role.OPERATOR if method == "PUT" else Role.CONSUMER
        response = _send(
            live,
            role,
            method,
            path,
            content=f'{{"cart": {nested}}}'.encode(),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code in (400, 422), response.text
        _refused(response, response.status_code, response.json()["error"]["code"])


def test_unknown_routes_and_methods_answer_in_the_error_shape(live):
    _refused(_send(live, None, "GET", "/v1/no-such-thing"), 404, "not_found")
    _refused(_send(live, Role.CONSUMER, "DELETE", "/v1/quotes"), 405, "method_not_allowed")
    _refused(_send(live, Role.CONSUMER, "PATCH", "/v1/orders"), 405, "method_not_allowed")


def test_control_characters_and_absurd_lengths_in_urls_are_422(live):
    _refused(_send(live, Role.CONSUMER, "GET", "/v1/orders/o%00x"), 422, "invalid", "path")
    _refused(_send(live, Role.CONSUMER, "GET", "/v1/orders/o%0Ax"), 422, "invalid", "path")
    _refused(_send(live, Role.CONSUMER, "GET", "/v1/orders/" + "o" * 5000), 422, "invalid", "path")
    _refused(_send(live, Role.OPERATOR, "GET", "/v1/alerts?standing=%00"), 422, "invalid", "query")
    _refused(
        _send(live, Role.OPERATOR, "GET", "/v1/alerts?x=" + "y" * 10_000), 422, "invalid", "query"
    )


def test_an_unexpected_error_is_a_500_in_the_error_shape_without_a_trace(live):
    response = _send(live, None, "GET", "/test-only/boom")
    _refused(response, 500, "internal")
    assert "secret" not in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]  # here too
    assert response.headers["x-content-type-options"] == "nosniff"


def _event(n: int, **fields: object) -> dict:
    return {
        "id": f"h-{n}",
        "kind": "page_view",
        "campaign_id": CAMPAIGN,
        "customer_id": "c-1",
        "channel": "app",
        "segment": "new",
        "at": "2026-11-11T20:00:00+08:00",
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"at": "9999-12-31T23:00:00+00:00"}, "events[0].at"),
        ({"at": "2027-06-01T00:00:00+08:00"}, "events[0].at"),
        ({"kind": "share", "at": "2026-11-14T00:00:01+08:00"}, "events[0].at"),
        ({"amount": 10**19}, "events[0].amount"),
        ({"amount": -5}, "events[0].amount"),
        ({"customer_id": "c\u0000"}, "events[0].customer_id"),
    ],
    ids=["year-9999", "after-the-end", "share-too-late", "huge-amount", "negative", "nul"],
)
def test_hostile_events_are_refused_and_the_dashboard_stands(live, fields, field):
    response = _send(
        live, Role.STOREFRONT, "POST", "/v1/events", json={"events": [_event(1, **fields)]}
    )
    _refused(response, 422, "invalid", field)
    assert _sent(live) == 0
    board = _send(live, Role.OPERATOR, "GET", f"/v1/campaigns/{CAMPAIGN}/kpis")
    assert board.status_code == 200, board.text
    assert board.json()["totals"]["pv"] == 0  # the server's own events (orders …) aside


@pytest.mark.parametrize(
    "kind", ["order", "payment", "refund", "coupon_claim", "coupon_use", "registration"]
)
def test_a_storefront_cannot_say_what_only_the_server_does(live, kind):
    money = {"order_id": "o-2", "amount": 100} if kind in ("order", "payment", "refund") else {}
    sent = [_event(1), _event(2, kind=kind, coupon="warm-up", **money)]
    response = _send(live, Role.STOREFRONT, "POST", "/v1/events", json={"events": sent})
    _refused(response, 422, "invalid", "events[1].kind")
    assert _sent(live) == 0


def test_an_hour_stored_outside_the_span_never_breaks_the_dashboard(live):
    # given: a year-9999 event written before events were checked against their campaign
    stray = Event(
        "stray-9999",
        EventKind.LOGIN,
        CAMPAIGN,
        "c-9",
        Channel.APP,
        Segment.NEW,
        datetime(9999, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC")),
    )
    SqlKpiStore(live[2]).record([stray], NOW)
    # when: the dashboard is read
    board = _send(live, Role.OPERATOR, "GET", f"/v1/campaigns/{CAMPAIGN}/kpis")
    # then: it stands, without the stray hour
    assert board.status_code == 200, board.text
    assert all(not hour["hour"].startswith("9999") for hour in board.json()["hourly"])
