"""The API over real HTTP on an embedded database that holds the example 双十一
campaign and its shops' SKUs, with a token for each role a test asks for."""

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy import Engine

from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.db import make_engine, upgrade
from dacu.adapters.principals import SqlPrincipals
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.integration.conftest import stock_example_goods
from tests.integration.http import serving

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/double11.yaml"
CAMPAIGN = "double11-2026"
NOW = datetime(2026, 11, 11, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


class LiveApi(NamedTuple):
    base: str
    tokens: dict[Role, str]
    engine: Engine


@contextmanager
def live_api(
    folder: Path, roles: Iterable[Role], extend: Callable[[FastAPI], None] | None = None
) -> Iterator[LiveApi]:
    """Serve the API (its clock stopped at NOW) until the block ends; `extend` may add
    routes before it starts."""
    url = f"sqlite:///{folder / 'dacu.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        text = EXAMPLE.read_text(encoding="utf-8")
        document = json.loads(json.dumps(load_yaml(text), default=str))
        SqlCampaignStore(engine).apply(*load_campaign(document), "ops-lihua", NOW)
        principals = SqlPrincipals(engine)
        tokens = {role: principals.issue(f"{role}-1", role, frozenset(), NOW) for role in roles}
        platform = bootstrap(engine, clock=lambda: NOW)
        stock_example_goods(platform)
        app = create_app(platform)
        if extend is not None:
            extend(app)
        with serving(app) as base:
            yield LiveApi(base, tokens, engine)
    finally:
        engine.dispose()
