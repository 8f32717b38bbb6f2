from dacu.domain import benefits as b
from dacu.domain.pricing import PromotionCatalog
from dacu.domain.promotions import Promotion
from dacu.domain.rules import Level, Scope
from tests.unit.builders import cart, line


def _item(pid: str, **scope: frozenset[str]) -> Promotion:
    return Promotion(pid, Level.ITEM, b.PercentOff(1000), scope=Scope(**scope))


def test_a_cart_meets_only_the_promotions_that_can_reach_it():
    catalog = PromotionCatalog(
        [
            _item("on-sku", skus=frozenset({"A"})),
            _item("other-sku", skus=frozenset({"Z"})),
            _item("on-category", categories=frozenset({"apparel"})),
            _item("other-category", categories=frozenset({"food"})),
            Promotion("own-shop", Level.SHOP, b.ThresholdOff((b.OffTier(100, 10),)), shop="s1"),
            Promotion("other-shop", Level.SHOP, b.ThresholdOff((b.OffTier(100, 10),)), shop="s9"),
            Promotion("everywhere", Level.PLATFORM, b.ThresholdOff((b.OffTier(100, 10),))),
        ]
    )
    reached = [p.id for p in catalog.reaching(cart(line("A", 1000, category="apparel")))]
    assert reached == ["on-sku", "on-category", "own-shop", "everywhere"]


def test_promotion_ids_must_be_unique():
    import pytest

    from dacu.domain.errors import InvalidRule

    with pytest.raises(InvalidRule, match=r"promotions\[1\]\.id"):
        PromotionCatalog([_item("p"), _item("p")])
