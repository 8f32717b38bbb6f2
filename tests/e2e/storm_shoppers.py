"""What the storm's clients do: shoppers who claim, check out, pay and grab the flash
sale, and a storefront that reports views and carts in batches. Each keeps what it
was answered, for the checks afterwards."""

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dacu.schemas.yamlfile import load_yaml
from tests.e2e.storm_rig import ROOT, Storefronts

CAMPAIGN = "storm-festival"
COUPON = f"{CAMPAIGN}-coupon"
SALE = f"{CAMPAIGN}-phone"
SCARCE = "K-RICE"  # tracked stock that sells out during the storm
HOT = ["P-PHONE", "E-BUDS", "A-COAT", "A-SCARF", "H-KETTLE", SCARCE]


def campaign_document(now: datetime, coupon_stock: int) -> dict[str, Any]:
    """The example campaign, live around `now`: its apparel tiers, a flash-price promotion
    and one 满300减30 coupon with `coupon_stock` to claim."""
    document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
    start = now - timedelta(days=1)
    phases = [
        {"name": "burst", "starts_at": start.isoformat(), "ends_at": (now + timedelta(days=1))}
    ]
    phases[0]["ends_at"] = phases[0]["ends_at"].isoformat()
    apparel = next(p for p in document["promotions"] if p["id"] == "apparel-300-50")
    flash = next(p for p in document["promotions"] if p["id"] == "flash-phone-20h")
    window = {"starts_at": start.isoformat(), "ends_at": (now + timedelta(hours=2)).isoformat()}
    flash |= {"id": f"{CAMPAIGN}-flash", **window}
    coupon = next(c for c in document["coupons"] if c["id"] == "warm-up-300-30")
    coupon |= {"id": COUPON, "claim_window": window, "total_stock": coupon_stock}
    return document | {
        "id": CAMPAIGN,
        "phases": phases,
        "promotions": [apparel | {"id": f"{CAMPAIGN}-apparel"}, flash],
        "coupons": [coupon],
    }


def flash_sale(now: datetime, stock: int) -> dict[str, Any]:
    return {
        "id": SALE,
        "campaign_id": CAMPAIGN,
        "promotion_id": f"{CAMPAIGN}-flash",
        "sku": "P-PHONE",
        "starts_at": (now - timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(hours=2)).isoformat(),
        "stock": stock,
        "limit_per_user": 1,
        "price": 359900,
        "user_rate": 100,
        "ip_rate": 10_000,
    }


@dataclass
class Seen:
    """Every success a client was answered, by what it asked."""

    orders: dict[str, str] = field(default_factory=dict)  # Idempotency-Key → order id
    scarce_orders: set[str] = field(default_factory=set)  # orders holding SCARCE
    payments: dict[str, str] = field(default_factory=dict)  # payment id → order id
    buyers: dict[str, dict[str, str]] = field(default_factory=dict)  # order id → headers
    paid_again: int = 0  # payments a shopper went to pay again, still waiting
    claims: dict[str, str] = field(default_factory=dict)  # claim key → coupon id
    flash_orders: dict[str, str] = field(default_factory=dict)  # request id → order id
    events: dict[str, set[str]] = field(default_factory=dict)  # kind → ids accepted
    refused: dict[str, int] = field(default_factory=dict)  # "what:code" → count
    replays_differing: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refuse(self, what: str, answer: Any) -> None:
        code = answer.json().get("error", {}).get("code", answer.status_code)
        with self.lock:
            self.refused[f"{what}:{code}"] = self.refused.get(f"{what}:{code}", 0) + 1


def cart(n: int) -> dict[str, Any]:
    chosen = [HOT[(n + i) % len(HOT)] for i in range(3)]
    return {"cart": {"items": [{"sku": sku, "qty": 1} for sku in chosen]}}


