"""`dacu campaign apply / export / list` on the embedded default database."""

from pathlib import Path

import pytest

from dacu.schemas.yamlfile import load_yaml
from tests.e2e.cli import dacu

pytestmark = pytest.mark.e2e
EXAMPLE = Path(__file__).resolve().parents[2] / "examples/double11.yaml"


def test_apply_then_export_round_trips_the_example(tmp_path):
    applied = dacu(tmp_path, "campaign", "apply", str(EXAMPLE))
    assert applied.returncode == 0, applied.stderr
    assert "version 1" in applied.stdout
    exported = dacu(tmp_path, "campaign", "export", "double11-2026")
    assert exported.returncode == 0, exported.stderr
    again = tmp_path / "again.yaml"
    again.write_text(exported.stdout, encoding="utf-8")
    assert dacu(tmp_path, "campaign", "apply", str(again)).returncode == 0
    listed = dacu(tmp_path, "campaign", "list").stdout
    assert "double11-2026\tlive\tv2" in listed
    original = load_yaml(EXAMPLE.read_text(encoding="utf-8"))
    assert (
        load_yaml(exported.stdout)["promotions"][0]["tiers"] == original["promotions"][0]["tiers"]
    )


def test_a_bad_campaign_file_exits_2_naming_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("per_user_limit: 1", "per_user_limit: 0", 1),
        encoding="utf-8",
    )
    run = dacu(tmp_path, "campaign", "apply", str(bad))
    assert run.returncode == 2
    assert "coupons[0].per_user_limit" in run.stderr


def test_demo_loads_the_example_and_prints_tokens_and_where_to_look(tmp_path):
    run = dacu(tmp_path, "demo", "--no-serve")
    assert run.returncode == 0, run.stderr
    assert "operator token:" in run.stdout
    assert "/docs" in run.stdout
    assert "double11-2026\tlive\tv1" in dacu(tmp_path, "campaign", "list").stdout
