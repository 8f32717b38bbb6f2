"""`dacu simulate` as a process on a SQLite file: deterministic for a seed, safe to run
again, its KPIs equal to SQL over the raw events, and its orders equal to its payments."""

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.e2e.cli import clean_env, run_dacu

pytestmark = pytest.mark.e2e

CAMPAIGN = "double11-2026"
ARGS = ("simulate", "--customers", "300", "--seed", "5")


def simulate(folder: Path, database: Path) -> tuple[subprocess.CompletedProcess[str], dict]:
    env = clean_env(DACU_DATABASE_URL=f"sqlite:///{database}")
    run = run_dacu(*ARGS, "--out", str(folder / "reports"), cwd=folder, env=env, timeout=900)
    assert run.returncode == 0, run.stderr
    summary = folder / "reports" / f"{CAMPAIGN}-simulation.json"
    return run, json.loads(summary.read_text(encoding="utf-8"))


def counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        return {
            table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("events", "orders", "refunds", "ledger", "coupons", "flash_orders")
        }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same seed three times: twice on one database, once on another."""
    first_dir, other_dir = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("other")
    database = first_dir / "sim.db"
    first_run, first = simulate(first_dir, database)
    after_first = counts(database)
    _, again = simulate(first_dir, database)
    _, other = simulate(other_dir, other_dir / "sim.db")
    return {
        "database": database,
        "reports": first_dir / "reports",
        "stdout": first_run.stdout,
        "first": first,
        "again": again,
        "other": other,
        "after_first": after_first,
        "after_again": counts(database),
    }


def test_the_same_seed_on_a_fresh_database_gives_the_same_kpis(runs):
    assert runs["other"]["kpis"]["totals"] == runs["first"]["kpis"]["totals"]
    assert runs["other"]["kpis"]["achievements"] == runs["first"]["kpis"]["achievements"]
    assert runs["first"]["kpis"]["totals"]["payments"] > 0


def test_running_again_on_the_same_database_counts_nothing_twice(runs):
    first, again = runs["first"], runs["again"]
    assert first["events_counted"] == first["events_sent"] > 0
    assert again["events_counted"] == 0
    assert again["kpis"]["totals"] == first["kpis"]["totals"]
    assert runs["after_again"] == runs["after_first"]


def test_the_report_and_where_to_look_are_given(runs):
    for name in ("report.html", "hourly.csv", "summary.csv", "report.xlsx", "simulation.json"):
        path = runs["reports"] / f"{CAMPAIGN}-{name}"
        assert path.stat().st_size > 0, path
    assert f"/console/campaigns/{CAMPAIGN}" in runs["stdout"]
    assert "达成率" in runs["stdout"]


def test_kpi_totals_equal_sql_over_the_raw_events(runs):
    totals = runs["first"]["kpis"]["totals"]
    with sqlite3.connect(runs["database"]) as db:
        raw = db.execute(
            """
            SELECT
              COALESCE(SUM(CASE WHEN kind = 'payment' THEN amount END), 0),
              COUNT(CASE WHEN kind = 'payment' THEN 1 END),
              COUNT(CASE WHEN kind = 'order' THEN 1 END),
              COUNT(CASE WHEN kind = 'refund' THEN 1 END),
              COALESCE(SUM(CASE WHEN kind = 'refund' THEN amount END), 0),
              COUNT(DISTINCT CASE WHEN kind IN ('page_view', 'sku_view') THEN customer_id END),
              COUNT(CASE WHEN kind = 'page_view' THEN 1 END),
              COUNT(DISTINCT CASE WHEN kind = 'payment' THEN customer_id END),
              COALESCE(SUM(CASE WHEN kind = 'payment' THEN platform_funded END), 0)
                - COALESCE(SUM(CASE WHEN kind = 'refund' THEN platform_funded END), 0)
            FROM events WHERE campaign_id = ?
            """,
            (CAMPAIGN,),
        ).fetchone()
    names = (
        "gmv",
        "payments",
        "orders",
        "refunds",
        "refunded",
        "uv",
        "pv",
        "payers",
        "platform_spend",
    )
    assert {name: totals[name] for name in names} == dict(zip(names, raw, strict=True))


def test_paid_orders_and_refunds_in_the_tables_are_the_payment_and_refund_events(runs):
    with sqlite3.connect(runs["database"]) as db:
        paid = dict(
            db.execute(
                """
                SELECT o.id, (SELECT SUM(json_extract(line.value, '$.payable'))
                              FROM json_each(o.document, '$.lines') AS line)
                FROM orders AS o WHERE o.status IN ('paid', 'refunded')
                """
            ).fetchall()
        )
        payments = dict(
            db.execute("SELECT order_id, amount FROM events WHERE kind = 'payment'").fetchall()
        )
        refunded = dict(
            db.execute("SELECT order_id, SUM(amount) FROM refunds GROUP BY order_id").fetchall()
        )
        refund_events = dict(
            db.execute(
                "SELECT order_id, SUM(amount) FROM events WHERE kind = 'refund' GROUP BY order_id"
            ).fetchall()
        )
        ledger_platform, ledger_merchant = db.execute(
            "SELECT SUM(platform), SUM(merchant) FROM ledger"
        ).fetchone()
        flash_paid = db.execute(
            "SELECT COUNT(*) FROM flash_orders AS f JOIN orders AS o ON o.id = f.order_id"
            " WHERE f.status = 'paid' AND o.status IN ('paid', 'refunded')"
        ).fetchone()[0]
    assert paid == payments
    assert refunded == refund_events
    assert len(refunded) > 0
    # who funded each fen: the order ledger, flash orders' cut included (each paid 抢购 is a
    # full order with its funding)
    assert flash_paid > 0
    totals = runs["first"]["kpis"]["totals"]
    assert totals["platform_spend"] == ledger_platform
    assert totals["merchant_spend"] == ledger_merchant
