"""`dacu db upgrade` on the embedded default, in a clean working directory."""

import os
import sqlite3
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


def test_db_upgrade_creates_the_embedded_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DACU_DATABASE_URL"}
    run = subprocess.run(
        [sys.executable, "-m", "dacu", "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    tables = {
        name
        for (name,) in sqlite3.connect(tmp_path / "dacu.db").execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    assert {"coupon_templates", "coupons", "coupon_holdings", "alembic_version"} <= tables


def test_sweep_runs_on_the_embedded_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DACU_DATABASE_URL"}
    run = subprocess.run(
        [sys.executable, "-m", "dacu", "sweep"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "0 unpaid orders cancelled, 0 coupons expired" in run.stdout
