"""The category tiers of a settlement policy (服饰满300减50, 家电满1000减200, 平台承担70%)
as what funds the campaign's threshold promotions.

A threshold promotion (满减, 满折) scoped to a tiered category is funded at that
tier's `platform_bp`: a promotion that states no share takes it; one that states
another share is refused, naming `promotions[i].funding.platform_bp`. The file
states each fact once and means it — a promotion whose own line says one share
while the platform pays another would be a line that lies, so a disagreement is
the author's to settle, not the loader's to overwrite. A promotion scoped to
categories of different tier shares (or tiered and untiered ones together) is
refused as well: one promotion has one funding share.
"""

from collections.abc import Sequence
from dataclasses import replace

from dacu.domain.campaigns import CampaignPromotion
from dacu.domain.errors import InvalidRule
from dacu.domain.kinds import Kind
from dacu.domain.settlement_policy import SettlementPolicy

TIERED_KINDS = frozenset({Kind.THRESHOLD_OFF, Kind.THRESHOLD_DISCOUNT})


def funded_by_tiers(
    promotions: Sequence[CampaignPromotion], policy: SettlementPolicy
) -> tuple[CampaignPromotion, ...]:
    """The promotions with each tiered threshold promotion's funding share its tier's."""
    if not policy.tiers:
        return tuple(promotions)
    return tuple(_funded(i, held, policy) for i, held in enumerate(promotions))


def _funded(index: int, held: CampaignPromotion, policy: SettlementPolicy) -> CampaignPromotion:
    promotion = held.promotion
    categories = promotion.scope.categories
    if promotion.kind not in TIERED_KINDS or not categories:
        return held
    tiers = {c: policy.tier(c) for c in categories}
    shares = {t.platform_bp for t in tiers.values() if t is not None}
    if not shares:
        return held
    where = f"promotions[{index}]"
    if len(shares) > 1 or None in tiers.values():
        raise InvalidRule(
            f"{where}.scope.categories",
            "scope a tiered promotion to categories of one settlement tier share",
        )
    share = shares.pop()
    if promotion.funding_bp is None:
        return replace(held, promotion=replace(promotion, funding_bp=share))
    if promotion.funding_bp != share:
        raise InvalidRule(
            f"{where}.funding.platform_bp",
            f"is {promotion.funding_bp}, but settlement.tiers funds this category at {share}",
        )
    return held
