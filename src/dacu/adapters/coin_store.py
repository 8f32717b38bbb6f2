"""The coin ledger in SQL (`CoinLedger` port): one entry per key, a balance row per
customer locked while it moves, so concurrent earnings and redemptions in any
number of processes neither lose an entry nor go below zero.

`SqlCoinBook` works on a connection the caller's transaction holds (so a
reward and its coins land together); `SqlCoinLedger` gives each call a
transaction of its own.
"""

from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from dacu.adapters.sql import insert_for
from dacu.adapters.tables import coin_balances, coin_entries
from dacu.domain.coins import CoinBalance, CoinEntry, CoinReason, NotEnoughCoins


class SqlCoinBook:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _entry(
        self,
        customer_id: str,
        coins: int,
        reason: str,
        key: str,
        at: datetime,
        campaign_id: str | None,
    ) -> bool:
        placed = self._connection.execute(
            insert_for(self._connection, coin_entries)
            .values(
                customer_id=customer_id,
                campaign_id=campaign_id,
                coins=coins,
                reason=reason,
                key=key,
                at=at,
            )
            .on_conflict_do_nothing(index_elements=[coin_entries.c.key])
            .returning(coin_entries.c.id)
        ).first()
        return placed is not None

    def _locked(self, customer_id: str) -> tuple[int, int]:
        """The customer's (balance, debt), the row created if need be and held to the commit."""
        self._connection.execute(
            insert_for(self._connection, coin_balances)
            .values(customer_id=customer_id, balance=0, debt=0)
            .on_conflict_do_nothing(index_elements=[coin_balances.c.customer_id])
        )
        row = self._connection.execute(
            select(coin_balances.c.balance, coin_balances.c.debt)
            .where(coin_balances.c.customer_id == customer_id)
            .with_for_update()
        ).one()
        return int(row.balance), int(row.debt)

    def _set(self, customer_id: str, balance: int, debt: int) -> None:
        self._connection.execute(
            update(coin_balances)
            .where(coin_balances.c.customer_id == customer_id)
            .values(balance=balance, debt=debt)
        )

    def earn(
        self,
        customer_id: str,
        coins: int,
        reason: str,
        key: str,
        at: datetime,
        campaign_id: str | None = None,
    ) -> bool:
        if coins <= 0:
            raise ValueError("coins earned are positive")
        if not self._entry(customer_id, coins, reason, key, at, campaign_id):
            return False
        balance, debt = self._locked(customer_id)
        paid = min(debt, coins)
        if paid:
            self._entry(customer_id, -paid, CoinReason.DEBT, f"{key}:debt", at, campaign_id)
        self._set(customer_id, balance + coins - paid, debt - paid)
        return True

    def spend(
        self,
        customer_id: str,
        coins: int,
        reason: str,
        key: str,
        at: datetime,
        campaign_id: str | None = None,
    ) -> bool:
        if coins <= 0:
            raise ValueError("coins spent are positive")
        if not self._entry(customer_id, -coins, reason, key, at, campaign_id):
            return True  # spent by this key before
        balance, debt = self._locked(customer_id)
        if balance < coins:
            raise NotEnoughCoins(f"{customer_id} holds {balance} coins, not {coins}")
        self._set(customer_id, balance - coins, debt)
        return True

    def take_back(
        self,
        customer_id: str,
        coins: int,
        reason: str,
        key: str,
        at: datetime,
        campaign_id: str | None = None,
    ) -> int:
        if coins <= 0:
            return 0
        balance, debt = self._locked(customer_id)
        taken = min(balance, coins)
        if not self._entry(customer_id, -taken, reason, key, at, campaign_id):
            return 0
        self._set(customer_id, balance - taken, debt + coins - taken)
        return taken

    def balance(self, customer_id: str) -> CoinBalance:
        row = self._connection.execute(
            select(coin_balances).where(coin_balances.c.customer_id == customer_id)
        ).one_or_none()
        if row is None:
            return CoinBalance(customer_id)
        return CoinBalance(customer_id, int(row.balance), int(row.debt))

    def entries(self, customer_id: str, limit: int = 100) -> list[CoinEntry]:
        rows = self._connection.execute(
            select(coin_entries)
            .where(coin_entries.c.customer_id == customer_id)
            .order_by(coin_entries.c.id.desc())
            .limit(limit)
        )
        return [
            CoinEntry(r.customer_id, int(r.coins), r.reason, r.key, r.at, r.campaign_id)
            for r in rows
        ]


class SqlCoinLedger:
    """`CoinLedger`: each call in a transaction of its own."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def earn(
        self,
        customer_id: str,
        coins: int,
        reason: str,
        key: str,
        at: datetime,
        campaign_id: str | None = None,
    ) -> bool:
        with self._engine.begin() as connection:
            return SqlCoinBook(connection).earn(customer_id, coins, reason, key, at, campaign_id)

    def spend(
        self,
        customer_id: str,
        coins: int,
        reason: str,
        key: str,
        at: datetime,
        campaign_id: str | None = None,
    ) -> bool:
        try:
            with self._engine.begin() as connection:
                book = SqlCoinBook(connection)
                return book.spend(customer_id, coins, reason, key, at, campaign_id)
        except NotEnoughCoins:
            return False

    def take_back(
        self,
        customer_id: str,
        coins: int,
        reason: str,
        key: str,
        at: datetime,
        campaign_id: str | None = None,
    ) -> int:
        with self._engine.begin() as connection:
            book = SqlCoinBook(connection)
            return book.take_back(customer_id, coins, reason, key, at, campaign_id)

    def balance(self, customer_id: str) -> CoinBalance:
        with self._engine.connect() as connection:
            return SqlCoinBook(connection).balance(customer_id)

    def entries(self, customer_id: str, limit: int = 100) -> list[CoinEntry]:
        with self._engine.connect() as connection:
            return SqlCoinBook(connection).entries(customer_id, limit)
