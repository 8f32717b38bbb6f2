"""The accounts seen with an identifier, counted live in Redis (`RedisSharedAccounts`),
on real Redis (one server and a Redis Cluster): an account counts once however often it
is seen; the count is the larger of the accounts held and SQL's floor; a key holds at
most `MOST_ACCOUNTS` accounts; it expires `ttl_s` after the last account new to it, a
sighting of an account already there writing nothing."""

from collections.abc import Iterator
from typing import Any

import pytest

from dacu.adapters import risk_shared
from dacu.adapters.risk_shared import RedisSharedAccounts
from tests.integration.conftest import REDIS, REDIS_CLUSTER, redis_keys, redis_url_of

pytestmark = pytest.mark.integration


@pytest.fixture(params=[REDIS, REDIS_CLUSTER])
def shared(request: pytest.FixtureRequest) -> Iterator[tuple[RedisSharedAccounts, Any]]:
    with redis_keys(redis_url_of(request.param)) as (client, prefix):
        yield RedisSharedAccounts(client, prefix, ttl_s=100), client


def test_an_account_counts_once_and_the_floor_is_a_least(shared):
    accounts, _ = shared
    # when: three accounts are seen on one device, the first twice
    found = [accounts.seen(who, ["dev-1"])[0] for who in ("a", "b", "a", "c")]
    # then: counted once each; no floor known yet
    assert found == [(1, False), (2, False), (2, False), (3, False)]
    # when: SQL counted five accounts on it, and one on another device
    accounts.floor({"dev-1": 5, "dev-2": 1})
    # then: the larger of the two, and the floor known
    assert accounts.seen("a", ["dev-1", "dev-2"]) == [(5, True), (1, True)]
    assert accounts.seen("d", ["dev-1"]) == [(5, True)]  # four held, the floor still more
    assert accounts.seen("", ["dev-1"]) == [(5, True)]  # nobody: counted, nothing added


def test_a_key_lives_ttl_after_its_last_new_account(shared):
    accounts, client = shared
    accounts.seen("a", ["dev-1"])
    key = accounts._key("dev-1")
    assert 90 < client.ttl(key) <= 100
    client.expire(key, 50)
    # when: the same account is seen again: nothing written, the expiry as it was
    assert accounts.seen("a", ["dev-1"]) == [(1, False)]
    assert client.ttl(key) <= 50
    # when: a new account is seen: the key lives `ttl_s` again
    assert accounts.seen("b", ["dev-1"]) == [(2, False)]
    assert 90 < client.ttl(key) <= 100


def test_a_key_holds_at_most_so_many_accounts(shared, monkeypatch):
    accounts, _ = shared
    monkeypatch.setattr(risk_shared, "MOST_ACCOUNTS", 2)
    found = [accounts.seen(who, ["dev-1"])[0][0] for who in ("a", "b", "c", "d")]
    assert found == [1, 2, 2, 2]  # past it, only counted by the floor


def test_floors_set_many_a_call_are_each_their_own_and_never_lowered(shared, monkeypatch):
    accounts, _ = shared
    monkeypatch.setattr(risk_shared, "FLOORS_PER_CALL", 2)  # five identifiers, three calls
    accounts.floor({f"dev-{i}": i for i in range(1, 6)})
    accounts.floor({"dev-1": 0, "dev-4": 9})  # a lower count leaves the floor as it was
    found = accounts.seen("", [f"dev-{i}" for i in range(1, 6)])
    assert found == [(1, True), (2, True), (3, True), (9, True), (5, True)]


def test_a_key_written_before_its_count_was_kept_is_counted_from_its_fields(shared):
    accounts, client = shared
    key = accounts._key("dev-1")
    client.hset(key, mapping={"a": 1, "b": 1, "": 1})  # two accounts and a floor, no count
    # when: a third account is seen, then the first again
    assert accounts.seen("c", ["dev-1"]) == [(3, True)]
    assert accounts.seen("a", ["dev-1"]) == [(3, True)]
    # then: the count kept from then on is the accounts' alone
    assert client.hget(key, "\0") == b"3"
    assert sorted(client.hkeys(key)) == [b"", b"\x00", b"a", b"b", b"c"]


def test_accounts_sql_linked_are_held_with_those_redis_counted(shared):
    accounts, client = shared
    key = accounts._key("dev-1")
    # given: two accounts counted in Redis, one of them also linked in SQL
    accounts.seen("a", ["dev-1"])
    accounts.seen("c", ["dev-1"])
    client.expire(key, 50)
    # when: SQL's floor is read with its accounts: a, b and x
    accounts.floor({"dev-1": 3, "dev-2": 1}, {"dev-1": ["a", "b", "x"], "dev-2": ["y"]})
    # then: the count is of them all, each once; the floor still SQL's
    assert accounts.seen("", ["dev-1", "dev-2"]) == [(4, True), (1, True)]
    assert client.hget(key, "") == b"3"
    assert 90 < client.ttl(key) <= 100  # accounts new to the key: it lives `ttl_s` again
    # when: the same read again: nothing new, nothing written
    client.expire(key, 50)
    accounts.floor({"dev-1": 3}, {"dev-1": ["a", "b", "x"]})
    assert accounts.seen("b", ["dev-1"]) == [(4, True)]
    assert client.ttl(key) <= 50


def test_accounts_sql_linked_fill_a_key_only_so_far(shared, monkeypatch):
    accounts, _ = shared
    monkeypatch.setattr(risk_shared, "MOST_ACCOUNTS", 2)
    accounts.floor({"dev-1": 3}, {"dev-1": ["a", "b", "c"]})
    assert accounts.seen("d", ["dev-1"]) == [(3, True)]  # two held, the floor the rest
