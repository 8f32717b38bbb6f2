"""Identity links' contract, on SQLite and PostgreSQL, with clusters cached in this
process or in Redis: clusters merge transitively with the right size and first
sighting, a ring of accounts linked at once ends in one cluster, and an address
shared by a carrier's NAT ties nobody together."""

import random
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis

from dacu.adapters.redis_connect import redis_client
from dacu.adapters.risk_link_cache import LocalClusterCache, RedisClusterCache
from dacu.adapters.risk_links import SqlIdentityLinks
from dacu.adapters.risk_values import normalised, stored
from dacu.domain.errors import InvalidRule
from dacu.domain.risk import Identity, LinkKind
from tests.integration.conftest import (
    NO_POSTGRES,
    NO_REDIS,
    POSTGRES_URL,
    REDIS,
    REDIS_CLUSTER,
    REDIS_URL,
    postgres_engine,
    redis_url_of,
    sqlite_engine,
)

pytestmark = pytest.mark.integration
AT = datetime(2026, 9, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
PG = pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
RD = pytest.mark.skipif(not REDIS_URL, reason=NO_REDIS)


@contextmanager
def _links(kind: str, folder: Path) -> Iterator[SqlIdentityLinks]:
    database, _, cache = kind.partition("+")
    made = sqlite_engine(folder) if database == "sqlite" else postgres_engine()
    with made as engine:
        if cache != "redis":
            yield SqlIdentityLinks(engine, LocalClusterCache())
            return
        assert REDIS_URL is not None
        client = redis.Redis.from_url(REDIS_URL)
        prefix = f"test-{uuid.uuid4().hex[:10]}"
        try:
            yield SqlIdentityLinks(engine, RedisClusterCache(client, prefix))
        finally:
            for key in client.scan_iter(f"*{prefix}*"):
                client.delete(key)
            client.close()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=PG),
        pytest.param("sqlite+redis", marks=RD),
        pytest.param("postgresql+redis", marks=[PG, RD]),
    ]
)
def links(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlIdentityLinks]:
    with _links(request.param, tmp_path) as made:
        yield made


def test_a_customer_never_seen_has_no_cluster(links: SqlIdentityLinks) -> None:
    assert links.cluster("nobody") is None
    assert links.members("nobody") == []
    assert links.shared("nobody") == []


def test_clusters_merge_transitively(links: SqlIdentityLinks) -> None:
    first = links.link("a", Identity(device="d1"), AT)
    assert (first.size, first.first_seen) == (1, AT)
    links.link("b", Identity(device="d1", address="北京市 朝阳区１号"), AT + timedelta(hours=1))
    links.link(
        "c", Identity(address="北京市朝阳区1号", phone="138 0013 8000"), AT + timedelta(hours=2)
    )
    links.link("x", Identity(phone="+8613800138000"), AT - timedelta(days=3))  # seen earlier
    joined = links.link("d", Identity(payment_account="alipay:9", device="d9"), AT)
    assert joined.size == 1
    merged = links.link("d", Identity(phone="13800138000"), AT)
    assert merged.size == 5
    assert merged.first_seen == AT - timedelta(days=3)
    for who in "abcdx":
        assert links.cluster(who) == merged
    assert links.members(merged.id) == ["a", "b", "c", "d", "x"]
    assert links.members_after(merged.id, "b", 2) == ["c", "d"]


def test_shared_identifiers_are_counted_by_accounts(links: SqlIdentityLinks) -> None:
    links.link("a", Identity(device="d1", ip="10.0.0.1"), AT)
    links.link("a", Identity(device="d1"), AT + timedelta(minutes=5))
    links.link("b", Identity(device="d1"), AT)
    seen = {s.kind: s for s in links.seen("a")}
    assert seen[LinkKind.DEVICE].accounts == 2
    assert seen[LinkKind.DEVICE].times == 2
    assert seen[LinkKind.DEVICE].last_seen == AT + timedelta(minutes=5)
    assert seen[LinkKind.IP].accounts == 1
    assert (LinkKind.DEVICE, stored(LinkKind.DEVICE, "d1"), 2) in links.shared("b")


def test_a_nat_address_shared_by_many_merges_nobody(links: SqlIdentityLinks) -> None:
    for n in range(60):
        links.link(f"c{n:03}", Identity(ip="100.64.0.1", device=f"phone-{n}"), AT)
    assert links.cluster("c000").size == 1  # type: ignore[union-attr]
    assert links.shared("c059") == [
        (LinkKind.DEVICE, stored(LinkKind.DEVICE, "phone-59"), 1),
        (LinkKind.IP, stored(LinkKind.IP, "100.64.0.1"), 60),
    ]


