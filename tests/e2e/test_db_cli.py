"""`dacu db upgrade` on the embedded default, in a clean working directory."""

import sqlite3

import pytest

from tests.e2e.cli import dacu

pytestmark = pytest.mark.e2e


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
