"""The catalog as its services keep it: shops, SKUs, and a revision that moves on change."""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from dacu.domain.goods import Shop, Sku, SkuStatus


class GoodsStore(Protocol):
    def put_shop(self, shop: Shop, now: datetime) -> None:
        """Open the shop, or rename it; NotYourShop if another merchant runs that id."""
        ...

    def shop(self, shop_id: str) -> Shop:
        """UnknownShop if there is none."""
        ...

    def shops(self, merchant: str | None = None) -> list[Shop]:
        """The merchant's shops (every shop for None), by id."""
        ...

    def put_skus(self, skus: Sequence[Sku], now: datetime) -> int:
        """Write every SKU, with its stock where it tracks one, in one transaction, or
        none: NotYourShop (naming it) if one already belongs to another shop. Returns
        the catalog's new revision."""
        ...

    def skus(
        self,
        of_shops: Collection[str] | None = None,
        limit: int = 1000,
        categories: Collection[str] | None = None,
        status: SkuStatus | None = None,
    ) -> list[Sku]:
        """The SKUs of the shops (all for None), by id, with their stock; only those in
        `categories` and of `status` when they are given."""
        ...

    def get_many(self, sku_ids: Collection[str]) -> dict[str, Sku]:
        """The SKUs among `sku_ids` that exist (stock not read)."""
        ...

    def revision(self) -> int:
        """The catalog's revision: it moves whenever a SKU is written."""
        ...

    def changed_since(self, revision: int) -> tuple[int, list[Sku]]:
        """The revision now and every SKU written after `revision` (stock not read)."""
        ...
