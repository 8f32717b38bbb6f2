"""Schemathesis against the live API's OpenAPI, over HTTP: no input makes a server error."""

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.db import make_engine, upgrade
from dacu.adapters.principals import SqlPrincipals
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.integration.http import serving

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/double11.yaml"
NOW = datetime(2026, 11, 11, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def live_api(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'dacu.db'}"
    upgrade(url)
    engine = make_engine(url)
    document = json.loads(json.dumps(load_yaml(EXAMPLE.read_text(encoding="utf-8")), default=str))
    SqlCampaignStore(engine).apply(*load_campaign(document), "ops-lihua", NOW)
    principals = SqlPrincipals(engine)
    tokens = {
        role: principals.issue(f"{role}-1", role, frozenset(), NOW)
        for role in (Role.OPERATOR, Role.CONSUMER)
    }
    with serving(create_app(bootstrap(engine, clock=lambda: NOW))) as base:
        yield base, tokens
    engine.dispose()


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.CONSUMER], ids=str)
def test_no_request_makes_a_server_error(live_api, role):
    # given: the live API, its OpenAPI, and a token of each role
    base, tokens = live_api
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
