"""Shops and SKUs in SQL. A SKU's owner is fixed by an upsert that only updates a row of
the same shop, so two merchants racing for one id never both win; every write moves the
catalog's revision in the same transaction, so caches see it at once."""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from dacu.adapters.sql import insert_for, put_row
from dacu.adapters.tables import goods_revision, shops, skus, stock
from dacu.domain.goods import NotYourShop, Shop, Sku, SkuStatus, UnknownShop


class SqlGoodsStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put_shop(self, shop: Shop, now: datetime) -> None:
        with self._engine.begin() as connection:
            upsert = (
                insert_for(connection, shops)
                .values(id=shop.id, merchant=shop.merchant, name=shop.name, created_at=now)
                .on_conflict_do_update(
                    index_elements=[shops.c.id],
                    set_={"name": shop.name},
                    where=shops.c.merchant == shop.merchant,
                )
                .returning(shops.c.id)
            )
            if connection.execute(upsert).first() is None:
                raise NotYourShop(f"shop {shop.id} is run by another merchant", "shop")

    def shop(self, shop_id: str) -> Shop:
        with self._engine.connect() as connection:
            row = connection.execute(select(shops).where(shops.c.id == shop_id)).first()
        if row is None:
            raise UnknownShop(shop_id)
        return Shop(row.id, row.merchant, row.name)

    def shops(self, merchant: str | None = None) -> list[Shop]:
        query = select(shops).order_by(shops.c.id)
        if merchant is not None:
            query = query.where(shops.c.merchant == merchant)
        with self._engine.connect() as connection:
            return [Shop(r.id, r.merchant, r.name) for r in connection.execute(query)]

    def put_skus(self, batch: Sequence[Sku], now: datetime) -> int:
        with self._engine.begin() as connection:
            revision = _next_revision(connection)
            for sku in batch:
                _put_sku(connection, sku, revision, now)
                if sku.stock is not None:
                    put_row(connection, stock, {"sku": sku.id}, {"available": sku.stock})
        return revision

    def skus(
        self,
        of_shops: Collection[str] | None = None,
        limit: int = 1000,
        categories: Collection[str] | None = None,
        status: SkuStatus | None = None,
    ) -> list[Sku]:
        query = (
            select(skus, stock.c.available)
            .outerjoin(stock, stock.c.sku == skus.c.id)
            .order_by(skus.c.id)
            .limit(limit)
        )
        if of_shops is not None:
            query = query.where(skus.c.shop.in_(list(of_shops)))
        if categories is not None:
            query = query.where(skus.c.category.in_(list(categories)))
        if status is not None:
            query = query.where(skus.c.status == status.value)
        with self._engine.connect() as connection:
            return [_sku(row, row.available) for row in connection.execute(query)]

    def get_many(self, sku_ids: Collection[str]) -> dict[str, Sku]:
        if not sku_ids:
            return {}
        with self._engine.connect() as connection:
            rows = connection.execute(select(skus).where(skus.c.id.in_(list(sku_ids))))
            return {row.id: _sku(row) for row in rows}

    def revision(self) -> int:
        with self._engine.connect() as connection:
            return int(connection.scalar(select(goods_revision.c.revision)) or 0)

    def changed_since(self, revision: int) -> tuple[int, list[Sku]]:
        with self._engine.connect() as connection:
            now = int(connection.scalar(select(goods_revision.c.revision)) or 0)
            if now == revision:
                return now, []
            rows = connection.execute(
                select(skus).where(skus.c.revision > revision, skus.c.revision <= now)
            )
            return now, [_sku(row) for row in rows]


def _next_revision(connection: Connection) -> int:
    """Move the catalog's revision (the row lock queues writers; readers never wait)."""
    moved = connection.execute(
        update(goods_revision)
        .where(goods_revision.c.id == 1)
        .values(revision=goods_revision.c.revision + 1)
        .returning(goods_revision.c.revision)
    ).scalar_one()
    return int(moved)


def _put_sku(connection: Connection, sku: Sku, revision: int, now: datetime) -> None:
    values = {
        "shop": sku.shop,
        "category": sku.category,
        "title": sku.title,
        "list_price": sku.list_price,
        "cost_price": sku.cost_price,
        "status": sku.status.value,
        "size_class": sku.size_class,
        "revision": revision,
        "updated_at": now,
    }
    upsert = (
        insert_for(connection, skus)
        .values(id=sku.id, **values)
        .on_conflict_do_update(
            index_elements=[skus.c.id], set_=values, where=skus.c.shop == sku.shop
        )
        .returning(skus.c.id)
    )
    if connection.execute(upsert).first() is None:
        raise NotYourShop(f"SKU {sku.id} belongs to another shop", "sku")


def _sku(row: Any, available: int | None = None) -> Sku:
    return Sku(
        row.id,
        row.shop,
        row.category,
        row.title,
        int(row.list_price),
        int(row.cost_price),
        SkuStatus(row.status),
        None if available is None else int(available),
        row.size_class or "",
    )
