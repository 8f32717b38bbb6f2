"""`dacu rebates statement`: a shop's rebate statement (返利对账单) for a campaign, as CSV
or XLSX by the file's extension — the API's file, for finance's scripts."""

from pathlib import Path
from typing import Annotated

import typer

EXIT_BAD_INPUT = 2
EXIT_NOT_FOUND = 1

rebates_app = typer.Typer(help="Merchant rebates (商家返利): statements per shop.")


@rebates_app.command("statement")
def rebates_statement(
    campaign: Annotated[str, typer.Option(help="the campaign, e.g. launch-2026-09")],
    shop: Annotated[str, typer.Option(help="the shop")],
    out: Annotated[Path, typer.Option(help="the file to write: .csv or .xlsx")],
) -> None:
    """Write the shop's statement: every line with its order and member, then the totals."""
    from zoneinfo import ZoneInfo

    from dacu.bootstrap import from_settings
    from dacu.entrypoints.rebate_statement import statement_csv, statement_xlsx
    from dacu.settings import settings

    if out.suffix not in (".csv", ".xlsx"):
        typer.echo("out: name a .csv or .xlsx file", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    platform = from_settings()
    if campaign not in platform.rebates.campaigns():
        typer.echo(f"campaign: {campaign} runs no merchant codes", err=True)
        raise typer.Exit(EXIT_NOT_FOUND)
    totals, lines = platform.rebates.statement(campaign, shop)
    zone = ZoneInfo(settings().timezone)
    if out.suffix == ".csv":
        out.write_text(statement_csv(totals, lines, zone), encoding="utf-8")
    else:
        out.write_bytes(statement_xlsx(totals, lines, zone))
    typer.echo(f"{shop}: {totals.lines} lines, owed {totals.owed} fen → {out}", err=True)
