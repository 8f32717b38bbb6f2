"""A served platform whose risk check is the real rules engine, over the test database:
a device on the blacklist blocks every money path; an account or a delivery address on
it sends the deed to review."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.risk_links import SqlIdentityLinks
from dacu.bootstrap import Platform
from dacu.bootstrap_risk import rules_of
from dacu.domain.risk_rules import ListKind
from tests.integration.payments_rig import Site, served

BAD_DEVICE, GOOD_DEVICE = "dev-farm-01", "dev-honest-7"
ACTIONS = [
    "registration",
    "login",
    "coupon_claim",
    "checkout",
    "payment",
    "refund",
    "flash_attempt",
    "payout",
]
RULES = {
    "rules": [
        {
            "kind": "blacklist",
            "code": "blacklisted_device",
            "actions": ACTIONS,
            "kinds": ["device"],
            "verdict": "block",
            "score": 1000,
        },
        {
            "kind": "blacklist",
            "code": "watched",
            "actions": [*ACTIONS, "merchant_rebate", "coin_earn"],
            "kinds": ["account", "address", "payment_account"],
            "verdict": "review",
            "score": 300,
        },
    ]
}


class NoFacts:
    """The rules above read no slower facts; asking for one is a failure of the test."""

    def invite_shape(self, customer_id: str, at: datetime, aged_days: int = 0) -> Any:
        raise AssertionError("no rule here reads the invite tree")

    def standing(self, customer_id: str) -> Any:
        raise AssertionError("no rule here reads the standing")

    def linked_to_shop(self, customer_id: str, shop: str) -> bool:
        raise AssertionError("no rule here reads shop links")

    def shared_accounts(self, identity: Any, kinds: frozenset[str]) -> dict[str, int]:
        raise AssertionError("no rule here reads shared identifiers")


def use_rules_engine(
    platform: Platform, engine: Engine, watched: tuple[tuple[ListKind, str], ...] = ()
) -> Any:
    """Make the platform's risk check the rules engine with `RULES` applied, the bad device
    blacklisted and `watched` entries listed for review; its decision log."""
    fields = rules_of(engine, None, "dacu", platform.clock, SqlIdentityLinks(engine), NoFacts())
    admin = fields["risk_rules"]
    admin.apply(RULES, "risk-qa")
    admin.blacklist(ListKind.DEVICE, BAD_DEVICE, "a device farm", "risk-qa")
    for kind, value in watched:
        admin.blacklist(kind, value, "watched", "risk-qa")
    platform.risk.inner = fields["risk"]  # every path asks the engine from here on
    return Written(fields["risk_decisions"])


class Written:
    """The decision log read once what was queued is written (decisions are written behind)."""

    def __init__(self, log: Any) -> None:
        self._log = log

    def recent(self, customer_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """What was logged; waits up to 5 s for the writer when nothing is there yet."""
        deadline = time.monotonic() + 5
        while True:
            self._log.flush()
            found: list[dict[str, Any]] = self._log.recent(customer_id, limit)
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


@contextmanager
def engine_served(engine: Engine, watched: tuple[tuple[ListKind, str], ...] = ()) -> Iterator[Site]:
    """The payment tests' site, its risk check the rules engine (`use_rules_engine`)."""
    with served(engine) as site:
        site.decisions = use_rules_engine(site.platform, engine, watched)  # type: ignore[attr-defined]
        yield site
