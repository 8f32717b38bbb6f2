"""`dacu simulate`: a whole synthetic 双十一 on the configured database, then its report."""

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dacu.entrypoints.attack_summary import attacks_table
from dacu.entrypoints.simulate_summary import kpi_table, print_alerts, print_channels, targets_table

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from dacu.domain.campaigns import Campaign
    from dacu.services.simulation import Outcome
    from dacu.services.simulation import Progress as SimProgress
    from dacu.services.simulation.ports import World

EXIT_BAD_INPUT = 2
EXAMPLE = "examples/double11.yaml"
PHASES_ZH = {"warm_up": "预热", "burst": "爆发", "encore": "返场"}

simulate_app = typer.Typer()


def world_on(engine: "Engine") -> "World":
    """The platform on one engine, from the composition root (the SQL stock gate)."""
    from dacu.bootstrap import bootstrap
    from dacu.bootstrap_growth import simulated_growth
    from dacu.domain.access import Role
    from dacu.services.simulation.ports import World
    from dacu.services.simulation.verdicts import Verdicts

    platform = bootstrap(engine)
    verdicts = Verdicts()
    verdicts.watch(platform.risk)  # the attack set's score reads its answers
    for provider in platform.payment_providers.values():  # callbacks in process, not HTTP
        provider.sender = platform.payments.deliver

    def outage(channel: str, failing: bool) -> None:
        platform.payment_providers[channel].failing = failing

    return World(
        campaigns=platform.campaigns,
        coupons=platform.coupons,
        orders=platform.orders,
        payments=platform.payments,
        stock=platform.stock,
        goods=platform.goods,
        enrollments=platform.enrollments,
        flashsales=platform.flashsales,
        kpis=platform.kpis,
        alerts=platform.alerts,
        cases=platform.cases,
        recorded=platform.recorded,
        customers=platform.customers,
        profiles=platform.profiles,
        outbox=platform.outbox(),
        outage=outage,
        growth=simulated_growth(platform),
        risk=platform.risk,
        verdicts=verdicts,
        risk_deeds=platform.risk_gate.deeds if platform.risk_gate is not None else None,
        risk_links=platform.risk_links,
        merchant=lambda subject, shop, at: platform.principals.issue(
            subject, Role.MERCHANT, frozenset({shop}), at
        ),
        statistics=planner_statistics(engine),
    )


def planner_statistics(engine: "Engine") -> Callable[[], None] | None:
    """SQLite's ANALYZE, for a run whose tables grow from empty (the lottery's pool, read
    at every draw, otherwise scans every draw of the campaign); None on PostgreSQL, whose
    autovacuum analyzes tables as they grow. A busy database skips a turn."""
    if engine.dialect.name != "sqlite":
        return None
    from sqlalchemy.exc import OperationalError

    def analyze() -> None:
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        except OperationalError:
            return

    return analyze


def example_campaign(customers: int) -> "tuple[dict[str, Any], Campaign]":
    """The packaged 双十一 campaign, its targets and budget sized for `customers`."""
    from importlib import resources

    from dacu.schemas.campaigns import load_campaign
    from dacu.schemas.yamlfile import load_yaml
    from dacu.services.simulation.growth import with_growth
    from dacu.services.simulation.setup import tuned

    text = resources.files("dacu").joinpath(EXAMPLE).read_text("utf-8")
    return load_campaign(with_growth(tuned(load_yaml(text), customers)))


