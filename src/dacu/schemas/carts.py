"""Carts as a storefront sends them: SKUs and quantities, nothing the server knows better.

A price, shop, category or any fact about the customer in the body is refused
with a 422 naming the field — not ignored, so a client that still sends them
learns at once that they are not trusted.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dacu.schemas.bounds import Id, Qty

MAX_LINES = 500


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class SkuLineIn(Strict):
    sku: Id
    qty: Qty


class SkuCartIn(Strict):
    mode: Literal["normal", "group"] = "normal"
    items: list[SkuLineIn] = Field(min_length=1, max_length=MAX_LINES)

    def wanted(self) -> list[tuple[str, int]]:
        return [(item.sku, item.qty) for item in self.items]
