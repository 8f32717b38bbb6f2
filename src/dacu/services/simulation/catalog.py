"""The synthetic marketplace: shops in four categories, their SKUs and campaign prices.

Prices are in fen. A SKU with a campaign price is enrolled by its merchant;
one shop falls short of the campaign's eligibility (its rating), and one
enrollment cuts its price too little for the operator to approve — so the
simulation walks every branch of enrollment and review.
"""

from dataclasses import dataclass

from dacu.domain import goods
from dacu.domain.enrollment import Merchant
from dacu.domain.types import FULL_BP, Bp, Fen

MIN_CUT_BP: Bp = 500
"""The operator approves a campaign price only at least 5% below the list price."""


@dataclass(frozen=True, slots=True)
class Shop:
    shop: str
    category: str
    verified: bool
    rating_bp: Bp

    def merchant(self) -> Merchant:
        return Merchant(self.shop, self.verified, self.rating_bp, None, (self.category,))

    def in_catalog(self) -> goods.Shop:
        return goods.Shop(self.shop, f"m-{self.shop}", self.shop)


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    shop: str
    category: str
    list_price: Fen
    campaign_price: Fen | None  # enrolled at this price; None: sold at list price
    popularity: int  # relative weight among the category's SKUs

    def in_catalog(self) -> goods.Sku:
        """The SKU as its merchant lists it (costing 60% of its list price)."""
        cost = self.list_price * 6 // 10
        return goods.Sku(self.sku, self.shop, self.category, self.sku, self.list_price, cost)

    @property
    def cut_bp(self) -> Bp:
        if self.campaign_price is None:
            return 0
        return (self.list_price - self.campaign_price) * FULL_BP // self.list_price


SHOPS = (
    Shop("north-wear", "apparel", True, 9400),
    Shop("home-electric", "appliances", True, 9600),
    Shop("digital-flagship", "digital", True, 9700),
    Shop("glow-beauty", "beauty", True, 9300),
    Shop("quick-gadgets", "digital", True, 8600),  # rated below the bar: may not enroll
)

PRODUCTS = (
    Product("A-COAT", "north-wear", "apparel", 45900, 39900, 10),
    Product("A-SCARF", "north-wear", "apparel", 12900, 9900, 8),
    Product("A-DOWN", "north-wear", "apparel", 89900, 69900, 6),
    Product("A-KNIT", "north-wear", "apparel", 29900, None, 5),
    Product("H-TV", "home-electric", "appliances", 459900, 399900, 4),
    Product("H-FRIDGE", "home-electric", "appliances", 329900, 289900, 3),
    Product("H-FRYER", "home-electric", "appliances", 49900, 39900, 7),
    Product("H-VACUUM", "home-electric", "appliances", 199900, 169900, 4),
    Product("P-PHONE", "digital-flagship", "digital", 399900, 379900, 9),
    Product("E-BUDS", "digital-flagship", "digital", 29900, 24900, 8),
    Product("P-TABLET", "digital-flagship", "digital", 259900, 229900, 3),
    Product("P-WATCH", "digital-flagship", "digital", 159900, None, 3),
    Product("B-CREAM", "glow-beauty", "beauty", 15900, 12900, 9),
    Product("B-SERUM", "glow-beauty", "beauty", 39900, 32900, 8),
    Product("B-LIPSTICK", "glow-beauty", "beauty", 12900, 9900, 7),
    Product("B-MASK", "glow-beauty", "beauty", 9900, 9800, 6),  # a 1% cut: rejected
    Product("G-CHARGER", "quick-gadgets", "digital", 9900, 8900, 4),
    Product("G-CABLE", "quick-gadgets", "digital", 3900, None, 4),
)

BY_SKU = {product.sku: product for product in PRODUCTS}
CATEGORIES = ("apparel", "digital", "beauty", "appliances")
CATEGORY_WEIGHTS = (32, 26, 24, 18)
IN_CATEGORY = {
    category: tuple(p for p in PRODUCTS if p.category == category) for category in CATEGORIES
}
