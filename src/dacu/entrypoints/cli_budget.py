"""`dacu budget review CAMPAIGN`: the weekly budget review (每周预算复盘) in the terminal,
or as a workbook with --xlsx."""

from pathlib import Path
from typing import Annotated

import typer

EXIT_BAD_INPUT = 2
EXIT_NOT_FOUND = 1

budget_app = typer.Typer(help="Budgets (费用预算): the weekly review.")


@budget_app.command("review")
def budget_review(
    campaign: Annotated[str, typer.Argument(help="the campaign, e.g. double11-2026")],
    week: Annotated[
        str | None, typer.Option(help="the ISO week, e.g. 2026-W45 (default: this week)")
    ] = None,
    xlsx: Annotated[Path | None, typer.Option(help="write the review to this .xlsx")] = None,
) -> None:
    """Spend by department and promotion against GMV, orders and new customers."""
    from dacu.bootstrap import from_settings
    from dacu.domain.campaigns import UnknownCampaign
    from dacu.domain.errors import InvalidRule
    from dacu.entrypoints.budget_review_report import review_text, review_xlsx

    if xlsx is not None and xlsx.suffix != ".xlsx":
        typer.echo("xlsx: name a .xlsx file", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    platform = from_settings()
    try:
        review = platform.budget_burn.review(campaign, week)
    except UnknownCampaign:
        typer.echo(f"campaign: no campaign {campaign}", err=True)
        raise typer.Exit(EXIT_NOT_FOUND) from None
    except InvalidRule as refused:
        typer.echo(f"{refused.field}: {refused.message}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if xlsx is None:
        typer.echo(review_text(review), nl=False)
        return
    xlsx.write_bytes(review_xlsx(review))
    typer.echo(f"{campaign} {review.week}: spend {review.spend} fen → {xlsx}", err=True)
