"""`dacu settle pay STATEMENT_ID`: pay a statement's payable parts (or one part) through
the payout channel — the bank file in `DACU_PAYOUT_DIR` — as finance's scripts do."""

from typing import Annotated

import typer

EXIT_NOT_FOUND = 1
EXIT_REFUSED = 2


def settle_pay(
    statement_id: Annotated[str, typer.Argument(help="the statement, e.g. double11-2026:s1:1")],
    part: Annotated[
        str | None, typer.Option(help="main or line-<no>; every payable part if none")
    ] = None,
    by: Annotated[str, typer.Option(help="who pays, for the record")] = "cli",
) -> None:
    """Pay the statement: each part once (a second run prints the same payouts)."""
    from pathlib import Path

    from dacu.bootstrap import from_settings
    from dacu.domain.errors import DomainError, NotFound
    from dacu.domain.payouts import bank_yuan
    from dacu.settings import settings

    platform = from_settings()
    try:
        if part is None:
            made = platform.payouts.pay_statement(statement_id, by)
        else:
            made = [platform.payouts.pay(statement_id, part, by)]
    except NotFound as missing:
        typer.echo(missing.message, err=True)
        raise typer.Exit(EXIT_NOT_FOUND) from None
    except DomainError as refused:
        where = f"{refused.field}: " if refused.field else ""
        typer.echo(f"{where}{refused.message}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    folder = Path(settings().payout_dir)
    for payout in made:
        line = f"{payout.key}\t{payout.shop}\t{bank_yuan(payout.amount)}\t{folder / payout.file}"
        typer.echo(line)
    typer.echo(f"{len(made)} payout(s)", err=True)
