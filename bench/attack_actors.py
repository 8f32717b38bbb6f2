"""One customer over HTTP, as the attack harness drives it: the headers a real app sends
(its install's X-Device-Id, a phone's User-Agent), the address it comes from (set by the
edge proxy the harness stands as: X-Forwarded-For), and the deeds that move money —
signing up with a code, claiming, drawing, buying and paying, refunding, the flash sale.

Each deed answers what came back; a refusal is noted (`blocked` for 403 risk_blocked,
`held` for 409 risk_held), never raised, and a refused deed is retried once as a real
client would."""

import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine

from dacu.adapters.message_outbox import SqlMessageOutbox

AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) dacu-app/6.2.0",
    "Mozilla/5.0 (Linux; Android 14; 23127PN0CC) dacu-app/6.2.0",
    "Mozilla/5.0 (Linux; Android 13; V2309A) dacu-app/6.1.8",
)


@dataclass
class Customer:
    kind: str  # honest, household, office, or the attack kind
    phone: str  # 11 digits
    device: str
    ip: str
    address: dict[str, str] | None = None
    id: str = ""
    token: str = ""
    blocked: int = 0  # 403 risk_blocked answers
    held: int = 0  # 409 risk_held answers
    notes: list[str] = field(default_factory=list)

    def headers(self, key: str | None = None) -> dict[str, str]:
        found = {
            "X-Device-Id": self.device,
            "X-Forwarded-For": self.ip,
            "User-Agent": AGENTS[int(self.phone[-1]) % len(AGENTS)],
        }
        if self.token:
            found["Authorization"] = f"Bearer {self.token}"
        if key:
            found["Idempotency-Key"] = key
        return found


class Harness:
    """The HTTP client all customers share, and the phones' inbox."""

    def __init__(self, base: str, engine: Engine) -> None:
        self.http = httpx.Client(base_url=base, timeout=30)
        self._inbox = SqlMessageOutbox(engine)

    def call(
        self, who: Customer, method: str, path: str, body: Any = None, key: str | None = None
    ) -> httpx.Response:
        for attempt in range(3):
            answer = self.http.request(method, path, json=body, headers=who.headers(key))
            if answer.status_code != 429 and answer.status_code < 500:
                break
            time.sleep(0.2 * (attempt + 1))  # rate limited or the server busy: retry
        if answer.status_code == 403 and "risk_blocked" in answer.text:
            who.blocked += 1
            who.notes.append(f"{method} {path}: blocked")
        elif answer.status_code == 409 and "risk_held" in answer.text:
            who.held += 1
            who.notes.append(f"{method} {path}: held")
        return answer

    # --- deeds -------------------------------------------------------------------------

    def sign_up(self, who: Customer, invite_code: str | None = None) -> bool:
        asked = self.call(who, "POST", "/v1/customers/codes", {"phone": who.phone})
        if asked.status_code != 202:
            who.notes.append(f"code refused {asked.status_code}")
            return False
        message = self._inbox.last_message("+86" + who.phone) or ""
        code = re.search(r"\d{6}", message)
        assert code is not None, message
        body: dict[str, Any] = {"phone": who.phone, "code": code.group(0)}
        if invite_code:
            body["invite_code"] = invite_code
        signed = self.call(who, "POST", "/v1/customers/sessions", body)
        assert signed.status_code == 201, signed.text
        who.id, who.token = signed.json()["customer_id"], signed.json()["token"]
        return True

    def invite_code(self, who: Customer) -> str:
        return str(self.call(who, "GET", "/v1/customers/me/invite").json()["code"])

    def claim(self, who: Customer, template: str) -> bool:
        path = f"/v1/coupon-templates/{template}/claims"
        for _ in range(2):  # refused: once more, as a client's retry button would
            if self.call(who, "POST", path, {}, key=uuid.uuid4().hex).status_code == 201:
                return True
        return False

    def draw_all(self, who: Customer, campaign: str) -> int:
        path = f"/v1/campaigns/{campaign}/lottery"
        view = self.call(who, "GET", path)
        left = int(view.json().get("chances_left", 0)) if view.is_success else 0
        drawn = 0
        for _ in range(left):
            if self.call(who, "POST", f"{path}/draws", key=uuid.uuid4().hex).status_code == 201:
                drawn += 1
        return drawn

    def buy(self, who: Customer, sku: str, qty: int = 1) -> str | None:
        """Check out and pay; the order's id once the provider called back, else None."""
        body: dict[str, Any] = {"cart": {"items": [{"sku": sku, "qty": qty}]}}
        if who.address is not None:
            body["address"] = who.address
        placed = self.call(who, "POST", "/v1/orders", body, key=uuid.uuid4().hex)
        if placed.status_code != 201:
            return None
        order = str(placed.json()["id"])
        started = self.call(who, "POST", f"/v1/orders/{order}/payments")
        if started.status_code != 201 or not self.wait_paid(who, order):
            return None
        lines = placed.json()["lines"]
        platform = sum(d["platform"] for line in lines for d in line["discounts"])
        who.notes.append(f"subsidy {platform}")  # what the platform paid of its price
        who.notes.append(f"bought {sku}")
        return order

    def wait_paid(self, who: Customer, order: str, limit: float = 20) -> bool:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.call(who, "GET", f"/v1/orders/{order}").json().get("status") == "paid":
                return True
            time.sleep(0.1)
        return False

    def refund(self, who: Customer, order: str, sku: str, qty: int = 1) -> int:
        """The fen refunded (0: refused or held)."""
        body = {"sku": sku, "qty": qty}
        key = uuid.uuid4().hex
        for _ in range(2):
            done = self.call(who, "POST", f"/v1/orders/{order}/refunds", body, key=key)
            if done.status_code == 201:
                who.notes.append(f"refunded {done.json()['amount']}")
                return int(done.json()["amount"])
        return 0

    def grab(self, who: Customer, sale: str, qty: int) -> int:
        """抢购 and pay: the units paid for."""
        request = uuid.uuid4().hex
        path = f"/v1/flash-sales/{sale}/attempts"
        for _ in range(3):  # bots hammer the button
            tried = self.call(who, "POST", path, {"request_id": request, "qty": qty})
            if tried.status_code == 201:
                break
        else:
            return 0
        for _ in range(150):  # the order is written behind the gate: until then, retry
            paying = self.call(who, "POST", f"{path}/{request}/pay")
            if paying.status_code != 409 or "order_pending" not in paying.text:
                break
            time.sleep(0.1)
        if paying.status_code != 200:
            return 0
        if not self.wait_paid(who, str(paying.json()["order_id"])):
            return 0
        who.notes.append(f"flash {qty}")
        return qty

    # --- what they got -------------------------------------------------------------------

    def wallet(self, who: Customer) -> list[dict[str, Any]]:
        found = self.call(who, "GET", "/v1/me/wallet")
        return list(found.json()) if found.is_success else []

    def coins(self, who: Customer) -> int:
        found = self.call(who, "GET", "/v1/customers/me/coins")
        return int(found.json()["balance"]) if found.is_success else 0

    def draws(self, who: Customer, campaign: str) -> list[dict[str, Any]]:
        found = self.call(who, "GET", f"/v1/campaigns/{campaign}/lottery/draws")
        return list(found.json()) if found.is_success else []
