"""`dacu token …`: bearer tokens for the HTTP API, issued for a time and revoked at once."""

from datetime import timedelta
from typing import Annotated

import typer

EXIT_BAD_INPUT = 2
EXIT_NOT_FOUND = 1

token_app = typer.Typer(help="Bearer tokens for the HTTP API: issue, revoke.")


@token_app.command("issue")
def token_issue(
    subject: Annotated[str, typer.Option(help="who the token is for, e.g. u-1024 or ops-lihua")],
    role: Annotated[
        str, typer.Option(help="operator, merchant, finance, risk, service, storefront")
    ],
    shop: Annotated[list[str] | None, typer.Option(help="a merchant's shop (repeat)")] = None,
    days: Annotated[int, typer.Option(min=1, max=366, help="days until it expires")] = 30,
) -> None:
    """Issue a token: printed once (stdout), stored only as a digest; its id and expiry
    go to stderr (the id names it for `dacu token revoke`)."""
    from dacu.bootstrap import from_settings
    from dacu.domain.access import Role

    try:
        chosen = Role(role)
    except ValueError:
        typer.echo(f"role: must be one of {', '.join(r.value for r in Role)}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if chosen is Role.CONSUMER:
        typer.echo(
            "role: consumers sign in themselves, by phone and one-time code "
            "(POST /v1/customers/codes, then POST /v1/customers/sessions)",
            err=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    access = from_settings().access
    issued = access.issue(subject, chosen, frozenset(shop or ()), timedelta(days=days))
    typer.echo(issued.token)
    typer.echo(f"id {issued.id}, expires {issued.expires_at.isoformat()}", err=True)


@token_app.command("revoke")
def token_revoke(
    token_or_id: Annotated[str, typer.Argument(help="the token, or its id from `issue`")],
) -> None:
    """Revoke a token now: the API refuses it in every process within a second, and every
    console session opened with it ends."""
    from dacu.bootstrap import from_settings

    if not token_or_id.strip():
        typer.echo("name a token or its id", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if not from_settings().access.revoke(token_or_id.strip()):
        typer.echo("no token has that value or id", err=True)
        raise typer.Exit(EXIT_NOT_FOUND)
    typer.echo("revoked")
