"""`dacu kpi …`: a campaign's rollups rebuilt from its stored events."""

from typing import Annotated

import typer

EXIT_NOT_FOUND = 1

kpi_app = typer.Typer(help="KPI rollups: rebuilt from the stored events.")


@kpi_app.command("rebuild")
def kpi_rebuild(
    campaign_id: Annotated[str, typer.Argument(help="the campaign whose rollups to rebuild")],
) -> None:
    """Replace a campaign's hourly, SKU and distinct-people rollups with what its stored
    events add up to (set-based SQL on PostgreSQL, in one transaction: the dashboard
    shows the old figures until it commits). Writers folding meanwhile wait for it and
    fold their batches onto the rebuilt rollups."""
    import time

    from dacu.bootstrap import from_settings
    from dacu.services import kpis

    platform = from_settings()
    began = time.perf_counter()
    try:
        done = kpis.rebuild(platform.kpis, platform.campaigns, campaign_id)
    except LookupError:
        typer.echo(f"campaign_id: no campaign {campaign_id!r}", err=True)
        raise typer.Exit(EXIT_NOT_FOUND) from None
    finally:
        platform.close()
    took = time.perf_counter() - began
    typer.echo(f"{campaign_id}: rollups rebuilt from {done:,} events in {took:.1f}s")
