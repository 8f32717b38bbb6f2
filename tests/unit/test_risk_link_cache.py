"""The process-local cluster cache: entries expire, a root's size never shrinks in it,
and a root merged away sends its members back to the database; identifiers normalise."""

from datetime import UTC, datetime

from dacu.adapters.risk_link_cache import LocalClusterCache
from dacu.adapters.risk_values import hashed, normalised, short, stored
from dacu.domain.risk import LinkKind
from dacu.services.ports.risk_links import Cluster

AT = datetime(2026, 9, 3, tzinfo=UTC)


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_and_never_shrink() -> None:
    ticks = Ticks()
    cache = LocalClusterCache(30, ticks)
    cache.put("a", Cluster("a", 3, AT))
    cache.put("b", Cluster("a", 2, AT))  # a late reader's older size
    assert cache.get("a") == Cluster("a", 3, AT)
    assert cache.get("b") == Cluster("a", 3, AT)
    ticks.now = 31
    assert cache.get("a") is None
    cache.put("b", Cluster("a", 2, AT))  # expired: the new entry stands
    assert cache.get("b") == Cluster("a", 2, AT)


def test_a_root_merged_away_sends_its_members_to_the_database() -> None:
    cache = LocalClusterCache(30, Ticks())
    cache.put("a", Cluster("a", 2, AT))
    cache.put("x", Cluster("x", 5, AT))
    cache.drop_roots(["a"])
    assert cache.get("a") is None
    assert cache.get("x") == Cluster("x", 5, AT)


def test_identifiers_normalise_before_they_are_hashed() -> None:
    assert normalised(LinkKind.ADDRESS, "北京市 朝阳区１号\tＡ座") == "北京市朝阳区1号a座"
    assert normalised(LinkKind.PHONE, "+86 138-0013-8000") == "+8613800138000"
    assert normalised(LinkKind.PHONE, "no phone") == ""  # nothing left: not linked
    assert normalised(LinkKind.IP, " 10.0.0.1 ") == "10.0.0.1"
    assert normalised(LinkKind.IP, "not-an-ip") == "not-an-ip"
    assert normalised(LinkKind.DEVICE, "ＩＤ-1 ") == "ID-1"
    assert stored(LinkKind.PHONE, "13800138000") == stored(LinkKind.PHONE, "+86 138 0013 8000")
    assert stored(LinkKind.PHONE, "13800138000") != stored(LinkKind.DEVICE, "+8613800138000")
    assert hashed(LinkKind.PHONE, "x", b"key") != hashed(LinkKind.PHONE, "x")
    assert len(short(stored(LinkKind.DEVICE, "d"))) == 10