@simulate_app.command("simulate")
def simulate(
    customers: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="synthetic shoppers in the crowd")
    ] = 20_000,
    seed: Annotated[int, typer.Option(help="the same seed plans the same campaign")] = 11,
    out: Annotated[Path, typer.Option(help="folder for the report")] = Path("reports"),
    database: Annotated[
        str | None, typer.Option(help="database URL (default: DACU_DATABASE_URL or dacu.db)")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="events per batch")] = 2000,
    attacks: Annotated[
        bool, typer.Option(help="labelled attackers among the shoppers, scored at the end")
    ] = True,
) -> None:
    """A whole synthetic 双十一 through the real services: merchants and enrollments,
    coupon claims, checkouts, payments, refunds, the 20:00 flash sale — then the KPI
    summary and the report. Run again with the same seed: nothing counts twice."""
    from dacu.adapters.db import upgrade
    from dacu.domain.errors import InvalidRule
    from dacu.services.simulation import simulate as run
    from dacu.settings import settings

    config = settings()
    url = database or config.database_url
    zone = ZoneInfo(config.timezone)
    console = Console()
    try:
        document, campaign = example_campaign(customers)
    except InvalidRule as error:
        typer.echo(f"bad campaign {EXAMPLE}: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    upgrade(url)
    engine = bulk_engine(url)
    started = time.perf_counter()
    try:
        world = world_on(engine)
        with _progress_bar(console) as advance:
            outcome = run(
                world,
                document,
                campaign,
                customers=customers,
                seed=seed,
                now=datetime.now(zone),
                batch_size=batch_size,
                progress=advance,
                attacks=attacks,
            )
        elapsed = time.perf_counter() - started
        files = _write(world, outcome, out, zone, elapsed)
    finally:
        engine.dispose()
    _summary(console, outcome, files, elapsed, zone, database)


def bulk_engine(url: str) -> "Engine":
    """An engine for a run of many small commits.

    On SQLite in WAL mode, synchronous=NORMAL keeps the file consistent through a
    crash and gives up only the last commits on a power cut: right for synthetic
    data, and a fraction of the fsyncs.
    """
    from sqlalchemy import event

    from dacu.adapters.db import database_url, make_engine

    engine = make_engine(url)
    if database_url(url).get_backend_name() == "sqlite":
        event.listen(engine, "connect", _synchronous_normal)
    return engine


def _synchronous_normal(connection: Any, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def _progress_bar(console: Console) -> "Iterator[Callable[[SimProgress], None]]":
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("visits"),
        TimeElapsedColumn(),
        console=console,
    )
    task = bar.add_task("筹备 preparing", total=None)

    def advance(progress: "SimProgress") -> None:
        phase = PHASES_ZH.get(progress.phase.value, "") if progress.phase else "收尾"
        bar.update(
            task,
            completed=progress.visits_done,
            total=progress.visits,
            description=f"{phase} {progress.clock:%m-%d %H:%M}",
        )

    with bar:
        yield advance


def _write(world: "World", outcome: "Outcome", out: Path, zone: Any, elapsed: float) -> list[Path]:
    from dacu.entrypoints.kpi_view import alert_json, dashboard_json
    from dacu.entrypoints.report import write_report
    from dacu.services.review import span
    from dacu.services.simulation.attack_score import score_json

    campaign = outcome.campaign
    previous = world.cases.previous(campaign.id, span(campaign)[0])
    files = write_report(outcome.board, campaign, previous, out, zone)
    run = out / f"{campaign.id}-simulation.json"
    run.write_text(
        json.dumps(
            {
                "campaign_id": campaign.id,
                "customers": outcome.customers,
                "seed": outcome.seed,
                "seconds": round(elapsed, 1),
                "events_sent": outcome.events_sent,
                "events_counted": outcome.events_counted,
                "facts_delivered": outcome.facts_delivered,
                "payment_channels": {
                    "active": outcome.channels.active,
                    "primary": outcome.channels.primary,
                    "backup": outcome.channels.backup,
                },
                "steps": outcome.tally,
                "kpis": dashboard_json(outcome.board, zone),
                "stock_alerts": [alert_json(alert, zone) for alert in outcome.stock_alerts],
                "attacks": score_json(outcome.attacks) if outcome.attacks else None,
            },
            ensure_ascii=False,
            indent=2,
            sort_keys=True,
        ),
        encoding="utf-8",
    )
    return [*files.paths, run]


def _summary(
    console: Console,
    outcome: "Outcome",
    files: list[Path],
    elapsed: float,
    zone: Any,
    database: str | None,
) -> None:
    board = outcome.board
    repeat = " (a repeat: nothing counted twice)" if not outcome.events_counted else ""
    console.print(
        f"\n{board.theme} ({board.campaign_id}): {outcome.customers:,} 位模拟顾客 "
        f"simulated shoppers, seed {outcome.seed}, {elapsed:.1f} s; "
        f"{outcome.events_counted:,} new events of {outcome.events_sent:,} sent{repeat}",
        markup=False,
        soft_wrap=True,
    )
    console.print(kpi_table(board))
    console.print(targets_table(board))
    print_alerts(console, outcome, zone)
    print_channels(console, outcome)
    if outcome.attacks is not None:
        console.print(attacks_table(outcome.attacks))
    console.print("\n[bold]报告 report[/]")
    for path in files:
        console.print(f"  {path}", markup=False, soft_wrap=True)
    prefix = f"DACU_DATABASE_URL={database} " if database else ""
    console.print(
        f"\n[bold]控制台 console[/]\n  {prefix}dacu serve\n"
        f"  http://127.0.0.1:8000/console/campaigns/{board.campaign_id}\n"
        f"  sign in with a staff token: {prefix}dacu token issue --subject ops-lihua "
        "--role operator",
        soft_wrap=True,
    )
