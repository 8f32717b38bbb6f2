"""Flash-sale commands: `dacu flash open|show`, `dacu stock reconcile`, `dacu workers`."""

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

if TYPE_CHECKING:
    from dacu.services.flashsales import FlashSaleService

EXIT_BAD_INPUT = 2
EXIT_DIFFERENCES = 1

flash_app = typer.Typer(help="Flash sales (秒杀): open them, watch their stock.")
stock_app = typer.Typer(help="Stock of flash sales: reconcile the gate, the stream and the record.")


def _flashsales() -> "FlashSaleService":
    from dacu.bootstrap import from_settings

    return from_settings().flashsales


def _now() -> datetime:
    from dacu.settings import settings

    return datetime.now(ZoneInfo(settings().timezone))


@flash_app.command("open")
def flash_open(
    path: Annotated[Path, typer.Argument(help="YAML or JSON: one sale, or a list of sales")],
) -> None:
    """Open flash sales (again is harmless: live stock is never reset)."""
    from pydantic import TypeAdapter, ValidationError

    from dacu.domain.errors import InvalidRule
    from dacu.schemas.flashsales import FlashSaleIn
    from dacu.schemas.yamlfile import load_yaml

    try:
        loaded = load_yaml(path.read_text(encoding="utf-8"))
        listed = loaded if isinstance(loaded, list) else [loaded]
        sales = [s.to_domain() for s in TypeAdapter(list[FlashSaleIn]).validate_python(listed)]
    except (OSError, ValidationError, InvalidRule) as error:
        typer.echo(f"bad flash sales {path}: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    flash = _flashsales()
    for sale in sales:
        try:
            state = "opened" if flash.open(sale) else "already open"
        except InvalidRule as refused:  # no such campaign, or a SKU not in the catalog
            typer.echo(f"bad flash sales {path}: {refused}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        typer.echo(f"{sale.id}\t{state}\t{flash.on_sale(sale.id)} on sale")


@flash_app.command("show")
def flash_show(sale_id: Annotated[str, typer.Argument()]) -> None:
    """Stock now: on sale, held unpaid, paid, safety stock, expected restock."""
    from dacu.domain.flashsale import UnknownSale

    try:
        view = _flashsales().stock_view(sale_id)
    except UnknownSale:
        typer.echo(f"no flash sale {sale_id}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    sale = view.sale
    flags = " ".join(
        label
        for on, label in (
            (view.sold_out, "已售罄"),
            (view.low and not view.sold_out, "低于安全阈值"),
        )
        if on
    )
    typer.echo(
        f"{sale.id} {sale.title or sale.sku}: 在售 {view.on_sale} / 待支付 {view.held} / "
        f"已支付 {view.paid} / 共 {sale.stock}  (安全阈值 {sale.safety_stock}) {flags}".rstrip()
    )
    if view.expected_restock_at is not None:
        typer.echo(f"expected restock: {view.expected_restock_at.isoformat()}")


@stock_app.command("reconcile")
def stock_reconcile(
    sale_id: Annotated[str | None, typer.Argument(help="one sale; all sales if left out")] = None,
    fix: Annotated[
        bool, typer.Option("--fix", help="repair what differs, then check again")
    ] = False,
) -> None:
    """Compare the gate, the order stream and the database; exit 1 if anything differs
    (after --fix: if anything still does)."""
    from dacu.domain.flashsale import UnknownSale

    flash = _flashsales()
    ids = [sale_id] if sale_id else [sale.id for sale in flash.sales()]
    still_differs = False
    for each in ids:
        try:
            before, after = flash.reconcile(each, fix=fix)
        except UnknownSale:
            typer.echo(f"no flash sale {each}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        typer.echo(
            f"{each}: stock {before.stock}, on sale {before.on_sale}, held {before.held} "
            f"(record: {before.recorded}) — "
            + ("consistent" if before.clean else f"{len(before.differences)} differences")
        )
        for difference in before.differences:
            where = f" {difference.request_id}" if difference.request_id else ""
            typer.echo(f"  {difference.kind}{where}: {difference.detail}")
        final = after or before
        if after is not None:
            typer.echo(
                f"  fixed: on sale {after.on_sale}, held {after.held} — "
                + ("consistent" if after.clean else f"{len(after.differences)} still differ")
            )
        still_differs |= not final.clean
    if still_differs:
        raise typer.Exit(EXIT_DIFFERENCES)


def workers(
    processes: Annotated[int, typer.Option(min=1, help="writer processes")] = 2,
    batch: Annotated[int, typer.Option(min=1, help="stream entries per write")] = 200,
    idle_ms: Annotated[
        int, typer.Option(min=1, help="take over a silent writer's entries after this")
    ] = 30_000,
    sweep_every: Annotated[
        float, typer.Option(min=0.1, help="seconds between sweeps of unpaid holds")
    ] = 5.0,
) -> None:
    """Order writers and the sweepers, as supervised processes (Ctrl-C stops)."""
    from dacu.adapters.db import upgrade
    from dacu.entrypoints.workers import WorkerConfig, supervise
    from dacu.settings import settings

    config = settings()
    upgrade(config.database_url)
    supervise(
        WorkerConfig(
            config.database_url,
            config.redis_url,
            config.redis_prefix,
            batch,
            idle_ms,
            sweep_every,
            config.timezone,
        ),
        processes,
    )
