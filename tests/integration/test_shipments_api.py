"""Shipments over HTTP on real SQLite and PostgreSQL: the merchant records its own lines
shipped, the server flags late ones and knows the size class, delivery posts the
logistics subsidy once, and a refund before delivery earns nothing."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from dacu.domain.ledger import EntryKind
from tests.integration.shipping_rig import (
    CAMPAIGN,
    PAID,
    Clock,
    paid_order,
    served,
    shipping_platform,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def world(engine):
    clock = Clock(PAID + timedelta(hours=2))
    platform = shipping_platform(engine, clock)
    mixed = paid_order(platform, engine, "c-1", [("K-RICE", 1), ("A-COAT", 1)], "k-1")
    with served(platform) as call:
        yield platform, call, clock, mixed, engine


def ship(call, order_id, who="home", key="s-1", carrier="sf-express", **extra):
    body = {"carrier": carrier, "waybill": "SF1001", **extra}
    return call(who, "POST", f"/v1/orders/{order_id}/shipments", key=key, json=body)


def test_a_merchant_ships_its_own_lines_and_delivery_posts_the_subsidy(world):
    platform, call, clock, order, _ = world
    answer = ship(call, order.id)
    assert answer.status_code == 201, answer.text
    shipment = answer.json()
    assert (shipment["shop"], shipment["late"], shipment["campaign_id"]) == (
        "home-goods",
        False,
        CAMPAIGN,
    )
    assert shipment["size_classes"] == ["large"]  # K-RICE's, from the catalog
    again = ship(call, order.id)
    assert again.status_code == 200
    assert again.json()["id"] == shipment["id"]
    assert ship(call, order.id, carrier="ems").status_code == 409  # same key, other request
    assert ship(call, order.id, key="s-2").json()["error"]["code"] == "shipment_state"
    clock.now += timedelta(days=2)
    done = call("home", "POST", f"/v1/shipments/{shipment['id']}/delivered")
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["subsidy"]) == ("delivered", 500)
    assert call("ops", "POST", f"/v1/shipments/{shipment['id']}/delivered").json()["subsidy"] == 500
    lines = platform.ledger.entry(f"logistics:{shipment['id']}")
    assert lines is not None
    assert {(x.account, x.amount, x.campaign_id) for x in lines} == {
        ("platform:logistics_expense", 500, CAMPAIGN),
        ("merchant:home-goods:logistics", -500, CAMPAIGN),
    }
    assert lines[0].kind is EntryKind.LOGISTICS
    assert platform.ledger.trial_balance() == 0


def test_a_merchant_cannot_ship_or_see_what_is_not_its_own(world):
    _, call, _, order, _ = world
    assert ship(call, order.id, who="digital").json()["error"]["field"] == "order_id"
    assert ship(call, order.id, who="ops").status_code == 403
    assert ship(call, order.id, shop="north-wear").json()["error"]["field"] == "shop"
    made = ship(call, order.id).json()
    assert call("north", "POST", f"/v1/shipments/{made['id']}/delivered").status_code == 404
    assert call("north", "GET", "/v1/shops/home-goods/shipments").status_code == 404
    assert call("north", "GET", f"/v1/shipments/{made['id']}").status_code == 404
    assert ship(call, "no-such-order", key="s-3").json()["error"]["field"] == "order_id"
    bad = call("home", "POST", f"/v1/orders/{order.id}/shipments", key="x", json={"carrier": ""})
    assert bad.status_code == 422


def test_late_shipments_are_flagged_and_earn_nothing(world):
    platform, call, clock, order, _ = world
    clock.now = PAID + timedelta(hours=49)
    late = ship(call, order.id, who="north", key="n-1").json()
    assert (late["late"], late["size_classes"]) == (True, ["medium"])
    listed = call("north", "GET", "/v1/shops/north-wear/shipments", params={"late": "true"})
    assert [s["id"] for s in listed.json()] == [late["id"]]
    on_time = call("ops", "GET", "/v1/shops/north-wear/shipments", params={"late": "false"})
    assert on_time.json() == []
    done = call("ops", "POST", f"/v1/shipments/{late['id']}/delivered").json()
    assert done["subsidy"] == 0
    assert platform.ledger.entry(f"logistics:{late['id']}") is None


def test_an_undesignated_carrier_earns_nothing(world):
    _platform, call, _, order, _ = world
    made = ship(call, order.id, carrier="cheap-post").json()
    assert call("home", "POST", f"/v1/shipments/{made['id']}/delivered").json()["subsidy"] == 0


def test_an_order_refunded_whole_before_delivery_earns_nothing(world):
    platform, call, _, _, engine = world
    order = paid_order(platform, engine, "c-2", [("K-RICE", 1)], "k-2")
    made = ship(call, order.id, key="s-9").json()
    platform.orders.refund(order.id, "K-RICE", 1, "r-1", PAID + timedelta(hours=3))
    done = call("home", "POST", f"/v1/shipments/{made['id']}/delivered").json()
    assert (done["status"], done["subsidy"]) == ("delivered", 0)
    refunded = paid_order(platform, engine, "c-3", [("K-RICE", 1)], "k-3")
    platform.orders.refund(refunded.id, "K-RICE", 1, "r-2", PAID + timedelta(hours=3))
    assert ship(call, refunded.id, key="s-10").json()["error"]["code"] == "shipment_state"


def test_racing_shipments_and_deliveries_record_one_and_post_once(world):
    platform, call, clock, order, _ = world
    with ThreadPoolExecutor(6) as pool:
        shipped = list(pool.map(lambda i: ship(call, order.id, key=f"r-{i}"), range(6)))
    assert sorted(a.status_code for a in shipped) == [201] + [409] * 5
    made = next(a.json() for a in shipped if a.status_code == 201)
    clock.now += timedelta(hours=5)
    path = f"/v1/shipments/{made['id']}/delivered"
    with ThreadPoolExecutor(6) as pool:
        done = list(pool.map(lambda _: call("home", "POST", path), range(6)))
    assert {a.status_code for a in done} == {200}
    assert {a.json()["subsidy"] for a in done} == {500}
    assert len(platform.ledger.entry(f"logistics:{made['id']}") or []) == 2
    assert platform.ledger.trial_balance() == 0


def test_the_size_class_set_through_the_goods_api_is_what_pays(world):
    platform, call, _, _, engine = world
    sku = {
        "shop": "home-goods",
        "category": "food.staples",
        "title": "五常大米 25kg",
        "list_price": 8900,
        "size_class": "bulky",
    }
    put = call("home", "PUT", "/v1/skus/K-RICE", json=sku)
    assert put.status_code == 200, put.text
    assert put.json()["size_class"] == "bulky"
    order = paid_order(platform, engine, "c-7", [("K-RICE", 1)], "k-7")
    made = ship(call, order.id, key="b-1").json()
    assert made["size_classes"] == ["bulky"]
    done = call("home", "POST", f"/v1/shipments/{made['id']}/delivered").json()
    assert done["subsidy"] == 800
