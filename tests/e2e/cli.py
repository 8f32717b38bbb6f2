"""`dacu` as a process, the way an operator runs it, its output captured as text."""

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_dacu(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`python -m dacu …`; a failing exit is returned, not raised."""
    return subprocess.run(
        [sys.executable, "-m", "dacu", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without any `DACU_` setting (the tests' own too), plus `settings`."""
    return {k: v for k, v in os.environ.items() if not k.startswith("DACU_")} | settings


def dacu(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`dacu …` in `cwd`, on the embedded default database."""
    return run_dacu(*args, cwd=cwd, env=clean_env())
