"""`dacu ledger`: the double-entry ledger (总账) for finance — the trial balance (试算平衡)
of every account, of the whole ledger or one campaign, and account balances."""

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from dacu.domain.ledger_accounts import AccountBalance

EXIT_UNBALANCED = 1
EXIT_BAD_INPUT = 2
ACCOUNT = re.compile(r"[A-Za-z0-9_.:\-]{0,200}")
CAMPAIGN = re.compile(r"[^\x00-\x1f\x7f]{1,64}")

ledger_app = typer.Typer(help="The double-entry ledger (总账): trial balance and accounts.")

CampaignOption = Annotated[
    str | None, typer.Option("--campaign", help="only this campaign's postings")
]


def _checked(campaign: str | None, prefix: str = "") -> None:
    if campaign is not None and not CAMPAIGN.fullmatch(campaign):
        typer.echo("campaign: 1 to 64 printable characters", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if not ACCOUNT.fullmatch(prefix):
        typer.echo("prefix: letters, digits and _ . : - only, 200 at most", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)


def _console() -> Console:
    """Wide enough for whole account names, in a terminal or a pipe (80 columns)."""
    return Console(width=max(Console().width, 140))


def _table(title: str, found: "Sequence[AccountBalance]") -> Table:
    from dacu.domain.ledger_accounts import account_name
    from dacu.domain.money import yuan

    table = Table(title=title, box=box.SIMPLE_HEAVY)
    table.add_column("科目 Account")
    table.add_column("名称 Name")
    table.add_column("余额 Balance (元, +借 −贷)", justify="right")
    for account in found:
        table.add_row(account.account, account_name(account.account), yuan(account.balance))
    return table


@ledger_app.command("trial-balance")
def trial_balance(campaign: CampaignOption = None) -> None:
    """Every account's balance and their total, which must be 0 (exit code 1 if not)."""
    from dacu.bootstrap import from_settings
    from dacu.domain.money import yuan
    from dacu.services import ledger_reads

    _checked(campaign)
    found = ledger_reads.trial_balance(from_settings().ledger, campaign)
    title = f"试算平衡 Trial balance — {campaign or '全部活动 all campaigns'}"
    table = _table(title, found.accounts)
    table.add_section()
    table.add_row("合计 Total", "", yuan(found.total), style="bold")
    _console().print(table)
    if not found.balanced:
        typer.echo(f"the ledger does not balance: the total is {found.total} fen, not 0", err=True)
        raise typer.Exit(EXIT_UNBALANCED)
    typer.echo("balanced: the total is 0", err=True)


@ledger_app.command("accounts")
def accounts(
    prefix: Annotated[str, typer.Option(help="accounts starting with this, e.g. merchant:")] = "",
    campaign: CampaignOption = None,
) -> None:
    """The balances of the accounts starting with `--prefix` (all by default)."""
    from dacu.bootstrap import from_settings
    from dacu.services import ledger_reads

    _checked(campaign, prefix)
    found = ledger_reads.accounts(from_settings().ledger, prefix, campaign)
    _console().print(_table(f"科目余额 Accounts — {prefix or '*'}", found))
    typer.echo(f"{len(found)} accounts", err=True)
