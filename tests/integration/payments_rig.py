"""A served platform with its simulated payment providers, for the payment tests."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine

from dacu.adapters.principals import SqlPrincipals
from dacu.adapters.simulated_payments import SimulatedProvider
from dacu.bootstrap import Platform, bootstrap
from dacu.domain.access import Role
from dacu.domain.payments import Notice
from dacu.entrypoints.api import create_app
from dacu.services.payment_channels import ChannelConfig
from dacu.services.ports.payments import SignedCallback
from tests.integration.conftest import stock_example_goods
from tests.integration.http import serving

NOW = datetime(2026, 11, 11, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
PRIMARY, BACKUP = "simpay", "simpay-backup"
SECRETS = {PRIMARY: "primary-secret", BACKUP: "backup-secret"}
FAILOVER_AFTER = 3
COAT = {"sku": "A-COAT"}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Site:
    base: str
    engine: Engine
    platform: Platform
    clock: Clock
    tokens: dict[Role, str]
    held: list[SignedCallback] = field(default_factory=list)

    def call(self, role: Role | None, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = kw.pop("headers", {})
        if role is not None:
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return httpx.request(method, self.base + path, headers=headers, timeout=30, **kw)

    def provider(self, channel: str = PRIMARY) -> SimulatedProvider:
        return self.platform.payment_providers[channel]

    def hold_callbacks(self) -> None:
        """Keep the providers' callbacks here, to be sent (or tampered with) by the test."""
        for provider in self.platform.payment_providers.values():
            provider.sender = self.held.append

    def order(self, key: str, qty: int = 1) -> dict[str, Any]:
        body = {"cart": {"items": [dict(COAT, qty=qty)]}}
        placed = self.call(
            Role.CONSUMER, "POST", "/v1/orders", headers={"Idempotency-Key": key}, json=body
        )
        assert placed.status_code == 201, placed.text
        found: dict[str, Any] = placed.json()
        return found

    def start(self, order_id: str) -> httpx.Response:
        return self.call(Role.CONSUMER, "POST", f"/v1/orders/{order_id}/payments")

    def send(self, callback: SignedCallback) -> httpx.Response:
        headers = {
            "Content-Type": "application/json",
            "X-Dacu-Timestamp": callback.timestamp,
            "X-Dacu-Signature": callback.signature,
        }
        path = f"/v1/payments/callback/{callback.channel}"
        return httpx.post(self.base + path, content=callback.body, headers=headers, timeout=30)

    def signed(
        self, notice: Notice, at: datetime | None = None, channel: str = PRIMARY
    ) -> SignedCallback:
        return self.provider(channel).signed(notice, at or self.clock.now)

    def status(self, order_id: str) -> str:
        found: str = self.call(Role.CONSUMER, "GET", f"/v1/orders/{order_id}").json()["status"]
        return found

    def wait_paid(self, order_id: str) -> None:
        deadline = time.monotonic() + 15
        while self.status(order_id) != "paid":
            assert time.monotonic() < deadline, "the provider never called back"
            time.sleep(0.05)


@contextmanager
def served(engine: Engine, redis_url: str | None = None, prefix: str = "dacu") -> Iterator[Site]:
    clock = Clock(NOW)
    config = ChannelConfig(PRIMARY, BACKUP, SECRETS, FAILOVER_AFTER, 60)
    platform = bootstrap(
        engine, clock=clock, redis_url=redis_url, redis_prefix=prefix, payments=config
    )
    stock_example_goods(platform)
    principals = SqlPrincipals(engine)
    subjects = {
        Role.OPERATOR: "ops-lihua",
        Role.FINANCE: "fin-zhao",
        Role.CONSUMER: "u-1024",
        Role.SERVICE: "cs-chen",
    }
    tokens = {role: principals.issue(who, role, frozenset(), NOW) for role, who in subjects.items()}
    with serving(create_app(platform)) as base:
        platform.call_back_to(base)
        yield Site(base, engine, platform, clock, tokens)
