"""`dacu flash`, `dacu stock reconcile` and `dacu workers` on the embedded database."""

import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.db import make_engine
from dacu.bootstrap import bootstrap
from tests.e2e.cli import clean_env, dacu
from tests.integration.conftest import stock_example_goods

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def sales_file(folder, stock: int = 5, campaign: str = "double11-2026") -> str:
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    path = folder / "sales.yaml"
    path.write_text(
        f"""- id: fs-phone
  campaign_id: {campaign}
  sku: P-PHONE
  title: 旗舰手机
  starts_at: {(now - timedelta(minutes=1)).isoformat()}
  ends_at: {(now + timedelta(hours=1)).isoformat()}
  stock: {stock}
  limit_per_user: 2
  price: 359900
  safety_stock: 2
""",
        encoding="utf-8",
    )
    return str(path)


def test_open_show_and_reconcile_a_flash_sale(tmp_path):
    # given: the sale's campaign, and its SKU in the catalog
    applied = dacu(tmp_path, "campaign", "apply", str(ROOT / "examples/double11.yaml"))
    assert applied.returncode == 0, applied.stderr
    refused = dacu(tmp_path, "flash", "open", sales_file(tmp_path))
    assert (refused.returncode, "sku: P-PHONE is not in the catalog" in refused.stderr) == (2, True)
    _example_goods(tmp_path)
    opened = dacu(tmp_path, "flash", "open", sales_file(tmp_path))
    assert opened.returncode == 0, opened.stderr
    assert "fs-phone\topened\t5 on sale" in opened.stdout
    assert "already open" in dacu(tmp_path, "flash", "open", sales_file(tmp_path)).stdout
    shown = dacu(tmp_path, "flash", "show", "fs-phone")
    assert "在售 5 / 待支付 0 / 已支付 0 / 共 5" in shown.stdout
    assert dacu(tmp_path, "stock", "reconcile").returncode == 0
    # when: the gate's count drifts from the record
    with sqlite3.connect(tmp_path / "dacu.db") as db:
        db.execute("UPDATE flash_sales SET stock_left = 9")
    checked = dacu(tmp_path, "stock", "reconcile", "fs-phone")
    fixed = dacu(tmp_path, "stock", "reconcile", "fs-phone", "--fix")
    # then: reported (exit 1), repaired, consistent again
    assert checked.returncode == 1
    assert "stock_differs: gate 9 on sale + 0 held != 5" in checked.stdout
    assert fixed.returncode == 0, fixed.stdout
    assert "fixed: on sale 5, held 0 — consistent" in fixed.stdout
    assert dacu(tmp_path, "stock", "reconcile").returncode == 0


def _example_goods(folder) -> None:
    engine = make_engine(f"sqlite:///{folder / 'dacu.db'}")
    try:
        stock_example_goods(bootstrap(engine))
    finally:
        engine.dispose()


def test_a_sale_of_no_known_campaign_exits_2_naming_the_field(tmp_path):
    run = dacu(tmp_path, "flash", "open", sales_file(tmp_path, campaign="no-such"))
    assert run.returncode == 2
    assert "campaign_id" in run.stderr


def test_a_bad_sales_file_exits_2_naming_the_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("- {id: x, sku: s, starts_at: 2026-11-11T20:00:00+08:00}\n", "utf-8")
    run = dacu(tmp_path, "flash", "open", str(path))
    assert run.returncode == 2
    assert "ends_at" in run.stderr


def test_workers_start_and_stop_cleanly(tmp_path):
    with subprocess.Popen(
        [sys.executable, "-m", "dacu", "workers", "--processes", "2"],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        text=True,
    ) as workers:
        try:
            started = [workers.stdout.readline() for _ in range(2)]
            assert all("started" in line for line in started), started
            time.sleep(0.5)
        finally:
            workers.send_signal(signal.SIGTERM)
            assert workers.wait(timeout=30) == 0
