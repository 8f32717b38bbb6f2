"""Coin redemptions in SQL (`RedemptionStore` port): in one transaction the redemption's
key is placed (once per customer and Idempotency-Key), the coins spent on the
customer's locked balance row, the per-customer and stock counters raised by
conditional upserts, the budget line drawn by its conditional upsert, and the
rewards recorded. Any refusal rolls all of it back; a lost race on the key reads
the winner's redemption."""

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.coin_store import SqlCoinBook
from dacu.adapters.reward_store import record_on
from dacu.adapters.sql import count_up_to, insert_for
from dacu.adapters.tables import (
    budget_draws,
    redemption_counts,
    redemption_stock,
    redemptions,
    rewards,
)
from dacu.domain.budgets import BudgetSpent
from dacu.domain.coins import CoinReason
from dacu.domain.errors import IdempotencyConflict
from dacu.domain.redemption import ItemSoldOut, Redeemed, RedemptionLimitReached
from dacu.domain.rewards import Grant
from dacu.domain.types import Fen
from dacu.services.ports.fulfilment_redemptions import RedemptionAsk


def reward_keys(redemption_id: str, qty: int) -> list[str]:
    return [f"redemption:{redemption_id}:{n}" for n in range(qty)]


class SqlRedemptions:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def redeem(self, ask: RedemptionAsk) -> tuple[Redeemed, bool]:
        with self._engine.begin() as connection:
            if self._place(connection, ask):
                self._take(connection, ask)
                for key, reward_id in zip(
                    reward_keys(ask.id, ask.qty), ask.reward_ids, strict=True
                ):
                    grant = Grant(
                        ask.item.reward, ask.customer_id, ask.campaign_id, key, ask.at, "redemption"
                    )
                    record_on(connection, grant, reward_id, ask.status)
                made = self._redeemed(connection, ask.key)
                assert made is not None
                return made, True
        found = self.find(ask.key)
        assert found is not None  # placed by the racing request
        if (found.item_id, found.qty, found.campaign_id) != (ask.item.id, ask.qty, ask.campaign_id):
            raise IdempotencyConflict(
                "this Idempotency-Key was used for another redemption", "Idempotency-Key"
            )
        return found, False

    def _place(self, connection: Connection, ask: RedemptionAsk) -> bool:
        placed = connection.execute(
            insert_for(connection, redemptions)
            .values(
                id=ask.id,
                key=ask.key,
                customer_id=ask.customer_id,
                campaign_id=ask.campaign_id,
                item_id=ask.item.id,
                qty=ask.qty,
                coins=ask.item.coins * ask.qty,
                value=ask.item.reward.value * ask.qty,
                held=ask.status.value == "held",
                at=ask.at,
            )
            .on_conflict_do_nothing(index_elements=[redemptions.c.key])
            .returning(redemptions.c.id)
        ).first()
        return placed is not None

    def _take(self, connection: Connection, ask: RedemptionAsk) -> None:
        item, qty = ask.item, ask.qty
        SqlCoinBook(connection).spend(  # NotEnoughCoins: all rolls back
            ask.customer_id,
            item.coins * qty,
            CoinReason.REDEMPTION,
            f"redemption:{ask.id}",
            ask.at,
            ask.campaign_id,
        )
        if item.per_customer is not None:
            mine = {"campaign_id": ask.campaign_id, "item_id": item.id}
            mine["customer_id"] = ask.customer_id
            if not count_up_to(
                connection, redemption_counts, mine, "taken", qty, item.per_customer
            ):
                raise RedemptionLimitReached(item.id)
        counter = {"campaign_id": ask.campaign_id, "item_id": item.id}
        if not count_up_to(connection, redemption_stock, counter, "taken", qty, item.stock):
            raise ItemSoldOut(item.id)
        value = item.reward.value * qty
        if value and not SqlBudgets(connection).draw(ask.line, value, ask.line_budget):
            raise BudgetSpent([ask.line])

    def find(self, key: str) -> Redeemed | None:
        with self._engine.connect() as connection:
            return self._redeemed(connection, key)

    def _redeemed(self, connection: Connection, key: str) -> Redeemed | None:
        row = connection.execute(select(redemptions).where(redemptions.c.key == key)).first()
        if row is None:
            return None
        keys = reward_keys(row.id, int(row.qty))
        ids = dict(
            connection.execute(
                select(rewards.c.key, rewards.c.id).where(rewards.c.key.in_(keys))
            ).all()
        )
        return Redeemed(
            id=row.id,
            campaign_id=row.campaign_id,
            customer_id=row.customer_id,
            item_id=row.item_id,
            qty=int(row.qty),
            coins=int(row.coins),
            value=int(row.value),
            rewards=tuple(ids[k] for k in keys if k in ids),
            held=bool(row.held),
        )

    def taken(self, campaign_id: str) -> dict[str, int]:
        query = select(redemption_stock.c.item_id, redemption_stock.c.taken).where(
            redemption_stock.c.campaign_id == campaign_id
        )
        with self._engine.connect() as connection:
            return {item: int(n) for item, n in connection.execute(query).all()}

    def drawn(self, line: str) -> Fen:
        query = select(budget_draws.c.drawn).where(budget_draws.c.campaign_id == line)
        with self._engine.connect() as connection:
            found = connection.execute(query).scalar_one_or_none()
        return int(found or 0)
