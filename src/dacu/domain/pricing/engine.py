"""Price a cart: item → shop → platform layers, the best wallet choice, exclusives.

`price` is a pure function of its arguments: the same cart, catalog, wallet
and moment always give the same result, to the fen. Every threshold is tested
on the running amount after all earlier steps; exclusive offers are priced
alone on list prices and win only when strictly cheaper than the stack.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from dacu.domain.cart import Cart, Customer
from dacu.domain.errors import InvalidRule
from dacu.domain.money import yuan
from dacu.domain.pricing.catalog import PromotionCatalog
from dacu.domain.pricing.choice import choose
from dacu.domain.pricing.hints import hints_for
from dacu.domain.pricing.items import price_items
from dacu.domain.pricing.ledger import Applied, base_of, take
from dacu.domain.pricing.offers import Offers, WalletReach, gather
from dacu.domain.pricing.result import GiftLine, Hint, PriceResult, build_result
from dacu.domain.pricing.selection import Choice
from dacu.domain.pricing.steps import (
    apply_best_threshold,
    apply_bundles,
    apply_packets,
    apply_platform_thresholds,
    gifts_reached,
)
from dacu.domain.pricing.trace import Note, Trace
from dacu.domain.promotions import Promotion
from dacu.domain.rules import Level
from dacu.domain.types import Fen
from dacu.domain.wallet import WalletItem


@dataclass(frozen=True, slots=True)
class _Stack:
    """One way of pricing the cart, before funding is split."""

    offers: Offers
    amounts: tuple[Fen, ...]
    applied: tuple[Applied, ...]
    used: tuple[str, ...]
    gifts: tuple[GiftLine, ...]
    warnings: tuple[str, ...]
    trace: Trace

    @property
    def payable(self) -> Fen:
        return sum(self.amounts)


_Alone = tuple[Promotion, _Stack]  # an exclusive offer and its price alone


def price(
    cart: Cart,
    customer: Customer,
    promotions: PromotionCatalog | Iterable[Promotion],
    wallet: Sequence[WalletItem],
    now: datetime,
    *,
    explain: bool = False,
) -> PriceResult:
    """The lowest legal payable for `cart`, every discount apportioned and funded.

    With `explain`, the result's notes say why each rule applied or not.
    """
    catalog = (
        promotions if isinstance(promotions, PromotionCatalog) else PromotionCatalog(promotions)
    )
    _check_wallet_ids(wallet)
    skipped = Trace(explaining=explain)
    offers = gather(cart, customer, catalog.reaching(cart), wallet, now, trace=skipped)
    normal = _price_stack(cart, customer, offers, explain)
    # Exclusive offers are priced alone on list prices, with nothing else.
    alone = [
        (
            p,
            _price_stack(
                cart, customer, gather(cart, customer, [p], (), now, with_exclusive=True), explain
            ),
        )
        for p in offers.exclusives
    ]
    best = _cheapest_exclusive(normal, alone)
    chosen = best[1] if best else normal
    notes, hints = _why_and_hints(normal, alone, best, explain)
    return build_result(
        cart,
        chosen.applied,
        exclusive=best[0].id if best else None,
        used=chosen.used,
        gifts=chosen.gifts,
        hints=hints,
        warnings=chosen.warnings,
        notes=[*skipped.notes, *notes],
    )


def _cheapest_exclusive(normal: _Stack, alone: Sequence[_Alone]) -> _Alone | None:
    """The exclusive offer priced alone that is strictly cheaper than the stack, if any."""
    best: _Alone | None = None
    for promotion, stack in alone:
        if stack.payable < (best[1] if best else normal).payable:
            best = (promotion, stack)
    return best


def _why_and_hints(
    normal: _Stack, alone: Sequence[_Alone], best: _Alone | None, explain: bool
) -> tuple[list[Note], list[Hint]]:
    """The chosen way's notes and hints, with what the losing ways would have done."""
    chosen = best[1] if best else normal
    notes = list(chosen.trace.notes)
    if best is not None:  # the stack lost to an exclusive offer: say what it would have done
        notes += [
            Note(n.layer, n.rule, False, f"not with {best[0].id}; in the normal stack: {n.reason}")
            for n in normal.trace.notes
        ]
    hints = hints_for(chosen.offers, chosen.trace)
    for promotion, stack in alone:
        wins = best is not None and promotion is best[0]
        if explain:
            notes.append(
                Note(
                    "exclusive",
                    promotion.id,
                    wins,
                    f"priced alone: {yuan(stack.payable)}; "
                    f"the normal stack: {yuan(normal.payable)}",
                )
            )
        if best is None:
            hints.extend(hints_for(stack.offers, stack.trace))
    return notes, hints


def _check_wallet_ids(wallet: Sequence[WalletItem]) -> None:
    seen: set[str] = set()
    for position, item in enumerate(wallet):
        if item.id in seen:
            raise InvalidRule(f"wallet[{position}].id", f"{item.id} is used twice")
        seen.add(item.id)


