"""The wiring of settlement (plan 004): the double-entry ledger and what posts to it
and reads it. `settlement_of` gives the `Platform` fields it makes."""

from typing import Any

from sqlalchemy import Engine

from dacu.adapters.ledger_store import SqlLedger


def settlement_of(engine: Engine) -> dict[str, Any]:
    return {"ledger": SqlLedger(engine)}
