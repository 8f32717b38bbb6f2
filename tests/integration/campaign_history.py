"""Two campaigns with shoppers: the example 双十一 and an earlier 618 made from it, so a
report has a previous campaign to compare with (环比)."""

import copy
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.case_store import SqlCaseStore
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.domain.review import Case, Dashboard
from dacu.entrypoints.report import ReportFiles, write_report
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.events import EventBatch
from dacu.schemas.yamlfile import load_yaml
from dacu.services import kpis, review
from tests.integration.kpi_events import shoppers

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
CURRENT = "double11-2026"
EARLIER = "618-2026"
BURST = datetime(2026, 11, 11, 9, 0, tzinfo=SHANGHAI)
SHIFT = timedelta(days=-146)  # 11-08 → 06-15: the 618 phases, the same lengths
EARLIER_BURST = BURST + SHIFT
AFTER_BOTH = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)


def example_document() -> dict[str, Any]:
    return load_yaml((ROOT / "src/dacu/examples/double11.yaml").read_text("utf-8"))


def earlier_document() -> dict[str, Any]:
    """The example moved to June, without its promotions and coupons (their ids are the
    example's own, and templates are shared across campaigns)."""
    document = copy.deepcopy(example_document())
    document.update(id=EARLIER, theme="618 年中大促", slogan="618 理想生活狂欢季")
    for phase in document["phases"]:
        for edge in ("starts_at", "ends_at"):
            at = phase[edge]
            at = at if isinstance(at, datetime) else datetime.fromisoformat(at)
            phase[edge] = (at + SHIFT).isoformat()
    document["promotions"], document["coupons"] = [], []
    return document


def apply_both(engine: Engine) -> SqlCampaignStore:
    campaigns = SqlCampaignStore(engine)
    for document in (earlier_document(), example_document()):
        campaigns.apply(*load_campaign(document), "ops-lihua", EARLIER_BURST)
    return campaigns


def ingest(engine: Engine, campaigns: SqlCampaignStore, raw: list[dict[str, Any]]) -> None:
    store, alerts = SqlKpiStore(engine), SqlAlertStore(engine)
    for start in range(0, len(raw), 500):
        batch = EventBatch.model_validate({"events": raw[start : start + 500]}).to_domain()
        kpis.ingest(store, campaigns, alerts, batch, AFTER_BOTH)


def history(engine: Engine) -> SqlCampaignStore:
    """Both campaigns applied, each with its shoppers' events taken in."""
    campaigns = apply_both(engine)
    ingest(engine, campaigns, shoppers(3, EARLIER, 220, EARLIER_BURST))
    ingest(engine, campaigns, shoppers(7, CURRENT, 400, BURST))
    return campaigns


def report_after_both(
    engine: Engine, out: Path
) -> tuple[SqlCampaignStore, Dashboard, Case | None, ReportFiles]:
    """Both campaigns over: the earlier archived first, then the 双十一 reported."""
    campaigns = history(engine)
    store, alerts, cases = SqlKpiStore(engine), SqlAlertStore(engine), SqlCaseStore(engine)
    review.archive(store, alerts, cases, campaigns.campaign(EARLIER), AFTER_BOTH)
    campaign = campaigns.campaign(CURRENT)
    board, _ = review.archive(store, alerts, cases, campaign, AFTER_BOTH)
    previous = cases.previous(CURRENT, review.span(campaign)[0])
    files = write_report(board, campaign, previous, out, SHANGHAI, generated_at=AFTER_BOTH)
    return campaigns, board, previous, files
