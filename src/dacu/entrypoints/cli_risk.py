"""`dacu risk`: the risk rules (风控规则) and the blacklist (黑名单) for the risk team —
`rules apply FILE` (a new version, checked: a bad field is named, exit 2), `rules show`,
`blacklist add|remove|list`. Every process uses a change within about a second."""

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from dacu.domain.risk_rules import ListKind
    from dacu.services.risk_rules import RiskRulesAdmin

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2

risk_app = typer.Typer(help="Risk control (风控): the rules file and the blacklist.")
rules_app = typer.Typer(help="The rules file: apply a version, show the active one.")
blacklist_app = typer.Typer(help="The blacklist (黑名单): add, remove, list.")
risk_app.add_typer(rules_app, name="rules")
risk_app.add_typer(blacklist_app, name="blacklist")

ByOption = Annotated[str, typer.Option("--by", help="who does it, for the audit log")]


def _admin() -> "RiskRulesAdmin":
    from dacu.bootstrap import from_settings

    return from_settings().risk_rules


def _refused(error: Exception) -> typer.Exit:
    from dacu.domain.errors import InvalidRule

    typer.echo(str(error), err=True)
    return typer.Exit(EXIT_BAD_INPUT if isinstance(error, InvalidRule) else EXIT_REFUSED)


@rules_app.command("apply")
def rules_apply(
    path: Annotated[Path, typer.Argument(help="a rules file, e.g. src/dacu/examples/risk.yaml")],
    by: ByOption = "cli",
) -> None:
    """Check the rules file and make it the active version (the same file: no new one)."""
    from dacu.domain.errors import DomainError
    from dacu.schemas.yamlfile import load_yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        typer.echo(f"cannot read {path}: {error.strerror}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    try:
        applied = _admin().apply(load_yaml(text), by)
    except DomainError as error:
        raise _refused(error) from None
    rules = len(applied.document.get("rules", []))
    typer.echo(f"risk rules version {applied.version} active: {rules} rules, by {applied.by}")


@rules_app.command("show")
def rules_show() -> None:
    """The active version and the history, newest first."""
    admin = _admin()
    active = admin.active()
    typer.echo(f"active: version {active.version} ({active.by}, {active.at.isoformat()})")
    for version in admin.history():
        mark = "*" if version.active else " "
        typer.echo(f"{mark} {version.version}\t{version.by}\t{version.at.isoformat()}")


@blacklist_app.command("add")
def blacklist_add(
    kind: Annotated[
        str, typer.Argument(help="phone, device, ip, address, account, payment_account")
    ],
    value: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option(help="why, for the record")] = "",
    expires: Annotated[
        datetime | None, typer.Option(help="until when (ISO time; Asia/Shanghai if no offset)")
    ] = None,
    by: ByOption = "cli",
) -> None:
    """List a value (again: its reason and expiry replaced)."""
    from dacu.domain.errors import DomainError
    from dacu.schemas.bounds import aware

    try:
        entry = _admin().blacklist(_kind(kind), value, reason, by, aware(expires))
    except DomainError as error:
        raise _refused(error) from None
    until = entry.expires_at.isoformat() if entry.expires_at else "until removed"
    typer.echo(f"listed {entry.kind.value} {entry.value} ({until})")


@blacklist_app.command("remove")
def blacklist_remove(
    kind: Annotated[str, typer.Argument()],
    value: Annotated[str, typer.Argument()],
    by: ByOption = "cli",
) -> None:
    """Unlist a value (not listed: said so, exit 0)."""
    removed = _admin().unlist(_kind(kind), value, by)
    typer.echo(f"{'removed' if removed else 'not listed'}: {kind} {value}")


@blacklist_app.command("list")
def blacklist_list(
    kind: Annotated[str | None, typer.Option(help="only this kind")] = None,
    expired: Annotated[bool, typer.Option(help="the expired entries too")] = False,
) -> None:
    """The entries, newest first: kind, value, until, by, reason."""
    from zoneinfo import ZoneInfo

    from dacu.settings import settings

    zone = ZoneInfo(settings().timezone)
    for e in _admin().listed(_kind(kind) if kind else None, live_only=not expired):
        until = e.expires_at.astimezone(zone).isoformat() if e.expires_at else "-"
        typer.echo(f"{e.kind.value}\t{e.value}\t{until}\t{e.by}\t{e.reason}")


def _kind(text: str) -> "ListKind":
    from dacu.domain.risk_rules import ListKind

    try:
        return ListKind(text)
    except ValueError:
        kinds = ", ".join(k.value for k in ListKind)
        typer.echo(f"kind: one of {kinds}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
