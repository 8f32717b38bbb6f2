"""The `dacu` command."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dacu.domain.pricing import price
from dacu.entrypoints.receipt import show
from dacu.entrypoints.scenario import BadScenario, dumps, load_scenario, result_to_json

EXIT_BAD_INPUT = 2

app = typer.Typer(
    help="dacu (大促): run promotion campaigns, priced to the fen.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """dacu (大促): run promotion campaigns, priced to the fen."""


@app.command("price")
def price_command(
    scenario: Annotated[Path, typer.Argument(help="scenario JSON file, or - for stdin")],
    as_json: Annotated[bool, typer.Option("--json", help="print the result format")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="say why each rule applied")] = False,
) -> None:
    """Price a cart scenario: lines, discounts, who funds them, hints."""
    text = sys.stdin.read() if str(scenario) == "-" else _read(scenario)
    try:
        loaded = load_scenario(text)
        result = price(
            loaded.cart,
            loaded.customer,
            loaded.promotions,
            loaded.wallet,
            loaded.now,
            explain=explain,
        )
    except (BadScenario, ValueError) as error:
        typer.echo(f"bad scenario {scenario}: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if as_json:
        data = result_to_json(result)
        if explain:
            data["explain"] = [
                {"layer": n.layer, "rule": n.rule, "applied": n.applied, "reason": n.reason}
                for n in result.notes
            ]
        typer.echo(dumps(data))
        return
    show(Console(), result, loaded.name, explain)


db_app = typer.Typer(help="The database: SQLite by default, PostgreSQL with DACU_DATABASE_URL.")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
) -> None:
    """Create or upgrade the schema (Alembic migrations)."""
    from dacu.adapters.db import upgrade
    from dacu.settings import settings

    url = settings().database_url
    upgrade(url, revision)
    typer.echo(f"database at {_safe(url)} is at revision {revision}")


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        typer.echo(f"cannot read {path}: {error.strerror}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def main() -> None:
    app()
