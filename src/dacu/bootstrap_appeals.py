"""The wiring of appeals (申诉中心), large-subsidy reviews and payouts (plan 004):
`appeals_of` gives the `Platform` fields they make."""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.appeal_store import SqlAppealStore
from dacu.adapters.bank_file import BankFileChannel
from dacu.adapters.payout_store import SqlPayoutStore
from dacu.adapters.review_evidence import SqlEvidence
from dacu.adapters.review_store import SqlReviewStore
from dacu.adapters.statement_store import SqlStatements
from dacu.adapters.working_days import ChineseWorkingDays
from dacu.domain.settlement_policy import SettlementPolicy
from dacu.services.appeals import AppealService
from dacu.services.campaigns import CampaignService
from dacu.services.payouts import PayoutService
from dacu.services.ports.alerts import Alerts
from dacu.services.reviews import ReviewService
from dacu.settings import settings
from dacu.wiring import Clock, NewId


def appeals_of(
    engine: Engine,
    campaigns: CampaignService,
    alerts: Alerts,
    now: Clock,
    ids: NewId,
    payout_dir: str | Path | None = None,
) -> dict[str, Any]:
    statements = SqlStatements(engine)

    def policy_of(campaign_id: str) -> SettlementPolicy:
        return campaigns.get(campaign_id).settlement

    workdays = ChineseWorkingDays().is_workday
    reviews = ReviewService(SqlReviewStore(engine), statements, SqlEvidence(engine), policy_of, now)
    channel = BankFileChannel(payout_dir or settings().payout_dir)  # DACU_PAYOUT_DIR
    return {
        "appeals": AppealService(
            SqlAppealStore(engine), statements, policy_of, workdays, alerts, now, ids
        ),
        "reviews": reviews,
        "payouts": PayoutService(SqlPayoutStore(engine), channel, reviews, now),
    }
