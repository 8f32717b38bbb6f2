"""The catalog (商品库): merchants keep their own shops' SKUs; carts are priced from it.

Merchants write only their own shops' SKUs (one at a time, or a whole import
in one transaction: every row or none); operators write any. Stock set with a
SKU is written with it, and any copy of the figure elsewhere (Redis) dropped.

Pricing asks `lines` for a cart's lines: each process keeps the SKUs it has
seen, checks the catalog's revision at most every `check_every` (and at once
after its own writes), and drops what moved — so a price changed in one
process is used by every other within that time.
"""

import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime

from dacu.domain.cart import Cart, CartLine, CartMode
from dacu.domain.categories import CategoryTree
from dacu.domain.errors import InvalidRule
from dacu.domain.goods import (
    Shop,
    Sku,
    SkuStatus,
    UnknownShop,
    UnknownSku,
    check_owner,
    lines_of,
    visible,
)
from dacu.services.ports.goods import GoodsStore
from dacu.services.ports.stock import StockReservations

Clock = Callable[[], datetime]

CHECK_EVERY = 0.25
"""Seconds between checks of the catalog's revision in one process."""

KEPT = 200_000
"""SKUs a process keeps, at most."""


class GoodsService:
    def __init__(
        self,
        store: GoodsStore,
        stock: StockReservations,
        clock: Clock,
        categories: CategoryTree,
        check_every: float = CHECK_EVERY,
    ) -> None:
        self._store, self._stock, self._clock = store, stock, clock
        self.categories = categories
        self._check_every = check_every
        self._kept: dict[str, Sku] = {}
        self._revision = -1
        self._checked = 0.0
        self._lock = threading.Lock()

    def open_shop(self, shop: Shop, merchant: str | None = None) -> Shop:
        """Open (or rename) a shop; a merchant may only open their own."""
        check_owner(shop, merchant)
        self._store.put_shop(shop, self._clock())
        return shop

    def shops(self, merchant: str | None = None) -> list[Shop]:
        return self._store.shops(merchant)

    def shop(self, shop_id: str) -> Shop:
        """UnknownShop if there is none."""
        return self._store.shop(shop_id)

    def visible_shop(self, shop_id: str, merchant: str | None = None) -> Shop:
        """The shop, if the merchant (None: an operator) may see it: someone else's is
        UnknownShop, as if it did not exist."""
        shop = self._store.shop(shop_id)
        if not visible(shop, merchant):
            raise UnknownShop(shop_id)
        return shop

    def sku(self, sku_id: str, merchant: str | None = None) -> Sku:
        """One SKU as stored, with its stock now; UnknownSku if there is none or it is
        another merchant's."""
        found = self._store.get_many([sku_id]).get(sku_id)
        if found is None or not visible(self._store.shop(found.shop), merchant):
            raise UnknownSku(sku_id)
        return replace(found, stock=self._stock.available(sku_id))

    def put(self, batch: Sequence[Sku], merchant: str | None = None) -> int:
        """Write the SKUs (one, or an import's every row) in one transaction; a merchant
        only into shops they run, each SKU in a category of the tree (InvalidRule naming
        `category`). Returns the catalog's revision after the write."""
        for sku in batch:
            self.categories.check(sku.category)
        for shop_id in sorted({sku.shop for sku in batch}):
            check_owner(self._store.shop(shop_id), merchant)
        revision = self._store.put_skus(batch, self._clock())
        self._stock.forget([sku.id for sku in batch if sku.stock is not None])
        with self._lock:
            for sku in batch:
                self._kept.pop(sku.id, None)
        return revision

    def listing(
        self,
        shops: Collection[str] | None = None,
        limit: int = 1000,
        category: str | None = None,
        status: SkuStatus | None = None,
    ) -> list[Sku]:
        """The SKUs of `shops` (every shop for None) with their stock, by id; only those
        in `category` or under it, and of `status`, when they are given."""
        within = None if category is None else self.categories.below(category)
        return self._store.skus(shops, limit, within, status)

    def cart(self, wanted: Sequence[tuple[str, int]], mode: str = "normal") -> Cart:
        """The cart of these (SKU, qty) at the catalog's prices; InvalidRule naming the
        line (`cart.items[2].sku`) for an unknown or off-shelf SKU."""
        try:
            return Cart(tuple(self.lines(wanted)), CartMode(mode))
        except InvalidRule as error:
            inside = (error.field or "").startswith("cart")
            raise error if inside else error.within("cart") from None

    def lines(self, wanted: Sequence[tuple[str, int]], field: str = "cart.items") -> list[CartLine]:
        """Cart lines at the catalog's prices; an unknown or off-shelf SKU is refused,
        naming its line (`cart.items[2].sku`)."""
        found = self.skus({sku for sku, _ in wanted})
        return lines_of(wanted, found, self.categories, field)

    def skus(self, sku_ids: Collection[str]) -> dict[str, Sku]:
        """The SKUs among `sku_ids` that exist, as this process knows them (stock not read)."""
        self._refresh()
        found = {i: self._kept[i] for i in sku_ids if i in self._kept}
        missing = [i for i in sku_ids if i not in found]
        if missing:
            loaded = self._store.get_many(missing)
            with self._lock:
                if len(self._kept) + len(loaded) > KEPT:
                    self._kept.clear()
                self._kept.update(loaded)
            found.update(loaded)
        return found

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < self._check_every:
            return
        with self._lock:
            if now - self._checked < self._check_every:
                return
            changed: list[Sku] = []
            if self._revision < 0:  # the first look: nothing kept yet
                revision = self._store.revision()
            else:
                revision, changed = self._store.changed_since(self._revision)
            if revision < self._revision:
                self._kept.clear()  # a catalog rebuilt from scratch
            for sku in changed:
                self._kept.pop(sku.id, None)
            self._revision, self._checked = revision, now
