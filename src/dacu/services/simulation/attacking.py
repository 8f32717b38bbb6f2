"""The attack set carried out: each group's deeds through the same services the honest
crowd uses, on the run's virtual clock, each with the identity its requests would carry.

`Attacks.steps()` gives the run its timed steps; `Attacks.score()` reads, after the
run, what each kind got (coupons in its wallets, coins kept, flash units paid at the
flash price, the platform's share of its orders) against what it tried to take, and
the risk check's decisions about each account (`Verdicts`).
"""

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from dacu.domain.acquisition import SignUpCodes
from dacu.domain.campaigns import Campaign
from dacu.domain.coupons import Claimant, ClaimRefused
from dacu.domain.errors import DomainError
from dacu.domain.growth import Growth
from dacu.domain.orders import OrderStatus
from dacu.domain.payments import PaymentUnavailable
from dacu.domain.risk import Action
from dacu.domain.types import Fen
from dacu.services.simulation.attack_score import Score, score
from dacu.services.simulation.attackers import Actor, Group, GroupKind
from dacu.services.simulation.flash import FlashTerms
from dacu.services.simulation.ports import World
from dacu.services.simulation.screening import Screen, identity_of
from dacu.services.simulation.verdicts import Verdicts

Step = tuple[datetime, Callable[[datetime], None]]
HOARDED = "warm-up-300-30"  # the platform coupon hoarders claim (and honest groups too)
BRUSHING_SHOP = "north-wear"  # the brushing ring's own shop …
BRUSHED = "A-DOWN"  # a brushing ring's purchase from its own shop (满300减50 platform-funded)
ABUSED = "B-SERUM"  # a refund abuser's purchase
HONEST_BUY = "B-CREAM"
GAP = timedelta(minutes=3)
SHARED_GAP = timedelta(hours=6)  # a sharer's friends join one by one, four a day
REFUND_AFTER = timedelta(hours=2)


