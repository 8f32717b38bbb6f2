"""`dacu budget review`, as finance runs it: the week's spend by department and promotion
against its results, in the terminal or as a workbook; a bad week or campaign refused."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dacu.bootstrap import bootstrap
from dacu.domain.cart import Cart, CartLine, Customer
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.e2e.test_db_cli import dacu
from tests.integration.conftest import sqlite_engine
from tests.integration.test_budgets import BURST, CAMPAIGN, WARM_UP

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
COATS = Cart((CartLine("A-COAT", "north-wear", 45900, 3, "apparel"),))


def test_the_weekly_review_in_the_terminal_and_as_a_workbook(tmp_path):
    with sqlite_engine(tmp_path) as engine:  # dacu.db in tmp_path: the CLI's default
        platform = bootstrap(engine)
        document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
        document = json.loads(json.dumps(document, default=str))
        document["promotions"][0].update(department="market", budget=10**6)
        platform.campaigns.apply(*load_campaign(document), "ops", WARM_UP)
        order = platform.orders.checkout(COATS, Customer("u-1"), "k1", BURST)
        platform.orders.pay(order.id, BURST + timedelta(minutes=1))
        platform.outbox().deliver(BURST + timedelta(minutes=2))

    run = dacu(tmp_path, "budget", "review", CAMPAIGN, "--week", "2026-W46")
    assert run.returncode == 0, run.stderr
    assert "花费 spend: ¥140.00" in run.stdout
    assert "apparel-300-50" in run.stdout
    assert "market" in run.stdout

    run = dacu(tmp_path, "budget", "review", CAMPAIGN, "--week", "2026-W46", "--xlsx", "r.xlsx")
    assert run.returncode == 0, run.stderr
    book = load_workbook(tmp_path / "r.xlsx")
    assert book["促销 promotions"]["A2"].value == "apparel-300-50"

    bad = dacu(tmp_path, "budget", "review", CAMPAIGN, "--week", "2026-W60")
    assert bad.returncode == 2
    assert "week" in bad.stderr
    unknown = dacu(tmp_path, "budget", "review", "nope")
    assert unknown.returncode == 1
    assert "campaign" in unknown.stderr