def shopper(web: Storefronts, seen: Seen, n: int, token: str) -> None:
    """Claim the coupon, check out twice (the first key sent again), pay each order,
    grab the flash sale and pay for the phone."""
    who = {"Authorization": f"Bearer {token}", "X-Forwarded-For": f"10.0.{n // 250}.{n % 250}"}
    who["X-Device-Id"] = f"storm-device-{n}"
    claimed = web.send(
        "claim", "POST", f"/v1/coupon-templates/{COUPON}/claims", _key(who, f"c{n}"), {}
    )
    if claimed.status_code == 201:
        seen.claims[f"c{n}"] = claimed.json()["id"]
    else:
        seen.refuse("claim", claimed)
    for k in range(2):
        key, body = f"o{n}-{k}", cart(2 * n + k)
        placed = web.send("checkout", "POST", "/v1/orders", _key(who, key), body)
        if placed.status_code != 201:
            seen.refuse("checkout", placed)
            continue
        order_id = placed.json()["id"]
        seen.orders[key] = order_id
        if any(item["sku"] == SCARCE for item in body["cart"]["items"]):
            seen.scarce_orders.add(order_id)
        if k == 0:  # a client that never saw the answer sends the same key again
            again = web.send("checkout", "POST", "/v1/orders", _key(who, key), body)
            if again.status_code != 201 or again.json()["id"] != order_id:
                seen.replays_differing.append(key)
        _pay(web, seen, who, order_id)
    _grab(web, seen, who, f"f{n}")


def _pay(web: Storefronts, seen: Seen, who: dict[str, str], order_id: str) -> None:
    seen.buyers[order_id] = who
    started = web.send("payment", "POST", f"/v1/orders/{order_id}/payments", who)
    if started.status_code == 201:
        seen.payments[started.json()["id"]] = order_id
    else:
        seen.refuse("payment", started)


def _grab(web: Storefronts, seen: Seen, who: dict[str, str], request_id: str) -> None:
    body = {"request_id": request_id, "qty": 1}
    tried = web.send("flash", "POST", f"/v1/flash-sales/{SALE}/attempts", who, body)
    if tried.status_code != 201:
        seen.refuse("flash", tried)
        return
    path = f"/v1/flash-sales/{SALE}/attempts/{request_id}/pay"
    for _ in range(200):  # the hold is written behind: "order_pending" until it is
        paid = web.send("flash_pay", "POST", path, who)
        if paid.status_code == 200:
            answer = paid.json()
            seen.flash_orders[request_id] = answer["order_id"]
            seen.buyers[answer["order_id"]] = who
            if answer["payment"] is not None:
                seen.payments[answer["payment"]["id"]] = answer["order_id"]
            return
        if paid.json()["error"]["code"] != "order_pending":
            seen.refuse("flash_pay", paid)
            return
        time.sleep(0.1)
    seen.refuse("flash_pay", paid)


def pay_again(web: Storefronts, seen: Seen, waiting: list[str]) -> None:
    """Shoppers whose payment still waits tap 支付 again."""
    for payment_id in waiting:
        order_id = seen.payments[payment_id]
        path = f"/v1/orders/{order_id}/payments"
        again = web.send("payment_again", "POST", path, seen.buyers[order_id])
        assert again.status_code == 201, again.text
        assert again.json()["id"] == payment_id
        seen.paid_again += 1


def storefront(web: Storefronts, seen: Seen, token: str, batches: int, size: int) -> None:
    """Views and carts in batches; every fifth batch is sent twice, as after a timeout."""
    who = {"Authorization": f"Bearer {token}"}
    now = datetime.now().astimezone()
    kinds = ["page_view", "sku_view", "add_to_cart"]
    for b in range(batches):
        events = []
        for i in range(size):
            kind = kinds[(b + i) % 3]
            event = {
                "id": f"sf-{b}-{i}",
                "kind": kind,
                "campaign_id": CAMPAIGN,
                "customer_id": f"shopper-{(b * size + i) % 997}",
                "channel": "app",
                "segment": "returning",
                "at": now.isoformat(),
            }
            if kind != "page_view":
                event["sku"] = HOT[i % len(HOT)]
            events.append(event)
        for _ in range(2 if b % 5 == 0 else 1):
            sent = _send_events(web, who, events)
            if sent.status_code not in (200, 202):  # recorded, or durable on the stream
                seen.refuse("events", sent)
                continue
            with seen.lock:
                for event in events:
                    seen.events.setdefault(event["kind"], set()).add(event["id"])


def _send_events(web: Storefronts, who: dict[str, str], events: list[dict[str, Any]]) -> Any:
    """A batch the stream could not keep (503) is sent again, as the answer asks."""
    for _ in range(50):
        sent = web.send("events", "POST", "/v1/events", who, {"events": events})
        if sent.status_code != 503:
            return sent
        time.sleep(0.2)
    return sent


def _key(who: dict[str, str], key: str) -> dict[str, str]:
    return who | {"Idempotency-Key": key}
