"""`dacu report`, `dacu cases` and the archiving in `dacu sweep`, as subprocesses on a
SQLite file holding two finished campaigns with their shoppers' events."""

import subprocess
from pathlib import Path

import pytest

from dacu.adapters.case_store import SqlCaseStore
from dacu.adapters.db import make_engine, upgrade
from dacu.domain.money import yuan
from tests.e2e.cli import clean_env, run_dacu
from tests.integration.campaign_history import CURRENT, EARLIER, history

pytestmark = pytest.mark.e2e


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'dacu.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        history(engine)
    finally:
        engine.dispose()
    return url


def dacu(cwd: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`dacu …` in `cwd` on the database at `url`, as wide as a plain terminal."""
    return run_dacu(*args, cwd=cwd, env=clean_env(DACU_DATABASE_URL=url, COLUMNS="80"))


def _case_gmv(url: str, campaign_id: str) -> int:
    engine = make_engine(url)
    try:
        case = SqlCaseStore(engine).get(campaign_id)
    finally:
        engine.dispose()
    assert case is not None
    return case.totals["gmv"]


def test_report_writes_html_csv_and_xlsx_and_compares_with_the_campaign_before(tmp_path, database):
    # given nothing archived yet: the 618 has none before it
    first = dacu(tmp_path, database, "report", EARLIER)
    assert first.returncode == 0, first.stderr
    assert "无可比活动" in first.stdout

    # when the 双十一 is reported into a folder of its own
    run = dacu(tmp_path, database, "report", CURRENT, "--out", "out/d11")
    assert run.returncode == 0, run.stderr

    # then the four files are there, their paths printed one a line
    names = [
        f"{CURRENT}-report.html",
        f"{CURRENT}-hourly.csv",
        f"{CURRENT}-summary.csv",
        f"{CURRENT}-report.xlsx",
    ]
    printed = run.stdout.splitlines()[:4]
    assert printed == [str(Path("out/d11") / name) for name in names]
    for name in names:
        assert (tmp_path / "out/d11" / name).stat().st_size > 0
    # and the summary shows the archived figures and the change against the 618
    gmv = _case_gmv(database, CURRENT)
    assert f"¥{yuan(gmv)}" in run.stdout
    assert f"vs {EARLIER}" in run.stdout
    assert "目标达成" in run.stdout
    html = (tmp_path / "out/d11" / names[0]).read_text("utf-8")
    assert "618 年中大促" in html

    # the default folder is reports/
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted(
        [
            f"{EARLIER}-report.html",
            f"{EARLIER}-hourly.csv",
            f"{EARLIER}-summary.csv",
            f"{EARLIER}-report.xlsx",
        ]
    )


def test_sweep_archives_every_finished_campaign_and_cases_lists_them(tmp_path, database):
    empty = dacu(tmp_path, database, "cases")
    assert empty.returncode == 0, empty.stderr
    assert "案例库为空" in empty.stdout

    sweep = dacu(tmp_path, database, "sweep")
    assert sweep.returncode == 0, sweep.stderr
    assert "2 finished campaigns archived" in sweep.stdout

    run = dacu(tmp_path, database, "cases")
    assert run.returncode == 0, run.stderr
    assert "案例库" in run.stdout
    # newest first
    assert run.stdout.index(CURRENT) < run.stdout.index(EARLIER)
    for campaign_id in (CURRENT, EARLIER):
        assert yuan(_case_gmv(database, campaign_id)) in run.stdout  # under 成交额 ¥
    assert "2026-11-08→11-13" in run.stdout
    assert "2026-06-15→06-20" in run.stdout
    assert "618 年中大促" in run.stdout
    assert "/4" in run.stdout  # targets met, of the four the campaign file sets


def test_report_of_an_unknown_campaign_names_it_and_fails(tmp_path, database):
    run = dacu(tmp_path, database, "report", "no-such-sale")
    assert run.returncode == 2
    assert "no campaign no-such-sale" in run.stderr
    assert not (tmp_path / "reports").exists()
