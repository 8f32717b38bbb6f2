"""The wiring of settlement (plan 004): the double-entry ledger and what posts to it
and reads it. `settlement_of` gives the `Platform` fields it makes."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.charges_store import SqlChargeStore
from dacu.adapters.ledger_store import SqlLedger
from dacu.adapters.shipment_store import SqlShipmentStore
from dacu.adapters.statement_store import SqlStatements
from dacu.adapters.working_days import ChineseWorkingDays
from dacu.bootstrap_appeals import appeals_of
from dacu.bootstrap_budgets import budgets_of
from dacu.services.budgets import BudgetService
from dacu.services.campaigns import CampaignService
from dacu.services.charges import ChargeService
from dacu.services.goods import GoodsService
from dacu.services.outbox import CampaignDirectory
from dacu.services.ports.alerts import Alerts
from dacu.services.settlement import RebateSettler, SettlementService
from dacu.services.shipments import ShipmentService


def shipping_of(
    engine: Engine, campaigns: CampaignService, goods: GoodsService, now: Callable[[], datetime]
) -> dict[str, Any]:
    """Shipments with the logistics subsidy, and the charges operators record."""
    return {
        "shipments": ShipmentService(SqlShipmentStore(engine), campaigns, now),
        "charges": ChargeService(SqlChargeStore(engine), campaigns.get, goods.shop, now),
    }


def settlement_of(
    engine: Engine,
    campaigns: CampaignDirectory,
    alerts: Alerts,
    rebates: RebateSettler,
    clock: Callable[[], datetime],
) -> dict[str, Any]:
    ledger, statements = SqlLedger(engine), SqlStatements(engine)
    workdays = ChineseWorkingDays().is_workday
    settlement = SettlementService(statements, ledger, campaigns, rebates, alerts, workdays, clock)
    return {"ledger": ledger, "statements": statements, "settlement": settlement}


def finance_of(
    engine: Engine,
    campaigns: CampaignService,
    goods: GoodsService,
    alerts: Alerts,
    rebates: RebateSettler,
    budgets: BudgetService,
    clock: Callable[[], datetime],
    ids: Callable[[], str],
) -> dict[str, Any]:
    """Every `Platform` field of plan 004: shipments and charges, the ledger and the
    settlement, appeals, reviews and payouts, budgets in depth."""
    return {
        **shipping_of(engine, campaigns, goods, clock),
        **settlement_of(engine, campaigns, alerts, rebates, clock),
        **appeals_of(engine, campaigns, alerts, clock, ids),
        **budgets_of(engine, budgets, campaigns.get, clock, ids),
    }
