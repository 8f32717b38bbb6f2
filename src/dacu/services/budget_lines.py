"""The department and promotion lines in the quote path, kept per compiled campaign.

What a quote needs of the lines below a campaign's budget — each line's cap,
and the lines a rule draws — is worked out once per campaign object (a
campaign only changes by being compiled again), so a quote pays a dictionary
look-up per funded rule, as it does for the campaign's own cap.
"""

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dacu.domain.budget_levels import Level, levels_of, rule_map
from dacu.domain.campaigns import Campaign
from dacu.domain.types import Fen
from dacu.domain.wallet import WalletItem

_KEEP = 512


@dataclass(frozen=True, slots=True)
class _Lines:
    campaign: Campaign
    bases: dict[str, Fen]  # line key → its cap
    rules: dict[str, tuple[str, ...]]  # promotion id → its lines
    named: dict[str, Level]


_kept: dict[int, _Lines] = {}
_named: dict[str, Level] = {}
_lock = threading.Lock()


def _of(campaign: Campaign) -> _Lines:
    found = _kept.get(id(campaign))
    if found is not None and found.campaign is campaign:
        return found
    levels = levels_of(campaign)
    found = _Lines(
        campaign,
        {level.key: level.cap for level in levels},
        rule_map(campaign),
        {level.key: level for level in levels},
    )
    with _lock:
        if len(_kept) >= _KEEP:
            _kept.clear()
        _kept[id(campaign)] = found
        _named.update(found.named)
    return found


def line_bases(campaigns: Iterable[Campaign]) -> dict[str, Fen]:
    """Every department and promotion line's cap, of these campaigns (a new mapping)."""
    found: dict[str, Fen] = {}
    for campaign in campaigns:
        found.update(_of(campaign).bases)
    return found


def levels_for(
    funders: Mapping[str, str], campaigns: Sequence[Campaign], wallet: Sequence[WalletItem]
) -> dict[str, tuple[str, ...]]:
    """Rule → the lines its platform share draws besides the campaign's (funded rules)."""
    if not funders:
        return {}
    by_id = {campaign.id: campaign for campaign in campaigns}
    by_coupon: dict[str, tuple[str, ...]] | None = None
    found = {}
    for rule, campaign_id in funders.items():
        campaign = by_id.get(campaign_id)
        lines = _of(campaign).rules.get(rule) if campaign is not None else None
        if lines is None:
            if by_coupon is None:
                by_coupon = {w.id: w.levels for w in wallet if w.levels}
            lines = by_coupon.get(rule)
        if lines:
            found[rule] = lines
    return found


def rules_out(levels: Mapping[str, Sequence[str]], spent: Iterable[str]) -> set[str]:
    """The rules some of whose lines are spent."""
    gone = set(spent)
    return {rule for rule, lines in levels.items() if gone.intersection(lines)}


def line_warning(key: str) -> str | None:
    """The quote's warning for a spent line below a campaign; None for a campaign's key."""
    level = _named.get(key)
    if level is None:
        return None
    return (
        f"budget_spent: the {level.kind} budget {level.name} ({key}) is spent; "
        "the platform-funded promotions and coupons drawing on it do not apply"
    )
