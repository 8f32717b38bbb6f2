"""Promotions indexed by what they reach, so a cart meets only those that can apply.

A live platform may hold 100,000 promotions; pricing a cart must cost what
the promotions that *reach* it cost. Each promotion is filed under its most
selective key (SKU, then category, then shop); only the few that reach
everything are met by every cart.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from dacu.domain.benefits import Bundle
from dacu.domain.cart import Cart
from dacu.domain.errors import InvalidRule
from dacu.domain.promotions import Promotion


class PromotionCatalog:
    def __init__(self, promotions: Iterable[Promotion]) -> None:
        self._promotions: tuple[Promotion, ...] = tuple(promotions)
        self._by_sku: defaultdict[str, list[int]] = defaultdict(list)
        self._by_category: defaultdict[str, list[int]] = defaultdict(list)
        self._by_shop: defaultdict[str, list[int]] = defaultdict(list)
        self._everywhere: list[int] = []
        seen: set[str] = set()
        self.budgets: dict[str, str] = {
            p.id: p.budget for p in self._promotions if p.budget is not None and p.platform_bp
        }  # promotion id → the campaign budget funding the platform's share
        for position, promotion in enumerate(self._promotions):
            if promotion.id in seen:
                raise InvalidRule(f"promotions[{position}].id", f"{promotion.id} is used twice")
            seen.add(promotion.id)
            self._file(position, promotion)

    def _file(self, position: int, promotion: Promotion) -> None:
        scope = promotion.scope
        if isinstance(promotion.benefit, Bundle):
            self._by_sku[promotion.benefit.skus[0]].append(position)
        elif scope.skus is not None:
            for sku in scope.skus:
                self._by_sku[sku].append(position)
        elif scope.categories is not None:
            for category in scope.categories:
                self._by_category[category].append(position)
        elif scope.shops is not None or promotion.shop is not None:
            for shop in scope.shops if scope.shops is not None else (promotion.shop or "",):
                self._by_shop[shop].append(position)
        else:
            self._everywhere.append(position)

    def without(
        self, budgets: frozenset[str], rules: frozenset[str] = frozenset()
    ) -> "PromotionCatalog":
        """The catalog less the promotions whose platform share those budgets fund (and
        the platform-funded `rules`, whose own or department's line is spent)."""
        return PromotionCatalog(
            p
            for p in self._promotions
            if self.budgets.get(p.id) not in budgets
            and not (p.id in rules and p.id in self.budgets)
        )

    def __len__(self) -> int:
        return len(self._promotions)

    @property
    def promotions(self) -> Sequence[Promotion]:
        return self._promotions

    def reaching(self, cart: Cart) -> list[Promotion]:
        """Promotions that may reach some line of the cart, in list order."""
        positions = set(self._everywhere)
        for line in cart.lines:
            positions.update(self._by_sku.get(line.sku, ()))
            positions.update(self._by_shop.get(line.shop, ()))
            if line.category is not None:
                positions.update(self._by_category.get(line.category, ()))
        return [self._promotions[p] for p in sorted(positions)]