class Attacks:
    def __init__(
        self,
        world: World,
        groups: tuple[Group, ...],
        terms: FlashTerms | None,
        campaign: Campaign,
        starts_at: datetime,
        verdicts: Verdicts,
        crowd: int = 0,
    ) -> None:
        self._world, self._groups, self._terms = world, groups, terms
        self._campaign, self._starts_at, self._verdicts = campaign, starts_at, verdicts
        self.tried: Counter[GroupKind] = Counter()
        self._orders: dict[str, list[str]] = {}  # account -> its paid orders
        self.tally: Counter[str] = Counter()
        self._crowd = crowd  # the honest shoppers beside the groups
        self._screen = Screen(world.risk, campaign.id, world.risk_deeds, world.risk_links)

    @property
    def actors(self) -> list[Actor]:
        return [actor for group in self._groups for actor in group.members]

    # --- the steps ----------------------------------------------------------------------

    def steps(self) -> Iterator[Step]:
        warm = self._starts_at + timedelta(hours=2)
        burst = self._starts_at + timedelta(days=3, hours=10)  # 11-11 10:00
        for g, group in enumerate(self._groups):
            start = warm + g * timedelta(minutes=20)
            if group.kind is GroupKind.BRUSHING_RING:
                yield start - GAP, partial(self._merchant, group)
            gap = SHARED_GAP if group.kind is GroupKind.SHARER else GAP
            for i, actor in enumerate(group.members):
                yield start + i * gap, self._joining(group, i)
                yield from self._deeds(group, actor, i, start + i * gap, burst + g * GAP)

    def _deeds(
        self, group: Group, actor: Actor, i: int, joined: datetime, burst: datetime
    ) -> Iterator[Step]:
        kind = group.kind
        if kind in (GroupKind.COUPON_HOARD, GroupKind.HOUSEHOLD, GroupKind.OFFICE):
            yield joined + GAP, lambda now: self._claim(actor, HOARDED, now)
        if kind is GroupKind.SCALPER_RING and self._terms is not None:
            yield (
                self._terms.sale.starts_at + i * timedelta(seconds=1),
                lambda now: self._flash(actor, now),
            )
        if kind is GroupKind.BRUSHING_RING:
            yield burst + i * GAP, lambda now: self._buy(actor, BRUSHED, 1, now)
        if kind is GroupKind.REFUND_ABUSE:
            yield burst + i * GAP, lambda now: self._buy(actor, ABUSED, 1, now)
            yield burst + i * GAP + REFUND_AFTER, lambda now: self._refund(actor, now)
        if (kind in (GroupKind.HOUSEHOLD, GroupKind.OFFICE) and i % 2 == 0) or (
            kind is GroupKind.SHARER and i % 3 == 1
        ):
            yield burst + i * GAP, lambda now: self._buy(actor, HONEST_BUY, 1, now)

    def _joining(self, group: Group, i: int) -> Callable[[datetime], None]:
        """The i-th account signs up: an invite farm's and a household's with the code of an
        earlier account of theirs (a farm's alternately the head's and the last one's)."""
        inviter = None
        if i > 0 and group.kind in (GroupKind.INVITE_FARM, GroupKind.HOUSEHOLD, GroupKind.SHARER):
            inviter = group.members[
                0 if i % 2 or group.kind is not GroupKind.INVITE_FARM else i - 1
            ]
        return lambda now: self._join(group.members[i], inviter, now)

    # --- the deeds ----------------------------------------------------------------------

    def _merchant(self, group: Group, at: datetime) -> None:
        """A brushing ring's merchant signs in to its shop's console from its own device,
        wallet and address — those its accounts then buy with."""
        world = self._world
        if world.merchant is None:
            return
        subject = f"merchant-{group.id}"
        world.merchant(subject, group.shop, at)
        self._screen.staff_seen(subject, replace(group.members[0].identity, phone=""), at)

    def _join(self, actor: Actor, inviter: Actor | None, at: datetime) -> None:
        world = self._world
        world.profiles.put(actor.id, at, phone=actor.identity.phone, phone_verified=True)
        self.tally["attack set sign-ups"] += 1
        growth = world.growth
        if growth is None:
            return
        self._tried(actor, self._welcome_off() + (self._invite_off() if inviter else 0))
        if self._refused(actor, Action.REGISTRATION, at, actor.id):
            return
        growth.tick(at)
        codes = SignUpCodes()
        if inviter is not None:
            codes = SignUpCodes(invite_code=growth.acquisition.invite(inviter.id).code)
        self._try(actor, growth.acquisition.joined, actor.id, True, codes, at)

    def _claim(self, actor: Actor, template_id: str, at: datetime) -> None:
        world = self._world
        facts = world.customers.facts(actor.id)
        claimant = Claimant(actor.id, facts.first_order, facts.member_tier)
        key = f"{actor.id}-{template_id}"
        off = self._off(template_id)
        self._tried(actor, off)
        if self._refused(actor, Action.COUPON_CLAIM, at, template_id, off):
            return
        try:
            self._call(actor, world.coupons.claim, template_id, claimant, key, at, coupon_id=key)
        except (ClaimRefused, DomainError):
            self.tally["attack set refused"] += 1

    def _flash(self, actor: Actor, at: datetime) -> None:
        terms = self._terms
        assert terms is not None
        sale, flash = terms.sale, self._world.flashsales
        self._tried(actor, sale.limit_per_user * (terms.list_price - sale.price))
        request = f"{actor.id}-atk"
        if self._refused(actor, Action.FLASH_ATTEMPT, at, sale.id):
            return
        decided = self._try(
            actor, flash.attempt, sale.id, actor.id, request, sale.limit_per_user, at
        )
        if decided is None or decided.outcome.value != "accepted":
            return
        paid = self._try(actor, flash.pay, sale.id, request, actor.id, at)
        if paid is not None and paid.order.status is OrderStatus.PAID:
            self._orders.setdefault(actor.id, []).append(paid.order.id)

    def _buy(self, actor: Actor, sku: str, qty: int, at: datetime) -> None:
        world, key = self._world, f"{actor.id}-buy"
        cart = world.goods.cart(((sku, qty),))
        facts = world.customers.facts(actor.id)
        shops = tuple(sorted({line.shop for line in cart.lines}))
        if actor.kind is GroupKind.BRUSHING_RING:  # the platform's share it came for
            self._tried(actor, sum(world.orders.draws(cart, facts, at).values()))
        if self._refused(actor, Action.CHECKOUT, at, key, shops=shops):
            return
        order = self._try(actor, world.orders.checkout, cart, facts, key, at, order_id=key)
        if order is None:
            return
        try:
            self._call(actor, world.payments.start, order.id, actor.id, at)
        except (DomainError, PaymentUnavailable):
            self.tally["attack set refused"] += 1
            return
        paid = world.orders.get(order.id)
        self._screen.refuses(actor, Action.PAYMENT, at, order.id, paid.payable)
        if paid.status is OrderStatus.PAID:
            self._orders.setdefault(actor.id, []).append(paid.id)
            if actor.kind is GroupKind.REFUND_ABUSE:
                self._tried(actor, self._coins_fen(paid.payable // 100 * self._per_yuan()))

    def _refund(self, actor: Actor, at: datetime) -> None:
        for order_id in self._orders.get(actor.id, []):
            order = self._world.orders.get(order_id)
            line, key = order.lines[0], f"{order_id}-r"
            if self._refused(actor, Action.REFUND, at, order_id):
                continue
            refund = self._world.payments.refund
            self._try(actor, refund, order_id, line.sku, line.qty, key, at, refund_id=key)

    # --- calls, with the identity the request would carry -------------------------------

    def _call(self, actor: Actor, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs, **identity_of(fn, actor.identity))

    def _try(self, actor: Actor, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return self._call(actor, fn, *args, **kwargs)
        except (DomainError, PaymentUnavailable):
            self.tally["attack set refused"] += 1
            return None

    def _refused(
        self,
        actor: Actor,
        action: Action,
        at: datetime,
        subject: str,
        amount: int = 0,
        **shops: Any,
    ) -> bool:
        if self._screen.refuses(actor, action, at, subject, amount, **shops):
            self.tally["attack set refused by the risk check"] += 1
            return True
        return False

    def _tried(self, actor: Actor, amount: Fen) -> None:
        if actor.attacker:
            self.tried[actor.kind] += amount

    # --- what was got -------------------------------------------------------------------

    def score(self) -> Score:
        got: Counter[GroupKind] = Counter()
        for actor in self.actors:
            if actor.attacker:
                got[actor.kind] += self._got(actor)
        decided = self._verdicts.worst()
        return score(self.actors, decided, dict(self.tried), dict(got), self._crowd)

    def _got(self, actor: Actor) -> Fen:
        """The red packets and coupons in its wallet, and what its kind came for."""
        world = self._world
        wallet = sum(self._off(c.template_id) for c in world.coupons.wallet(actor.id))
        return wallet + self._came_for(actor)

    def _came_for(self, actor: Actor) -> Fen:
        world = self._world
        orders = [world.orders.get(o) for o in self._orders.get(actor.id, [])]
        if actor.kind is GroupKind.SCALPER_RING and self._terms is not None:
            cut = self._terms.list_price - self._terms.sale.price
            return (
                sum(
                    line.qty - order.refunded.get(line.sku, 0)
                    for order in orders
                    for line in order.lines
                )
                * cut
            )
        if actor.kind is GroupKind.BRUSHING_RING:
            return sum(sum(o.draws().values()) for o in orders if o.status is OrderStatus.PAID)
        if actor.kind is GroupKind.REFUND_ABUSE and world.growth is not None:
            return self._coins_fen(world.growth.coins.balance(actor.id).balance)
        return 0

    def _off(self, template_id: str) -> Fen:
        try:
            return self._world.coupons.template(template_id).off or 0
        except LookupError:
            return 0

    def _welcome_off(self) -> Fen:
        welcome = self._campaign_growth().welcome
        return self._off(welcome.coupon) if welcome is not None else 0

    def _invite_off(self) -> Fen:
        invites = self._campaign_growth().invites
        return self._off(invites.coupon) if invites is not None and invites.coupon else 0

    def _per_yuan(self) -> int:
        coins = self._campaign_growth().coins
        return coins.per_yuan if coins is not None else 0

    def _coins_fen(self, coins: int) -> Fen:
        rules = self._campaign_growth().coins
        return coins * rules.value_fen // rules.value_coins if rules else 0

    def _campaign_growth(self) -> Growth:
        return self._campaign.growth
