"""`dacu risk rules apply|show` and `dacu risk blacklist add|remove|list`, as the risk
team runs them on the embedded database: a bad field named with exit 2, versions, the
list kept with expiry."""

import pytest

from tests.e2e.test_db_cli import dacu

pytestmark = pytest.mark.e2e

BAD = """rules:
  - kind: velocity
    code: too_fast
    actions: [coupon_claim]
    scope: device
    window_s: 0
    limit: 3
"""


def test_rules_and_blacklist_from_the_command_line(tmp_path):
    packaged = "src/dacu/examples/risk.yaml"
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    run = dacu(tmp_path, "risk", "rules", "apply", str(root / packaged), "--by", "risk-1")
    assert run.returncode == 0, run.stderr
    assert "version 1 active" in run.stdout
    again = dacu(tmp_path, "risk", "rules", "apply", str(root / packaged))
    assert "version 1 active" in again.stdout  # the same file: no new version
    (tmp_path / "bad.yaml").write_text(BAD, encoding="utf-8")
    bad = dacu(tmp_path, "risk", "rules", "apply", str(tmp_path / "bad.yaml"))
    assert bad.returncode == 2
    assert "rules[0].window_s" in bad.stderr
    shown = dacu(tmp_path, "risk", "rules", "show")
    assert "active: version 1" in shown.stdout

    added = dacu(
        tmp_path, "risk", "blacklist", "add", "device", "dev-farm", "--reason", "farm",
        "--expires", "2200-01-01T00:00:00", "--by", "risk-1",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = dacu(tmp_path, "risk", "blacklist", "list")
    assert "device\tdev-farm\t2200-01-01" in listed.stdout
    past = dacu(tmp_path, "risk", "blacklist", "add", "ip", "1.2.3.4", "--expires", "2001-01-01")
    assert past.returncode == 2
    assert "expires_at" in past.stderr
    assert dacu(tmp_path, "risk", "blacklist", "add", "galaxy", "x").returncode == 2
    removed = dacu(tmp_path, "risk", "blacklist", "remove", "device", "dev-farm")
    assert "removed" in removed.stdout
    assert (
        "not listed" in dacu(tmp_path, "risk", "blacklist", "remove", "device", "dev-farm").stdout
    )
    assert dacu(tmp_path, "risk", "blacklist", "list").stdout == ""
