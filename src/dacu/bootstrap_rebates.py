"""The composition root's part for merchant rebates: the SQL store behind
`RebateService`, which the outbox's delivery hands every batch of facts."""

from typing import Any

from sqlalchemy import Engine

from dacu.adapters.rebate_store import SqlRebateStore
from dacu.services.outbox import CampaignDirectory
from dacu.services.ports.risk import RiskCheck
from dacu.services.rebates import RebateService


def rebates_of(engine: Engine, campaigns: CampaignDirectory, risk: RiskCheck) -> dict[str, Any]:
    """`Platform`'s `rebates`, and its `listeners` with the rebates among them."""
    service = RebateService(SqlRebateStore(engine), campaigns, risk)
    return {"rebates": service, "listeners": (service,)}


__all__ = ["RebateService", "rebates_of"]