def _price_stack(cart: Cart, customer: Customer, offers: Offers, explain: bool) -> _Stack:
    trace = Trace(explaining=explain)
    amounts, applied, warnings, gifts = price_before_wallet(cart, customer, offers, trace)
    choice = choose(cart, offers, amounts)
    applied, used = _replay(cart, offers, amounts, applied, choice, gifts, trace)
    return _Stack(
        offers=offers,
        amounts=tuple(amounts),
        applied=tuple(applied),
        used=tuple(item.id for item in used),
        gifts=tuple(gifts),
        warnings=tuple(warnings),
        trace=trace,
    )


def price_before_wallet(
    cart: Cart, customer: Customer, offers: Offers, trace: Trace | None
) -> tuple[list[Fen], list[Applied], list[str], list[GiftLine]]:
    """The item layer, then each shop's bundles and best threshold: all before the wallet."""
    items = price_items(cart, customer, offers.item, trace)
    amounts = items.amounts
    applied = list(items.applied)
    gifts = _gifts(cart, offers, Level.ITEM, amounts, trace)
    for shop in cart.shops:
        applied += apply_bundles(offers.bundles.get(shop, ()), items.units, amounts, trace)
        taken = apply_best_threshold(
            cart, offers.shop_thresholds.get(shop, ()), amounts, "shop", trace
        )
        if taken is not None:
            applied.append(taken)
    return amounts, applied, items.warnings, gifts


def _replay(
    cart: Cart,
    offers: Offers,
    amounts: list[Fen],
    applied: list[Applied],
    choice: Choice,
    gifts: list[GiftLine],
    trace: Trace,
) -> tuple[list[Applied], list[WalletItem]]:
    """Apply the chosen wallet items step by step, noting what each rule saw.

    The search only kept the winner's numbers; this pass walks the same steps
    again so that gifts, hints and --explain see the running amounts at each.
    """
    chosen = {item.id for item in choice.used}
    used: list[WalletItem] = []
    for shop in cart.shops:
        for reach in offers.shop_coupons.get(shop, ()):
            _measure_wallet(cart, amounts, reach.item.id, reach.lines, trace)
        for reach in offers.shop_coupons.get(shop, ()):
            if reach.item.id in chosen:
                applied.append(_take_shop_coupon(amounts, reach, choice))
                used.append(reach.item)
    gifts += _gifts(cart, offers, Level.SHOP, amounts, trace)
    applied += apply_platform_thresholds(cart, offers.platform_thresholds, amounts, trace)
    for reach in offers.platform_coupons:
        _measure_wallet(cart, amounts, reach.item.id, reach.lines, trace)
    for reach in offers.platform_coupons:
        if reach.item.id in chosen:
            discount = reach.item.discount(base_of(amounts, reach.lines))
            applied.append(
                take(amounts, reach.lines, discount, reach.item.id, reach.item.platform_bp)
            )
            used.append(reach.item)
    before = {}
    for reach in offers.red_packets:
        before[reach.item.id] = base_of(amounts, reach.lines)
        _measure_wallet(cart, amounts, reach.item.id, reach.lines, trace)
    packets = [reach for reach in offers.red_packets if reach.item.id in chosen]
    taken = apply_packets(packets, before, amounts)
    applied += taken.values()
    used += [reach.item for reach in packets if reach.item.id in taken]
    assert sum(amounts) == choice.payable, "the replay must land where the search did"
    shop_coupons = [reach for shop in cart.shops for reach in offers.shop_coupons.get(shop, ())]
    if trace.explaining:
        for reach in (*shop_coupons, *offers.platform_coupons, *offers.red_packets):
            _note_wallet(reach.item, reach.item.id in chosen, choice.payable, trace)
    gifts += _gifts(cart, offers, Level.PLATFORM, amounts, trace)
    return applied, used


def _take_shop_coupon(amounts: list[Fen], reach: WalletReach, choice: Choice) -> Applied:
    """The chosen shop coupon off its lines, as the search already split it if it did."""
    known = choice.shop_shares.get(reach.item.id)
    if known is None:
        discount = reach.item.discount(base_of(amounts, reach.lines))
        return take(amounts, reach.lines, discount, reach.item.id, reach.item.platform_bp)
    for i, share in known.shares:
        amounts[i] -= share
    return known


def _measure_wallet(
    cart: Cart, amounts: Sequence[Fen], rule: str, lines: Sequence[int], trace: Trace
) -> None:
    trace.measure(rule, base_of(amounts, lines), 0, 0)


def _note_wallet(item: WalletItem, used: bool, payable: Fen, trace: Trace) -> None:
    base = trace.measures[item.id].base
    if used:
        reason = f"in the best set; tested on {yuan(base)}"
    elif base < item.threshold:
        reason = f"threshold {yuan(item.threshold)} not reached: {yuan(base)}"
    else:
        reason = f"usable, but the best set, paying {yuan(payable)}, does without it"
    trace.note("wallet", item.id, used, reason)


def _gifts(
    cart: Cart, offers: Offers, level: Level, amounts: Sequence[Fen], trace: Trace | None
) -> list[GiftLine]:
    reaches = [reach for reach in offers.gifts if reach.rule.level is level]
    return [GiftLine(*found) for found in gifts_reached(cart, reaches, amounts, trace)]
