"""Who comes to the festival in the HTTP attack harness, and what each of them does.

Honest shoppers each have their own phone, device and payment account; many come from a
carrier's NAT address shared with strangers, a household shares its home address and
delivery address (and one invites the others), an office shares one address. The attack
kinds behave as real ones do: fresh phone numbers, a few devices rotated among many
accounts, one or two proxy addresses, the same delivery address, retries.

A journey is a generator: each `next()` does one deed, so the harness interleaves
everyone's deeds as a festival does.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass

from bench.attack_actors import Customer, Harness
from bench.attack_world import BRUSHED_SHOP

HOARDED = "warm-up-300-30"
ATTACKS = (
    "invite_farm",
    "scalper_ring",
    "coupon_hoarders",
    "lottery_farm",
    "refund_abusers",
    "brushing_ring",
)
HONEST = ("honest", "household", "office")
HONEST_BUYS = ("K-RICE", "A-SCARF", "H-KETTLE", "E-BUDS")
ABUSED = "A-COAT"  # what refund abusers buy and send back
BRUSHED = "A-COAT"  # what a brushing ring buys from its own shop (满300减50, platform-funded)


@dataclass(frozen=True)
class Plan:
    honest: int = 80
    households: int = 3  # of three
    offices: int = 1  # of ten
    farm: int = 12
    scalpers: int = 8
    hoarders: int = 10
    lottery: int = 10
    refunders: int = 6
    brushers: int = 6


class Crowd:
    def __init__(self, plan: Plan, seed: int) -> None:
        self._rng = random.Random(seed)
        self._phones = self._rng.sample(range(10**8), 2000)
        self.people: list[Customer] = []
        self.merchant: list[Customer] = []  # the brushing ring's merchant, on each device
        self._nat = [self._ip() for _ in range(max(plan.honest // 4, 1))]
        for _ in range(plan.honest):
            self._add("honest", self._device(), self._rng.choice(self._nat))
        for _ in range(plan.households):
            home, address = self._ip(), self._address()
            for _ in range(3):
                self._add("household", self._device(), home, address)
        for _ in range(plan.offices):
            office = self._ip()
            for _ in range(10):
                self._add("office", self._device(), office)
        self._attackers(plan)

    def _attackers(self, plan: Plan) -> None:
        rng = self._rng
        # invite farm: fresh numbers, three emulator devices in turn, two proxies
        devices, proxies = [self._device() for _ in range(3)], [self._ip(), self._ip()]
        for i in range(plan.farm):
            self._add("invite_farm", devices[i * 3 // plan.farm], proxies[i % 2])
        # scalpers: two phones flashed with many accounts, one drop address
        devices, proxy, drop = [self._device(), self._device()], self._ip(), self._address()
        for i in range(plan.scalpers):
            self._add("scalper_ring", devices[i % 2], proxy, drop)
        devices, proxy = [self._device(), self._device()], self._ip()
        for i in range(plan.hoarders):
            self._add("coupon_hoarders", devices[i % 2], proxy)
        devices, proxies = [self._device(), self._device()], [self._ip(), self._ip()]
        for i in range(plan.lottery):
            self._add("lottery_farm", devices[i % 2], rng.choice(proxies))
        device, proxy, drop = self._device(), self._ip(), self._address()
        for _ in range(plan.refunders):
            self._add("refund_abusers", device, proxy, drop)
        # brushing ring (刷单): the merchant's own two phones, its shop's address and its
        # warehouse, each account buying from its own shop
        devices, office, warehouse = [self._device(), self._device()], self._ip(), self._address()
        self.merchant = [Customer("merchant", "13900000000", d, office) for d in devices]
        for i in range(plan.brushers):
            self._add("brushing_ring", devices[i % 2], office, warehouse)

    def _add(self, kind: str, device: str, ip: str, address: dict[str, str] | None = None):
        phone = f"1{self._rng.choice('3578')}{self._phones[len(self.people)]:09d}"
        self.people.append(Customer(kind, phone, device, ip, address))

    def _device(self) -> str:
        return f"{self._rng.getrandbits(64):016x}-{self._rng.getrandbits(32):08x}"

    def _ip(self) -> str:
        return f"{self._rng.choice((36, 58, 112, 183, 220))}.{self._rng.randrange(256)}." + (
            f"{self._rng.randrange(256)}.{self._rng.randrange(1, 255)}"
        )

    def _address(self) -> dict[str, str]:
        rng = self._rng
        n = rng.randrange(1, 200)
        return {
            "receiver": self._rng.choice(("王芳", "张伟", "李娜", "刘洋")),
            "phone": f"139{self._rng.randrange(10**8):08d}",
            "region": "浙江省 杭州市 西湖区",
            "detail": f"文三路 {n} 号 {rng.randrange(1, 30)} 幢 {rng.randrange(101, 2000)}",
        }


def journeys(
    crowd: Crowd, harness: Harness, campaign: str, sale: str, merchant_token: str = ""
) -> list[Iterator[None]]:
    """Each person's deeds, one step at a time; `merchant_token`: the brushing ring's
    merchant's (it looks at its shop from its own phones first)."""
    rng = random.Random(7)
    by_kind: dict[str, list[Customer]] = {}
    for person in crowd.people:
        by_kind.setdefault(person.kind, []).append(person)
    found: list[Iterator[None]] = []
    for kind, people in by_kind.items():
        if kind == "invite_farm":
            found.append(_farm(harness, people, campaign))
        elif kind == "brushing_ring":
            found.append(_brushing(harness, crowd.merchant, merchant_token, people))
        elif kind == "household":
            found += [
                _household(harness, people[i : i + 3], campaign) for i in range(0, len(people), 3)
            ]
        else:
            found += [_one(harness, kind, p, campaign, sale, rng.random()) for p in people]
    rng.shuffle(found)
    return found


