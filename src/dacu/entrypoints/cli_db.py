"""`dacu db partitions`: the time partitions of events, orders and the journal on
PostgreSQL — listed with their rows, the months ahead created, raw events past their
retention dropped (orders and the ledger never are)."""

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer


def db_partitions(
    ahead: Annotated[
        int, typer.Option("--ahead", min=0, max=120, help="create the next N months' partitions")
    ] = 0,
    retain_events: Annotated[
        int | None,
        typer.Option(
            "--retain-events",
            min=1,
            help="drop raw events' partitions wholly older than DAYS days",
        ),
    ] = None,
) -> None:
    """List the partitions with their rows; create months ahead; drop old raw events."""
    from dacu.adapters.db import make_engine
    from dacu.adapters.partitions import create_ahead, drop_events_before, partitions
    from dacu.settings import settings

    engine = make_engine(settings().database_url)
    if engine.dialect.name != "postgresql":
        typer.echo("SQLite keeps plain tables: nothing is partitioned")
        return
    now = datetime.now(ZoneInfo(settings().timezone))
    with engine.begin() as connection:
        for name in create_ahead(connection, ahead, now) if ahead else []:
            typer.echo(f"created {name}")
        if retain_events is not None:
            for name in drop_events_before(connection, now - timedelta(days=retain_events)):
                typer.echo(f"dropped {name}")
        found = partitions(connection)
    engine.dispose()
    for part in found:
        month = "default" if part.month is None else f"{part.month:%Y-%m}"
        typer.echo(f"{part.table:<17} {part.name:<26} {month:<8} {part.rows:>12} rows")
