"""Schemathesis against the live API's OpenAPI, over HTTP: no input makes a server error."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dacu.domain.access import Role
from tests.e2e.live_api import LiveApi, live_api

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    with live_api(tmp_path_factory.mktemp("api"), (Role.OPERATOR, Role.CONSUMER)) as api:
        yield api


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.CONSUMER], ids=str)
def test_no_request_makes_a_server_error(live, role):
    # given: the live API, its OpenAPI, and a token of each role
    base, tokens, _ = live
    # when: schemathesis sends bounded, seeded examples to every operation over HTTP
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{base}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "15",
            "--seed",
            "11",
            "--generation-deterministic",
            "--header",
            f"Authorization: Bearer {tokens[role]}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"},
    )
    # then
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
