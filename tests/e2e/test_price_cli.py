"""`dacu price` end to end: a real process, real files, the public result format."""

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e.cli import run_dacu
from tests.e2e.scenario_match import mismatches

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "tests" / "scenarios").glob("*/*.json"))

pytestmark = pytest.mark.e2e


def dacu(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_dacu(*args, stdin=stdin, timeout=60)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario_prices_as_expected(path: Path):
    expect = json.loads(path.read_text(encoding="utf-8")).get("expect") or {}
    run = dacu("price", "--json", str(path))
    if expect.get("error"):
        assert run.returncode == 2, run.stdout
        assert run.stderr.strip(), "a refused scenario must say why"
        return
    assert run.returncode == 0, run.stderr
    assert mismatches(expect, json.loads(run.stdout)) == []


def test_there_are_scenarios_for_every_kind():
    kinds = {
        promotion["kind"]
        for path in SCENARIOS
        for promotion in json.loads(path.read_text(encoding="utf-8")).get("promotions", [])
        if isinstance(promotion, dict) and "kind" in promotion
    }
    assert kinds >= {
        "flash_price",
        "percent_off",
        "direct_off",
        "member_price",
        "group_price",
        "bundle",
        "threshold_off",
        "threshold_discount",
        "first_order_off",
        "gift",
    }


def _bad(mutate) -> subprocess.CompletedProcess[str]:
    scenario = json.loads(
        (ROOT / "tests/scenarios/shared/02_tiered_cross_shop_apportioned.json").read_text(
            encoding="utf-8"
        )
    )
    mutate(scenario)
    return dacu("price", "--json", "-", stdin=json.dumps(scenario))


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (
            lambda s: s["promotions"][0]["tiers"][1].update(threshold=20000),
            "promotions[0].tiers[1].threshold",
        ),
        (lambda s: s["promotions"][0]["tiers"][0].update(off=30000), "promotions[0].tiers[0].off"),
        (lambda s: s["promotions"][0].update(kind="buy_one_get_two"), "promotions[0]"),
        (lambda s: s["cart"]["items"][1].update(price=-1), "cart.items[1].price"),
        (lambda s: s["cart"]["items"][0].pop("price"), "cart.items[0].price"),
        (lambda s: s["cart"]["items"][0].update(price=199.5), "cart.items[0].price"),
        (
            lambda s: s["promotions"][0].update(
                starts_at="2026-11-12T00:00:00+08:00", ends_at="2026-11-11T00:00:00+08:00"
            ),
            "promotions[0].ends_at",
        ),
    ],
    ids=["tiers", "off", "kind", "negative", "missing", "float", "window"],
)
def test_a_bad_scenario_exits_2_naming_the_field(mutate, field):
    run = _bad(mutate)
    assert run.returncode == 2
    assert field in run.stderr
    assert run.stdout == ""


def test_receipt_shows_lines_funding_and_hints():
    run = dacu("price", str(ROOT / "tests/scenarios/shared/02_tiered_cross_shop_apportioned.json"))
    assert run.returncode == 0, run.stderr
    assert "300.00" in run.stdout  # payable
    assert "凑单" in run.stdout
    assert "p1" in run.stdout


def test_explain_says_why_each_rule_applied_or_not():
    path = ROOT / "tests/scenarios/shared/08_best_coupon_set_is_global_not_greedy.json"
    run = dacu("price", "--json", "--explain", str(path))
    notes = {n["rule"]: n for n in json.loads(run.stdout)["explain"]}
    assert notes["c2"]["applied"]
    assert notes["c3"]["applied"]
    assert not notes["c1"]["applied"]
    assert "best set" in notes["c1"]["reason"]


def test_the_readme_example_prices():
    run = dacu("price", "--explain", str(ROOT / "examples/double11_cart.json"))
    assert run.returncode == 0, run.stderr
    assert "为什么" in run.stdout
