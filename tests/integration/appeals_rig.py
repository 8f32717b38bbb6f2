"""A platform with an ended campaign, two shops' subsidies in the ledger and their
statements issued, for the appeals, reviews and payouts tests."""

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.bootstrap import Platform, bootstrap
from dacu.bootstrap_appeals import appeals_of
from dacu.domain.goods import Shop
from dacu.domain.ledger import Entry, EntryKind, MerchantAccount, merchant, transfer
from dacu.domain.ledger import Platform as Books
from dacu.schemas.campaigns import load_campaign

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENDED = datetime(2026, 9, 30, 23, 59, 59, tzinfo=SHANGHAI)
NOW = datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI)  # a Friday after 国庆
CAMPAIGN = "autumn-settle"
BIG = 1_500_000  # over the 1万元 review limit


class Clock:
    def __init__(self, at: datetime = NOW) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def campaign_document() -> dict[str, Any]:
    return {
        "id": CAMPAIGN,
        "theme": "秋季结算",
        "owner": "ops-lihua",
        "status": "live",
        "phases": [
            {
                "name": "burst",
                "starts_at": "2026-09-20T00:00:00+08:00",
                "ends_at": ENDED.isoformat(),
            }
        ],
        "budget": {"total": 100_000_000, "contingency_bp": 500},
    }


def settle_platform(engine: Engine, folder: Path, clock: Clock | None = None) -> Platform:
    document, campaign = load_campaign(campaign_document())
    SqlCampaignStore(engine).apply(document, campaign, "ops-lihua", ENDED - timedelta(days=15))
    clock = clock or Clock()
    platform = bootstrap(engine, clock=clock)
    # the payouts' bank files in the test's folder, not the settings' one
    wired = appeals_of(
        engine, platform.campaigns, platform.alerts, clock, platform.new_id, folder / "bank"
    )
    platform = replace(platform, **wired)
    for shop, owner in (("tea-house", "m-tea"), ("book-nook", "m-book")):
        platform.goods.open_shop(Shop(shop, owner, shop))
    return platform


def subsidy(platform: Platform, order_id: str, shop: str, amount: int) -> None:
    """The platform's share of a paid order's discounts at the shop: owed to the shop."""
    owed = merchant(shop, MerchantAccount.SUBSIDY)
    postings = transfer(Books.SUBSIDY_EXPENSE, owed, amount, CAMPAIGN)
    at = ENDED - timedelta(days=2)
    platform.ledger.post(
        Entry(f"order:{order_id}:paid", EntryKind.ORDER_PAID, at, postings, {"order_id": order_id})
    )


def issue(platform: Platform, shop: str, run: str = "run-1") -> str | None:
    """Run settlement for the shop: its next statement's id (None when nothing is due)."""
    found = platform.settlement.run(CAMPAIGN, "fin-wang", run, shop).statements
    return found[-1].id if found else None
