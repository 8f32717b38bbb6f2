"""The coin ledger on SQLite and PostgreSQL: once per key, never below zero, debt kept."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import Engine

from dacu.adapters.coin_store import SqlCoinLedger
from dacu.domain.coins import CoinBalance

AT = datetime(2026, 11, 1, 12, tzinfo=UTC)


def test_an_earning_counts_once_per_key(engine: Engine) -> None:
    coins = SqlCoinLedger(engine)
    assert coins.earn("c1", 5, "invite", "invite:c2", AT)
    assert not coins.earn("c1", 5, "invite", "invite:c2", AT)
    assert coins.balance("c1") == CoinBalance("c1", 5, 0)


def test_a_spend_never_takes_the_balance_below_zero(engine: Engine) -> None:
    coins = SqlCoinLedger(engine)
    coins.earn("c1", 3, "sign_in", "s1", AT)
    assert not coins.spend("c1", 4, "redemption", "r1", AT)
    assert coins.balance("c1").balance == 3
    assert coins.spend("c1", 3, "redemption", "r2", AT)
    assert coins.spend("c1", 3, "redemption", "r2", AT)  # the same key: spent once
    assert coins.balance("c1").balance == 0
    assert [e.coins for e in coins.entries("c1")] == [-3, 3]


def test_a_take_back_beyond_the_balance_is_debt_paid_off_first(engine: Engine) -> None:
    coins = SqlCoinLedger(engine)
    coins.earn("c1", 10, "paid", "p1", AT)
    coins.spend("c1", 8, "redemption", "r1", AT)
    assert coins.take_back("c1", 10, "refund", "f1", AT) == 2
    assert coins.take_back("c1", 10, "refund", "f1", AT) == 0
    assert coins.balance("c1") == CoinBalance("c1", 0, 8)
    coins.earn("c1", 5, "sign_in", "s1", AT)
    assert coins.balance("c1") == CoinBalance("c1", 0, 3)
    coins.earn("c1", 5, "sign_in", "s2", AT)
    assert coins.balance("c1") == CoinBalance("c1", 2, 0)


def test_concurrent_spends_take_no_more_than_the_balance(engine: Engine) -> None:
    coins = SqlCoinLedger(engine)
    coins.earn("c1", 10, "paid", "p1", AT)
    with ThreadPoolExecutor(8) as pool:
        spent = list(pool.map(lambda i: coins.spend("c1", 3, "redemption", f"r{i}", AT), range(16)))
    assert spent.count(True) == 3
    assert coins.balance("c1").balance == 1
