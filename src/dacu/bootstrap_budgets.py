"""The wiring of budgets in depth (plan 004 财务规划): releases of the reserve by
approval, live burn by level and the weekly review. `budgets_of` gives the
`Platform` fields it makes."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.budget_reads import SqlBudgetReads
from dacu.adapters.budget_requests import SqlReleaseRequests
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.ledger_store import SqlLedger
from dacu.domain.budget_review import REVIEW_ZONE
from dacu.domain.campaigns import Campaign
from dacu.services.budget_burn import BudgetBurn
from dacu.services.budget_requests import ReleaseApprovals
from dacu.services.budgets import BudgetService


def budgets_of(
    engine: Engine,
    budgets: BudgetService,
    campaign: Callable[[str], Campaign],
    clock: Callable[[], datetime],
    ids: Callable[[], str],
) -> dict[str, Any]:
    return {
        "budget_requests": ReleaseApprovals(
            SqlReleaseRequests(engine), budgets, campaign, clock, ids
        ),
        "budget_burn": BudgetBurn(
            SqlBudgetReads(engine),
            campaign,
            SqlLedger(engine),
            SqlKpiStore(engine),
            REVIEW_ZONE,
            clock,
        ),
    }
