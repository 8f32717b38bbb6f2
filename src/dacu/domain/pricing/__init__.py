"""The pricing engine: `price` a cart against a promotion catalog and a wallet."""

from dacu.domain.pricing.catalog import PromotionCatalog
from dacu.domain.pricing.engine import price
from dacu.domain.pricing.result import Hint, PricedLine, PriceResult, Share

__all__ = ["Hint", "PriceResult", "PricedLine", "PromotionCatalog", "Share", "price"]
