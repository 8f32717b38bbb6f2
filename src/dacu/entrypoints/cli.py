"""The `dacu` command."""

import re
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from dacu.entrypoints.cli_budget import budget_app
from dacu.entrypoints.cli_campaign import campaign_app
from dacu.entrypoints.cli_db import db_partitions
from dacu.entrypoints.cli_flash import flash_app, stock_app, workers
from dacu.entrypoints.cli_kpi import kpi_app
from dacu.entrypoints.cli_ledger import ledger_app
from dacu.entrypoints.cli_payouts import settle_pay
from dacu.entrypoints.cli_rebates import rebates_app
from dacu.entrypoints.cli_review import archive_finished, review_app
from dacu.entrypoints.cli_risk import risk_app
from dacu.entrypoints.cli_settle import settle_app
from dacu.entrypoints.cli_simulate import simulate_app
from dacu.entrypoints.cli_token import token_app

if TYPE_CHECKING:
    from dacu.bootstrap import Platform

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
    from dacu.domain.pricing import price  # here: other commands start without the engine
    from dacu.entrypoints.receipt import show
    from dacu.schemas.pricing import BadScenario, dumps, load_scenario, result_to_json

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
        typer.echo(dumps(result_to_json(result, explain)))
        return
    show(Console(), result, loaded.name, explain)


app.add_typer(flash_app, name="flash")
app.add_typer(stock_app, name="stock")
app.add_typer(kpi_app, name="kpi")
app.command("workers")(workers)
app.add_typer(review_app)  # report, cases
app.add_typer(simulate_app)  # simulate

db_app = typer.Typer(help="The database: SQLite by default, PostgreSQL with DACU_DATABASE_URL.")
app.add_typer(db_app, name="db")
db_app.command("partitions")(db_partitions)


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


app.add_typer(campaign_app, name="campaign")


def _platform() -> "Platform":
    from dacu.bootstrap import from_settings

    return from_settings()


def _now() -> datetime:
    from dacu.settings import settings

    return datetime.now(ZoneInfo(settings().timezone))


app.add_typer(token_app, name="token")
app.add_typer(rebates_app, name="rebates")
app.add_typer(ledger_app, name="ledger")
app.add_typer(settle_app, name="settle")
settle_app.command("pay")(settle_pay)
app.add_typer(budget_app, name="budget")
app.add_typer(risk_app, name="risk")  # rules, blacklist


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="log every request")
    ] = True,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) on the configured database."""
    import uvicorn

    from dacu.adapters.db import upgrade
    from dacu.entrypoints.urls import server_log_config
    from dacu.settings import settings

    upgrade(settings().database_url)
    uvicorn.run(
        "dacu.entrypoints.api.main:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,  # the target only, secret query values redacted; no headers
        log_config=server_log_config(),
    )


@app.command("sweep")
def sweep() -> None:
    """One sweep: cancel unpaid orders and release unpaid flash-sale holds past their time
    (stock and coupons come back), expire coupons past theirs, archive finished campaigns
    in the case library, remove ended console sessions, try top-ups again and flag rewards
    past their promise. Run it every minute (cron,
    systemd timer) — or run `dacu workers`, which sweeps unpaid orders and flash sales
    every few seconds."""
    platform = _platform()
    now = _now()
    cancelled = platform.orders.expire_unpaid(now)
    released = platform.flashsales.sweep(now)
    expired = platform.coupons.expire(now)
    archived = archive_finished(platform, now)
    ended = platform.access.prune()
    spent = platform.registration.prune()
    over = platform.campaigns.end_finished("sweeper", now)
    finished = platform.acquisition.finish_stuck(now)
    rewarded = platform.rewards.sweep(now)
    typer.echo(
        f"{len(cancelled)} unpaid orders cancelled, {released} unpaid flash-sale holds "
        f"released, {expired} coupons expired, {len(archived)} finished campaigns archived, "
        f"{ended} ended console sessions removed, {spent} spent sign-in codes and counts "
        f"removed, {len(over)} campaigns ended by time, {finished} acquisition rewards "
        f"left half-given issued, {rewarded['delivered']} rewards "
        f"delivered on a retry, {rewarded['overdue']} rewards newly overdue"
    )


def _demo_consumer(platform: "Platform", phone: str) -> str:
    """A consumer signed in the consumers' way: a code texted to the phone (the outbox
    plays the phone), then the code; a phone asked again within the minute waits."""
    from dacu.adapters.message_outbox import SqlMessageOutbox
    from dacu.domain.errors import DomainError

    try:
        sent = platform.registration.request_code(phone, "demo")
    except DomainError as refused:
        return f"(none: {refused.message})"
    text = SqlMessageOutbox(platform.engine).last_message(sent.phone) or ""
    code = re.search(r"[0-9]{6}", text)
    signed = platform.registration.verify(phone, code.group() if code else "")
    return signed.token


@app.command("demo")
def demo(
    port: Annotated[int, typer.Option(help="port to serve the API on")] = 8000,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve", help="serve the API")] = True,
) -> None:
    """Load examples/double11.yaml into the embedded database and serve the API."""
    from importlib import resources

    from dacu.domain.access import Role
    from dacu.schemas.campaigns import load_campaign
    from dacu.schemas.goods import example_goods
    from dacu.schemas.yamlfile import load_yaml
    from dacu.settings import settings

    url = settings().database_url
    platform = _platform()
    text = resources.files("dacu").joinpath("examples/double11.yaml").read_text("utf-8")
    document, campaign = load_campaign(load_yaml(text))
    version = platform.campaigns.apply(document, campaign, "demo", _now()).version
    for shop, skus in example_goods():  # the campaign's shops and SKUs, in the catalog
        platform.goods.open_shop(shop)
        platform.goods.put(skus)
    operator = platform.access.issue("ops-demo", Role.OPERATOR).token
    phone = "13800138000"
    consumer = _demo_consumer(platform, phone)
    base = f"http://127.0.0.1:{port}"
    typer.echo(
        f"""dacu demo — campaign {campaign.id} (v{version}) loaded into {_safe(url)}

  API and its OpenAPI:   {base}/docs
  web console (运营台):   {base}/console/ (sign in with the operator token)
  operator token:        {operator}
  consumer token:        {consumer}
                         (signed in as {phone} with its one-time code, as consumers do)

  curl -s {base}/v1/campaigns -H "Authorization: Bearer {operator}"
  curl -s -X POST {base}/v1/coupon-templates/newcomer-red-20/claims \\
       -H "Authorization: Bearer {consumer}" -H "Idempotency-Key: demo-1" \\
       -H "Content-Type: application/json" -d '{{}}'
  curl -s -X POST {base}/v1/quotes -H "Authorization: Bearer {consumer}" \\
       -H "Content-Type: application/json" \\
       -d '{{"cart": {{"items": [{{"sku": "A-COAT", "qty": 1}}]}}}}'
  another consumer signs in by phone: POST {base}/v1/customers/codes {{"phone": …}},
  then POST {base}/v1/customers/sessions {{"phone": …, "code": …}} (codes go to the log)
"""
    )
    if serve_api:
        serve(port=port)


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
