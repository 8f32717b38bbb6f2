"""The wiring of settlement (plan 004): the double-entry ledger and what posts to it
and reads it. `settlement_of` gives the `Platform` fields it makes."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.ledger_store import SqlLedger
from dacu.adapters.statement_store import SqlStatements
from dacu.adapters.working_days import ChineseWorkingDays
from dacu.services.outbox import CampaignDirectory
from dacu.services.ports.alerts import Alerts
from dacu.services.settlement import RebateSettler, SettlementService


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