def _farm(harness: Harness, people: list[Customer], campaign: str) -> Iterator[None]:
    """An invite farm: a root invites five, the first two of those invite on, and so on;
    the invitees never order."""
    root, *rest = people
    harness.sign_up(root)
    yield
    inviters = [root]
    for i, person in enumerate(rest):
        inviter = inviters[min(i // 4, len(inviters) - 1)]
        if inviter.id:
            harness.sign_up(person, harness.invite_code(inviter))
        if i % 3 == 0:
            inviters.append(person)
        yield


def _brushing(
    harness: Harness, merchant: list[Customer], token: str, people: list[Customer]
) -> Iterator[None]:
    """The merchant checks its shop's orders from its phones, then its accounts, on those
    phones, buy from the shop one after another."""
    for phone in merchant:
        phone.token = token
        harness.call(phone, "GET", f"/v1/shops/{BRUSHED_SHOP}/shipments")
    yield
    for person in people:
        harness.sign_up(person)
        yield
        harness.buy(person, BRUSHED)
        yield


def _household(harness: Harness, people: list[Customer], campaign: str) -> Iterator[None]:
    first, *others = people
    harness.sign_up(first)
    yield
    code = harness.invite_code(first)
    for person in others:
        harness.sign_up(person, code)
        yield
    for person in people:
        harness.claim(person, HOARDED)
        harness.draw_all(person, campaign)
        yield
    harness.buy(first, "K-RICE", 2)
    yield
    order = harness.buy(others[0], "A-SCARF")
    if order is not None:
        harness.refund(others[0], order, "A-SCARF")  # it did not fit: sent back
    yield


def _one(harness: Harness, kind: str, who: Customer, campaign: str, sale: str, luck: float):
    harness.sign_up(who)
    yield
    if kind in HONEST:
        if luck < 0.7:
            harness.claim(who, HOARDED)
        harness.draw_all(who, campaign)
        yield
        if luck < 0.5:
            order = harness.buy(who, HONEST_BUYS[int(luck * 100) % len(HONEST_BUYS)])
            if order is not None and luck < 0.06:
                harness.refund(who, order, HONEST_BUYS[int(luck * 100) % len(HONEST_BUYS)])
        elif luck > 0.85:
            harness.grab(who, sale, 1)
        yield
    elif kind == "scalper_ring":
        harness.grab(who, sale, 2)
    elif kind == "coupon_hoarders":
        harness.claim(who, HOARDED)
    elif kind == "lottery_farm":
        harness.draw_all(who, campaign)
    elif kind == "refund_abusers":
        order = harness.buy(who, ABUSED)
        yield
        if order is not None:
            harness.refund(who, order, ABUSED)
    yield
