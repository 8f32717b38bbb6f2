"""Real databases for integration tests: a fresh SQLite file always, PostgreSQL when
DACU_TEST_DATABASE_URL names one (each test in a schema of its own), Redis when
DACU_TEST_REDIS_URL does (each test under a key prefix of its own), and a Redis
Cluster when DACU_TEST_REDIS_CLUSTER_URL does (`redis+cluster://127.0.0.1:7101`;
`.ci/redis-cluster start DIR` starts a local one of 3 masters, as .ci/run does)."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from dacu.adapters.db import database_url, make_engine, upgrade
from dacu.adapters.redis_connect import Client, redis_client

POSTGRES_URL = os.environ.get("DACU_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("DACU_TEST_REDIS_URL")
NO_POSTGRES = "set DACU_TEST_DATABASE_URL to run against PostgreSQL (.ci/run does)"
CLUSTER_URL = os.environ.get("DACU_TEST_REDIS_CLUSTER_URL")
NO_REDIS = "set DACU_TEST_REDIS_URL to run against Redis (.ci/run does)"
NO_CLUSTER = (
    "set DACU_TEST_REDIS_CLUSTER_URL=redis+cluster://127.0.0.1:7101 to run against a Redis "
    "Cluster (.ci/run starts one with .ci/redis-cluster)"
)


@contextmanager
def sqlite_engine(folder: Path) -> Iterator[Engine]:
    url = f"sqlite:///{folder / 'dacu.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def postgres_engine() -> Iterator[Engine]:
    assert POSTGRES_URL is not None
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = database_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    raw = url.render_as_string(hide_password=False)
    upgrade(raw)
    engine = make_engine(raw, pool_size=40, max_overflow=10)  # PostgreSQL allows 100
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


POSTGRES = pytest.param(
    "postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
)
REDIS = pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason=NO_REDIS))
REDIS_CLUSTER = pytest.param(
    "redis-cluster", marks=pytest.mark.skipif(not CLUSTER_URL, reason=NO_CLUSTER)
)
REDIS_PG = pytest.param(  # the Redis gate with PostgreSQL as the record
    "redis+postgresql",
    marks=pytest.mark.skipif(
        not (REDIS_URL and POSTGRES_URL), reason="needs DACU_TEST_REDIS_URL and ..DATABASE_URL"
    ),
)
CLUSTER_PG = pytest.param(  # the same on a Redis Cluster
    "redis-cluster+postgresql",
    marks=pytest.mark.skipif(
        not (CLUSTER_URL and POSTGRES_URL),
        reason="needs DACU_TEST_REDIS_CLUSTER_URL and DACU_TEST_DATABASE_URL",
    ),
)


def redis_url_of(kind: str) -> str | None:
    """The test Redis a parameter names: a cluster's for "redis-cluster…", the single
    server's for "redis…", None for any other."""
    if kind.startswith("redis-cluster"):
        return CLUSTER_URL
    return REDIS_URL if kind.startswith("redis") else None


@contextmanager
def redis_keys(url: str | None = None) -> Iterator[tuple[Client, str]]:
    """A client on the test Redis (or `url`) and a key prefix of the test's own; its keys
    go after."""
    url = url or REDIS_URL
    assert url is not None
    client = redis_client(url)
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    try:
        yield client, prefix
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


@pytest.fixture(params=["sqlite", POSTGRES])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a freshly migrated database of each kind."""
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        yield engine


@contextmanager
def intake_of(kind: str) -> Iterator[tuple[str | None, str]]:
    """The Redis URL a platform takes orders in with ("redis"; None for "sql") and a key
    prefix of the test's own, whose keys are deleted afterwards."""
    prefix = f"t-{uuid.uuid4().hex[:10]}"
    url = redis_url_of(kind)
    try:
        yield url, prefix
    finally:
        if url is not None:
            client = redis_client(url)
            for key in client.scan_iter(f"*{prefix}*", count=1000):
                client.delete(key)
            client.close()


def stock_example_goods(platform) -> None:
    """The example campaign's shops and SKUs in the platform's catalog."""
    from dacu.schemas.goods import example_goods

    for shop, skus in example_goods():
        platform.goods.open_shop(shop)
        platform.goods.put(skus)
