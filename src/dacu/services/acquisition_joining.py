"""What a new member's verification sets off: their referrer recorded, then each open
campaign's welcome, invite and share rewards, one failing never stopping the rest."""

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from dacu.domain.acquisition import (
    INVITE_CODE_LENGTH,
    MERCHANT_CODE_LENGTH,
    CodeNote,
    Mechanic,
    Outcome,
    Referral,
    ReferralKind,
    SignUpCodes,
    normal_code,
    well_formed,
)
from dacu.domain.campaigns import Campaign
from dacu.domain.risk import Action
from dacu.services.acquisition_rewards import Ask, OpenCampaigns, RewardDesk
from dacu.services.ports.acquisition import AcquisitionStore, Cap

log = logging.getLogger("dacu.acquisition")
SHANGHAI = ZoneInfo("Asia/Shanghai")
Earn = Callable[[str, int, str, datetime, str], None]  # inviter, coins, invitee, at, campaign
_NOT_EARNED = frozenset({Outcome.HELD, Outcome.BLOCKED, Outcome.CAPPED})
_CODES = (
    ("invite_code", ReferralKind.INVITE, INVITE_CODE_LENGTH),
    ("merchant_code", ReferralKind.MERCHANT, MERCHANT_CODE_LENGTH),
)


class Joining:
    def __init__(
        self,
        store: AcquisitionStore,
        desk: RewardDesk,
        campaigns: OpenCampaigns,
        earn: Earn,
        verified: Callable[[str], bool] = lambda _: True,
    ) -> None:
        self._store, self._desk, self._campaigns = store, desk, campaigns
        self._earn, self._verified = earn, verified

    def joined(
        self, customer_id: str, new: bool, codes: SignUpCodes, at: datetime
    ) -> dict[str, str]:
        given = codes.given()
        if not new:
            return dict.fromkeys(given, CodeNote.NOT_NEW.value)
        campaigns = self._campaigns.at(at)
        notes: dict[str, str] = {}
        referral = self._refer(customer_id, codes, campaigns, at, notes)
        sharer = self._sharer(customer_id, codes.share, notes)
        for campaign in campaigns:
            self._safely(self._welcome, campaign, customer_id, at)
            if referral is not None and referral.kind is ReferralKind.INVITE:
                self._safely(self._invite, campaign, referral.referrer, customer_id, at)
            if sharer is not None:
                self._safely(self._share, campaign, sharer, customer_id, at)
        return notes

    def _refer(
        self,
        customer_id: str,
        codes: SignUpCodes,
        campaigns: list[Campaign],
        at: datetime,
        notes: dict[str, str],
    ) -> Referral | None:
        """The first known code given names the one referrer; the rest are noted."""
        winner: Referral | None = None
        for field, kind, length in _CODES:
            typed = getattr(codes, field)
            if not typed:
                continue
            if winner is not None:
                notes[field] = CodeNote.SUPERSEDED.value
                continue
            code = normal_code(typed)
            owner = self._store.owner_of(kind, code) if well_formed(code, length) else None
            if owner is None or owner == customer_id:
                notes[field] = (CodeNote.UNKNOWN if owner is None else CodeNote.OWN).value
                continue
            made = Referral(customer_id, kind, owner, _campaign_for(kind, campaigns), at)
            self._store.refer(made)  # a racing copy of this sign-in may have recorded it
            winner = self._store.referral(customer_id)
            same = winner is not None and winner.referrer == owner
            notes[field] = (CodeNote.ACCEPTED if same else CodeNote.SUPERSEDED).value
        return winner

    def _sharer(self, customer_id: str, token: str | None, notes: dict[str, str]) -> str | None:
        if not token:
            return None
        found = self._store.find_share(token[:32])
        if found is None or found.sharer == customer_id:
            notes["share"] = (CodeNote.UNKNOWN if found is None else CodeNote.OWN).value
            return None
        notes["share"] = CodeNote.ACCEPTED.value
        return found.sharer

    def _welcome(self, campaign: Campaign, customer_id: str, at: datetime) -> None:
        welcome = campaign.growth.welcome
        if welcome is None:
            return
        ask = Ask(
            Mechanic.WELCOME, campaign, welcome.coupon, welcome.budget, customer_id,
            customer_id, Action.REGISTRATION_REWARD,
        )  # fmt: skip
        self._desk.reward(ask, at)

    def _invite(self, campaign: Campaign, inviter: str, invitee: str, at: datetime) -> None:
        invites = campaign.growth.invites
        if invites is None or not (invites.coupon or invites.coins):
            return
        if not self._verified(inviter):
            return  # rewards go only to phone-verified members
        cap = None
        if invites.max_rewarded:
            cap = Cap(f"invite:{campaign.id}:{inviter}", invites.max_rewarded)
        tree = (("invitee", invitee), ("invitees", str(self._store.invitee_count(inviter))))
        ask = Ask(
            Mechanic.INVITE, campaign, invites.coupon, invites.budget, inviter, invitee,
            Action.INVITE_REWARD, cap, tree,
        )  # fmt: skip
        record = self._desk.reward(ask, at)
        if invites.coins and record.outcome not in _NOT_EARNED:
            self._earn(inviter, invites.coins, invitee, at, campaign.id)

    def _share(self, campaign: Campaign, sharer: str, member: str, at: datetime) -> None:
        invites = campaign.growth.invites
        if invites is None or not invites.share_coupon or not self._verified(sharer):
            return
        cap = None
        if invites.share_daily_cap:
            day = at.astimezone(SHANGHAI).date().isoformat()
            cap = Cap(f"share:{campaign.id}:{sharer}:{day}", invites.share_daily_cap)
        ask = Ask(
            Mechanic.SHARE, campaign, invites.share_coupon, invites.budget, sharer, member,
            Action.SHARE_REWARD, cap, (("new_member", member),),
        )  # fmt: skip
        self._desk.reward(ask, at)

    @staticmethod
    def _safely(step: Callable[..., None], *args: object) -> None:
        """A reward that fails is logged; the registration and the other rewards go on."""
        try:
            step(*args)
        except Exception:
            log.exception("acquisition reward failed: %s", getattr(step, "__name__", step))


def _campaign_for(kind: ReferralKind, campaigns: list[Campaign]) -> str | None:
    """The open campaign whose rules the referral counts for: the first that runs it."""
    for campaign in campaigns:
        growth = campaign.growth
        runs = growth.invites if kind is ReferralKind.INVITE else growth.merchant_codes
        if runs is not None:
            return campaign.id
    return None
