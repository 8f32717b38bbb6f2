"""`dacu campaign apply / export / list` on the embedded default database."""

import itertools
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
    assert "signed in as 13800138000 with its one-time code" in run.stdout
    assert "/docs" in run.stdout
    assert "double11-2026\tlive\tv1" in dacu(tmp_path, "campaign", "list").stdout


BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]" for a, b in itertools.pairwise("abcdefghi")]
)  # nine levels of nine aliases: 387,420,489 strings once expanded


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (BOMB, "anchors (&a) are not allowed"),
        ("id: x\ntheme: *nowhere\n", "aliases (*nowhere) are not allowed"),
        ('id: !!python/object/apply:os.system ["touch {pwned}"]\n', "python/object/apply"),
        ("id: !!python/name:os.system\n", "python/name:os.system"),
        ("[" * 5000 + "]" * 5000, "nested deeper than 64 levels"),
    ],
    ids=["alias-bomb", "alias", "python-object", "python-name", "deep"],
)
def test_a_hostile_campaign_file_is_refused_with_exit_2_before_anything_is_built(
    tmp_path, text, said
):
    pwned = tmp_path / "pwned"
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text.format(pwned=pwned) if "{pwned}" in text else text, "utf-8")
    run = dacu(tmp_path, "campaign", "apply", str(hostile))  # a bomb would take minutes
    assert run.returncode == 2, run.stderr
    assert said in run.stderr
    assert "Traceback" not in run.stderr
    assert not pwned.exists()
    assert "double11" not in dacu(tmp_path, "campaign", "list").stdout