def test_a_ring_linked_at_once_ends_in_one_cluster(links: SqlIdentityLinks) -> None:
    """Account i shares a device with i+1 (mod n): linked by many threads at once."""
    n = 40
    ring = [
        (f"r{i:02}", Identity(device=f"d{i}", payment_account=f"p{(i + 1) % n}")) for i in range(n)
    ]
    ring += [(f"r{i:02}", Identity(payment_account=f"p{i}")) for i in range(n)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda job: links.link(job[0], job[1], AT), ring))
    sizes = {links.cluster(f"r{i:02}") for i in range(n)}
    links.flush()  # on SQLite a link that met a busy writer is written behind
    fresh = SqlIdentityLinks(links._engine)
    clusters = {fresh.cluster(f"r{i:02}") for i in range(n)}
    assert len(clusters) == 1
    assert clusters.pop().size == n  # type: ignore[union-attr]
    assert len(fresh.members("r00", 500)) == n
    assert sizes  # the cached reads answered too


def test_identifiers_are_normalised() -> None:
    assert normalised(LinkKind.ADDRESS, " 上海市　浦东新区 Ａ座 ") == "上海市浦东新区a座"
    assert normalised(LinkKind.PHONE, "138-0013-8000") == "+8613800138000"
    assert normalised(LinkKind.IP, "::FFFF:10.0.0.1") == "::ffff:a00:1"
    assert stored(LinkKind.DEVICE, "  ") == ""


def test_hostile_ids_are_refused_or_unknown(links: SqlIdentityLinks) -> None:
    with pytest.raises(InvalidRule) as refused:
        links.link("a\x00b", Identity(device="d"), AT)
    assert refused.value.field == "customer_id"
    with pytest.raises(InvalidRule):
        links.link("x" * 65, Identity(device="d"), AT)
    assert links.cluster("a\x00b") is None
    assert links.seen("x" * 500) == []
    assert links.members_after("a", "\x00", 5) == []
    weird = "王小明 ;DROP TABLE risk_nodes"
    assert links.link(weird, Identity(device="d\x00\n" * 1000), AT).size == 1
    assert links.members(weird) == [weird]


def test_clusters_agree_with_a_model_after_random_links(links: SqlIdentityLinks) -> None:
    chance = random.Random(7)
    model: dict[str, str] = {}  # a plain union-find over the same links

    def root(x: str) -> str:
        while model[x] != x:
            x = model[x]
        return x

    owners: dict[tuple[str, str], str] = {}
    for step in range(150):
        who = f"u{chance.randrange(60):02}"
        kind, value = chance.choice(["device", "phone", "ip"]), f"v{chance.randrange(40)}"
        links.link(who, Identity(**{kind: value}), AT + timedelta(minutes=step))
        model.setdefault(who, who)
        if kind != "ip":
            other = owners.setdefault((kind, value), who)
            model[root(who)] = root(other)
    fresh = SqlIdentityLinks(links._engine)
    for who in model:
        size = sum(1 for other in model if root(other) == root(who))
        found = fresh.cluster(who)
        assert found is not None
        assert found.size == size, who
        assert len(fresh.members(found.id, 1000)) == size


@pytest.mark.parametrize("redis_kind", [REDIS, REDIS_CLUSTER])
def test_a_merge_reaches_every_process_through_redis(redis_kind: str, tmp_path: Path) -> None:
    url = redis_url_of(redis_kind)
    assert url is not None
    client = redis_client(url)
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    try:
        with sqlite_engine(tmp_path) as engine:
            one = SqlIdentityLinks(engine, RedisClusterCache(client, prefix))
            two = SqlIdentityLinks(engine, RedisClusterCache(client, prefix))
            one.link("a", Identity(device="d1"), AT)
            one.link("b", Identity(device="d2"), AT)
            assert two.cluster("a").size == 1  # type: ignore[union-attr]
            assert two.cluster("b").size == 1  # type: ignore[union-attr]
            one.link("c", Identity(device="d1", phone="13800138000"), AT)
            one.link("b", Identity(phone="13800138000"), AT)  # a and b's clusters merge
            assert two.cluster("a").size == 3  # type: ignore[union-attr]
            assert two.cluster("b").size == 3  # type: ignore[union-attr]
            # many read at once (the near cache's reads behind): the same answers
            many = RedisClusterCache(client, prefix).get_many(["a", "b", "c", "ghost"])
            assert {who: (c.size if c else None) for who, c in many.items()} == {
                "a": 3,
                "b": 3,
                "c": 3,
                "ghost": None,
            }
            assert many["a"] == two.cluster("a")
    finally:
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
        client.close()


def test_a_crowd_on_one_device_and_one_nat_address_at_once(links: SqlIdentityLinks) -> None:
    """48 new accounts at once: one device ties them all; the NAT address counts them all."""
    jobs = [f"s{n:02}" for n in range(48)]
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda who: links.link(who, Identity(device="shared", ip="10.9.9.9"), AT), jobs
            )
        )
    links.flush()  # on SQLite a link that met a busy writer is written behind
    fresh = SqlIdentityLinks(links._engine)
    assert {fresh.cluster(who).size for who in jobs} == {48}  # type: ignore[union-attr]
    assert {kind: n for kind, _, n in fresh.shared("s00")} == {LinkKind.DEVICE: 48, LinkKind.IP: 48}
