"""`dacu settle`: run a campaign's settlement, list its statements, and write one
statement as CSV or XLSX (补贴结算单) — the API's files, for finance's scripts."""

import uuid
from pathlib import Path
from typing import Annotated

import typer

EXIT_NOT_FOUND = 1
EXIT_BAD_INPUT = 2

settle_app = typer.Typer(help="Settlement (补贴结算): runs and statements per shop.")


def _yuan(fen: int) -> str:
    from dacu.entrypoints.rebate_statement import plain_yuan

    return plain_yuan(fen)


@settle_app.command("run")
def settle_run(
    campaign: Annotated[str, typer.Argument(help="the campaign, e.g. double11-2026")],
    shop: Annotated[str | None, typer.Option(help="settle this shop only")] = None,
    key: Annotated[str | None, typer.Option(help="the run key: the same key runs once")] = None,
    by: Annotated[str, typer.Option(help="who runs it, for the record")] = "cli",
) -> None:
    """Issue every shop's next statement of what is unsettled (once the campaign ended)."""
    from dacu.bootstrap import from_settings
    from dacu.domain.errors import DomainError

    platform = from_settings()
    try:
        run = platform.settlement.run(campaign, by, key or f"cli-{uuid.uuid4().hex}", shop)
    except DomainError as refused:
        where = f"{refused.field}: " if refused.field else ""
        typer.echo(f"{where}{refused.message}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for s in run.statements:
        typer.echo(f"{s.id}\t{s.shop}\t{_yuan(s.total)}\tdue {s.due_on.isoformat()}")
    note = " (replayed)" if run.replayed else ""
    typer.echo(f"{len(run.statements)} statement(s) issued{note}", err=True)


@settle_app.command("statements")
def settle_statements(
    campaign: Annotated[str, typer.Argument(help="the campaign")],
) -> None:
    """Every statement of the campaign, newest first: id, shop, seq, total (元), due day."""
    from dacu.bootstrap import from_settings
    from dacu.domain.errors import DomainError

    platform = from_settings()
    try:
        found = platform.settlement.statements(campaign)
    except DomainError as refused:
        typer.echo(refused.message, err=True)
        raise typer.Exit(EXIT_NOT_FOUND) from None
    for s in found:
        typer.echo(f"{s.id}\t{s.shop}\t{s.seq}\t{_yuan(s.total)}\t{s.due_on.isoformat()}")
    reconciled = platform.settlement.reconcile(campaign)
    broken = [r.shop for r in reconciled if not r.balanced]
    typer.echo(f"{len(found)} statement(s); unreconciled shops: {broken or 'none'}", err=True)


@settle_app.command("statement")
def settle_statement(
    statement_id: Annotated[str, typer.Argument(help="the statement, e.g. double11-2026:s1:1")],
    out: Annotated[Path, typer.Option(help="the file to write")],
    format: Annotated[str, typer.Option(help="csv or xlsx")] = "csv",
) -> None:
    """Write the statement: its header, every line with its order and refund, its total."""
    from zoneinfo import ZoneInfo

    from dacu.bootstrap import from_settings
    from dacu.domain.errors import DomainError
    from dacu.entrypoints.settlement_statement import statement_csv, statement_xlsx
    from dacu.settings import settings

    if format not in ("csv", "xlsx"):
        typer.echo("format: csv or xlsx", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    platform = from_settings()
    try:
        full = platform.settlement.full(statement_id)
    except DomainError as refused:
        typer.echo(f"statement: {refused.message}", err=True)
        raise typer.Exit(EXIT_NOT_FOUND) from None
    zone = ZoneInfo(settings().timezone)
    if format == "csv":
        out.write_text(statement_csv(full, zone), encoding="utf-8")
    else:
        out.write_bytes(statement_xlsx(full, zone))
    typer.echo(f"{full.id}: {len(full.lines)} lines, {_yuan(full.total)} 元 → {out}", err=True)
