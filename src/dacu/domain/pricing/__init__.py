"""The pricing engine: `price` a cart against a promotion catalog and a wallet."""

from dacu.domain.pricing.catalog import PromotionCatalog
from dacu.domain.pricing.engine import price
from dacu.domain.pricing.result import Hint, LineDiscount, PricedLine, PriceResult

__all__ = ["Hint", "LineDiscount", "PriceResult", "PricedLine", "PromotionCatalog", "price"]
