"""`dacu db upgrade` on the embedded default, in a clean working directory."""

import os
import sqlite3
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


def dacu(cwd, *args: str) -> subprocess.CompletedProcess[str]:
    """`dacu …` in `cwd`, on the embedded default database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DACU_DATABASE_URL", "DACU_REDIS_URL")}
    return subprocess.run(
        [sys.executable, "-m", "dacu", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_db_upgrade_creates_the_embedded_database(tmp_path):
    run = dacu(tmp_path, "db", "upgrade")
    assert run.returncode == 0, run.stderr
    tables = {
        name
        for (name,) in sqlite3.connect(tmp_path / "dacu.db").execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    assert {"coupon_templates", "coupons", "coupon_holdings", "alembic_version"} <= tables


def test_sweep_runs_on_the_embedded_database(tmp_path):
    run = dacu(tmp_path, "sweep")
    assert run.returncode == 0, run.stderr
    assert "0 unpaid orders cancelled, 0 unpaid flash-sale holds released" in run.stdout
