"""The labelled attack set (风险管理, issue 14): who among the crowd attacks, and how.

Beside the honest shoppers of `plan.py`, a run may hold groups of accounts, each
with a label: five kinds of attackers and two kinds of honest groups that share
an identifier innocently. Every account carries the identity its requests would
carry (`Identity`: device, IP, delivery address, payment account, phone), so
the risk check sees what it would see over HTTP.

- invite farm (邀请薅羊毛): fresh phones on one device (or a few) inviting each
  other, for the welcome packet and the inviter's reward;
- scalper ring (黄牛): many accounts behind one device and IP grabbing flash stock;
- coupon hoarders (囤券): many accounts claiming the same platform coupon, all
  delivering to one address;
- brushing ring (刷单): a merchant's own accounts (its device, its payment account)
  buying from its shop for the platform's subsidy;
- refund abusers (退款套利): buy, take the order's rewards, refund.
- households: a family at one delivery address and one home IP, each on a phone;
- offices: colleagues behind one office IP, each with a device and an address;
- sharers: one member who invites seven friends over two days of the launch (each on
  their own phone), a few of whom order at the burst.

The plan is pure and fixed by the seed: the same seed, the same groups.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from dacu.domain.risk import Identity
from dacu.services.simulation.plan import phone_of, shopper_id


class GroupKind(StrEnum):
    INVITE_FARM = "invite_farm"
    SCALPER_RING = "scalper_ring"
    COUPON_HOARD = "coupon_hoard"
    BRUSHING_RING = "brushing_ring"
    REFUND_ABUSE = "refund_abuse"
    HOUSEHOLD = "household"  # honest
    OFFICE = "office"  # honest
    SHARER = "sharer"  # honest

    @property
    def attack(self) -> bool:
        return self not in (GroupKind.HOUSEHOLD, GroupKind.OFFICE, GroupKind.SHARER)


ATTACKS = tuple(kind for kind in GroupKind if kind.attack)
HONEST = (GroupKind.HOUSEHOLD, GroupKind.OFFICE, GroupKind.SHARER)

# accounts in a group of each kind
SIZES = {
    GroupKind.INVITE_FARM: 12,
    GroupKind.SCALPER_RING: 8,
    GroupKind.COUPON_HOARD: 10,
    GroupKind.BRUSHING_RING: 6,
    GroupKind.REFUND_ABUSE: 4,
    GroupKind.HOUSEHOLD: 3,
    GroupKind.OFFICE: 10,
    GroupKind.SHARER: 8,
}
# one group of each kind for this many shoppers (at least one)
CROWD_PER_GROUP = dict.fromkeys(GroupKind, 5000) | {GroupKind.HOUSEHOLD: 1000}
FARM_DEVICES = 3  # an invite farm works from one device or a few


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    group: str  # the group's id: a ring, a household, an office
    kind: GroupKind
    identity: Identity

    @property
    def attacker(self) -> bool:
        return self.kind.attack


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    kind: GroupKind
    members: tuple[Actor, ...]
    shop: str = ""  # a brushing ring's own shop

    @property
    def attacker(self) -> bool:
        return self.kind.attack


def groups_for(customers: int) -> dict[GroupKind, int]:
    """How many groups of each kind a crowd of `customers` holds."""
    return {kind: max(1, customers // CROWD_PER_GROUP[kind]) for kind in GroupKind}


def attack_plan(seed: int, customers: int, brushing_shop: str) -> tuple[Group, ...]:
    """The groups beside `customers` honest shoppers; their account ids follow the
    crowd's (`shopper_id(seed, customers + k)`), so nothing in an id tells them apart."""
    rng = random.Random(f"dacu-attacks:{seed}")
    numbers = iter(range(customers, customers + 10_000_000))
    found = []
    for kind, count in groups_for(customers).items():
        for g in range(count):
            group_id = f"{kind.value}-{g + 1}"
            ids = [shopper_id(seed, next(numbers)) for _ in range(SIZES[kind])]
            members = tuple(_members(rng, kind, group_id, ids))
            shop = brushing_shop if kind is GroupKind.BRUSHING_RING else ""
            found.append(Group(group_id, kind, members, shop))
    return tuple(found)


def _members(rng: random.Random, kind: GroupKind, group: str, ids: list[str]) -> Iterator[Actor]:
    shared = {
        "device": _device(rng),
        "ip": _ip(rng),
        "address": _address(rng),
        "payment_account": _account(rng),
    }
    farm_devices = [_device(rng) for _ in range(FARM_DEVICES)]
    for i, account in enumerate(ids):
        own = {
            "device": _device(rng),
            "ip": _ip(rng),
            "address": _address(rng),
            "payment_account": _account(rng),
        }
        same = _shared_by(kind)
        identity = {name: shared[name] if name in same else own[name] for name in own}
        if kind is GroupKind.INVITE_FARM:
            identity["device"] = farm_devices[i % len(farm_devices)]
        yield Actor(account, group, kind, Identity(**identity, phone=phone_of(account)))


def _shared_by(kind: GroupKind) -> frozenset[str]:
    """What a group's accounts have in common."""
    return {
        GroupKind.INVITE_FARM: frozenset({"ip"}),  # devices: one of a few
        GroupKind.SCALPER_RING: frozenset({"device", "ip"}),
        GroupKind.COUPON_HOARD: frozenset({"address", "ip"}),
        GroupKind.BRUSHING_RING: frozenset({"device", "payment_account", "address"}),
        GroupKind.REFUND_ABUSE: frozenset({"device", "payment_account"}),
        GroupKind.HOUSEHOLD: frozenset({"address", "ip"}),
        GroupKind.OFFICE: frozenset({"ip"}),
        GroupKind.SHARER: frozenset(),
    }[kind]


def _device(rng: random.Random) -> str:
    return f"dev-{rng.getrandbits(64):016x}"


def _ip(rng: random.Random) -> str:
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _address(rng: random.Random) -> str:
    lane, house, room = rng.randrange(1, 999), rng.randrange(1, 60), rng.randrange(101, 2999)
    return f"上海市浦东新区{lane}弄{house}号{room}室"


def _account(rng: random.Random) -> str:
    return f"pay-{rng.getrandbits(48):012x}"
