"""Acquisition (拉新, plan 000 §1): 新人红包, 邀请码, 商家码 and 分享得券.

Registration tells `joined` about every verified phone. For a new member it
records who brought them in (an invite code or a merchant code: the first
given that is known wins), then gives, for every open campaign whose
`growth` says so, the welcome red packet to the member, the invite red
packet and coins to the inviter and the share coupon to the sharer — each
once per new member (`RewardDesk`), after the risk check. An unknown code
never stops a registration: it is noted in the answer and ignored.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from dacu.domain.acquisition import (
    CODE_ALPHABET,
    INVITE_CODE_LENGTH,
    MERCHANT_CODE_LENGTH,
    CodeNote,
    Referral,
    ReferralKind,
    RewardRecord,
    Share,
    ShareTarget,
    SignUpCodes,
    UnknownShare,
    normal_code,
    well_formed,
)
from dacu.domain.coins import CoinReason
from dacu.domain.errors import InvalidRule
from dacu.domain.registration import UnknownCustomer
from dacu.services.acquisition_joining import Joining
from dacu.services.acquisition_rewards import OpenCampaigns, RewardDesk
from dacu.services.ports.acquisition import AcquisitionStore, Figures
from dacu.services.ports.coins import CoinLedger

SHANGHAI = ZoneInfo("Asia/Shanghai")
TREE_DEPTH = 3  # levels of a member's invite tree shown at once
TREE_WIDTH = 50  # invitees shown per member


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


@dataclass(frozen=True, slots=True)
class InviteCard:
    code: str
    link: str
    invitees: int


@dataclass(frozen=True, slots=True)
class TreeNode:
    customer_id: str
    at: datetime | None
    invitees: tuple["TreeNode", ...]


class AcquisitionService:
    def __init__(
        self,
        store: AcquisitionStore,
        desk: RewardDesk,
        campaigns: OpenCampaigns,
        coins: CoinLedger,
        clock: Callable[[], datetime],
        verified: Callable[[str], bool] = lambda _: True,
        share_base: str = "https://m.dacu.example/s/",
        invite_base: str = "https://m.dacu.example/join?invite=",
    ) -> None:
        self._store, self._desk, self._campaigns = store, desk, campaigns
        self._coins, self._clock = coins, clock
        self.share_base, self._invite_base = share_base, invite_base
        self._joining = Joining(store, desk, campaigns, self._earn, verified)

    def joined(
        self, customer_id: str, new: bool, codes: SignUpCodes, at: datetime
    ) -> dict[str, str]:
        """After a phone's verification: the codes' notes (`CodeNote`), rewards given."""
        return self._joining.joined(customer_id, new, codes, at)

    def _earn(self, inviter: str, coins: int, invitee: str, at: datetime, campaign: str) -> None:
        key = f"invite:{invitee}"
        self._coins.earn(inviter, coins, CoinReason.INVITE, key, at, campaign)

    def invite(self, customer_id: str) -> InviteCard:
        """The member's stable invite code, its share link and how many they invited."""
        code = self._store.invite_code(
            customer_id, lambda: random_code(INVITE_CODE_LENGTH), self._clock()
        )
        count = self._store.invitee_count(customer_id)
        return InviteCard(code, f"{self._invite_base}{code}", count)

    def invitees(self, customer_id: str) -> list[Referral]:
        return self._store.invitees(customer_id)

    def referral(self, customer_id: str) -> Referral | None:
        return self._store.referral(customer_id)

    def tree(self, customer_id: str, depth: int = TREE_DEPTH) -> TreeNode:
        """The member's invite tree, `depth` levels down, with who invited them at the root;
        UnknownCustomer when no customer has the id."""
        if not self._store.known(customer_id):
            raise UnknownCustomer(customer_id)
        found = self._store.referral(customer_id)
        return TreeNode(customer_id, found.at if found else None, self._below(customer_id, depth))

    def _below(self, customer_id: str, depth: int) -> tuple[TreeNode, ...]:
        if depth <= 0:
            return ()
        return tuple(
            TreeNode(r.customer_id, r.at, self._below(r.customer_id, depth - 1))
            for r in self._store.invitees(customer_id, TREE_WIDTH)
        )

    def merchant_code(self, shop_id: str) -> str:
        """The shop's merchant code, made on first ask (the caller checked who may see it)."""
        return self._store.merchant_code(
            shop_id, lambda: random_code(MERCHANT_CODE_LENGTH), self._clock()
        )

    def share(self, sharer: str, target: ShareTarget, target_id: str) -> Share:
        """The sharer's link to a SKU or venue: one per target and Shanghai day."""
        now = self._clock()
        day = now.astimezone(SHANGHAI).date().isoformat()
        made = Share(secrets.token_urlsafe(12), sharer, target, target_id, day)
        return self._store.share(made, now)

    def open_share(self, token: str) -> Share:
        """A friend opened the link: counted; UnknownShare for a token nobody made."""
        found = self._store.opened(token[:32]) if token else None
        if found is None:
            raise UnknownShare("no share has that token", "token")
        return found

    def finish_stuck(self, now: datetime | None = None) -> int:
        """Issue what a crash left decided but not given; how many were issued."""
        return self._desk.finish_stuck(now or self._clock())

    def rewards_of(self, customer_id: str) -> list[RewardRecord]:
        return self._store.rewards_of(customer_id)

    def figures(self, campaign_id: str, since: datetime, full: bool = True) -> Figures:
        return self._store.figures(campaign_id, since, full)


def read_code(typed: str, length: int, field: str) -> str:
    """A typed code in its stored form; InvalidRule naming `field` if it cannot be one."""
    code = normal_code(typed)
    if not well_formed(code, length):
        raise InvalidRule(field, "not a code of ours")
    return code


__all__ = [
    "AcquisitionService",
    "CodeNote",
    "InviteCard",
    "ReferralKind",
    "TreeNode",
    "read_code",
]
