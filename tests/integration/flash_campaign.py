"""The example campaign, live, for the flash sales that belong to it; payments called back
in process (the simulated providers hand their callbacks straight to the platform)."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dacu.bootstrap import Platform
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = "double11-2026"  # live; phases 2026-11-08 00:00 to 2026-11-13 23:59:59 (+08:00)
APPLIED_AT = datetime(2026, 11, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def example_document() -> dict:
    return load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))


def live_campaign(platform: Platform) -> str:
    """The example campaign applied (live), its SKUs in the catalog; its id."""
    from tests.integration.conftest import stock_example_goods

    platform.campaigns.apply(*load_campaign(example_document()), "ops-lihua", APPLIED_AT)
    stock_example_goods(platform)
    return CAMPAIGN


def paid_in_process(platform: Platform) -> None:
    """Every payment started is called back at once, in this process."""
    for provider in platform.payment_providers.values():
        provider.sender = platform.payments.deliver
