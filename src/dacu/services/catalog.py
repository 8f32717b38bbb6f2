"""The live promotion catalog a pricing process keeps: compiled once per campaign revision.

A quote brings the live campaigns' revisions (read with its wallet, 0.1 s
old at most); nothing else of the campaigns is read unless one moved, and
then only the campaigns that moved, in one query, compiled once each. Each
campaign keeps what it prices per set of phases on at once; the catalog a
quote prices against joins them, indexed, once per set of campaigns and
phases. A campaign that cannot be read back is left out of pricing with a
`campaign_unloadable` alert instead of failing every cart, and a promotion
id two live campaigns share is priced as `campaign:id` in both.
"""

import gc
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from dacu.domain.campaigns import Campaign, Phase
from dacu.domain.enrollment import Enrollment, Review
from dacu.domain.pricing import PromotionCatalog
from dacu.domain.promotions import Promotion
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.campaigns import CampaignStore, Stored, Unloadable

UNLOADABLE = "campaign_unloadable"


class ApprovedEnrollments(Protocol):
    def of_campaign(self, campaign_id: str, review: Review | None = None) -> list[Enrollment]: ...


@dataclass(slots=True)
class CompiledCampaign:
    """One live campaign at one revision, with what it prices by the phases that are on."""

    campaign: Campaign
    revision: int
    enrolled: tuple[Promotion, ...]  # approved enrollments' campaign prices
    enrolled_skus: frozenset[str]
    _pricing: dict[tuple[frozenset[Phase], frozenset[str]], tuple[Promotion, ...]] = field(
        default_factory=dict
    )

    def ids(self) -> set[str]:
        return {held.promotion.id for held in self.campaign.promotions} | {
            promotion.id for promotion in self.enrolled
        }

    def phases_on(self, now: datetime) -> frozenset[Phase]:
        return frozenset(held.phase for held in self.campaign.phases if held.window.contains(now))

    def pricing(
        self, on: frozenset[Phase], now: datetime, clashes: frozenset[str]
    ) -> tuple[Promotion, ...]:
        """What the campaign prices while the phases `on` are on (`now` among them), in
        campaign order; ids in `clashes` under the campaign's name."""
        key = (on, clashes)
        found = self._pricing.get(key)
        if found is None:
            promotions = [*self.enrolled] if on else []
            promotions += self.campaign.live_promotions(now)
            cid = self.campaign.id
            found = self._pricing[key] = tuple(
                replace(p, id=f"{cid}:{p.id}" if p.id in clashes else p.id, budget=cid)
                for p in promotions
            )
        return found


_Key = tuple[tuple[str, frozenset[Phase]], ...]  # the campaigns admitted, and their phases on


@dataclass(frozen=True, slots=True)
class _Snapshot:
    revisions: dict[str, int]
    compiled: tuple[CompiledCampaign, ...]  # loaded ones, by campaign id
    clashes: dict[str, frozenset[str]]  # per campaign: its ids another live campaign uses
    catalogs: dict[_Key, PromotionCatalog] = field(default_factory=dict)


_EMPTY = _Snapshot({}, (), {})
_CATALOGS_KEPT = 32  # indexed catalogs per snapshot: members or not, times phase changes


class CatalogCache:
    """The process's compiled catalog, current as of the last `refresh`."""

    def __init__(
        self, campaigns: CampaignStore, enrollments: ApprovedEnrollments, alerts: Alerts
    ) -> None:
        self._campaigns, self._enrollments, self._alerts = campaigns, enrollments, alerts
        self._snapshot = _EMPTY
        self._checked = -1.0  # monotonic time of the last check against the store
        self._lock = threading.Lock()
        self.compilations = 0  # campaigns compiled so far: what a test of "only what moved" counts

    def refresh(self, now: datetime) -> tuple[CompiledCampaign, ...]:
        """The live campaigns, compiled: one read of the revisions, more only if one moved."""
        return self._current(now).compiled

    def recent(self, now: datetime, within_s: float = 0.1) -> tuple[CompiledCampaign, ...]:
        """The live campaigns as checked against the store at most `within_s` ago (a quote
        a moment before checked them): no read at all then, else as `refresh`."""
        if time.monotonic() - self._checked < within_s:
            return self._snapshot.compiled
        return self.refresh(now)

    def catalog(
        self, member_tier: str | None, now: datetime, revisions: dict[str, int] | None = None
    ) -> PromotionCatalog:
        """Every promotion live at `now` for such a customer, indexed: the catalog a quote
        prices against, built once per set of campaigns and phases and kept. `revisions`,
        when the caller read them already, stand for the store's."""
        snapshot = self._current(now, revisions)
        admitted = [held for held in snapshot.compiled if held.campaign.admits(member_tier)]
        on = [held.phases_on(now) for held in admitted]
        key = tuple((held.campaign.id, phases) for held, phases in zip(admitted, on, strict=True))
        found = snapshot.catalogs.get(key)
        if found is None:
            promotions: list[Promotion] = []
            for held, phases in zip(admitted, on, strict=True):
                clashes = snapshot.clashes.get(held.campaign.id, frozenset())
                promotions += held.pricing(phases, now, clashes)
            found = PromotionCatalog(promotions)
            if len(snapshot.catalogs) >= _CATALOGS_KEPT:
                snapshot.catalogs.clear()
            snapshot.catalogs[key] = found
        return found

    def _current(self, now: datetime, revisions: dict[str, int] | None = None) -> _Snapshot:
        if revisions is None:
            revisions = self._campaigns.live_revisions()
        checked = time.monotonic()
        snapshot = self._snapshot
        if revisions != snapshot.revisions:
            with self._lock:
                if revisions != self._snapshot.revisions:
                    self._snapshot = self._rebuild(self._snapshot, revisions, now)
                snapshot = self._snapshot
        self._checked = checked
        return snapshot

    def _rebuild(self, old: _Snapshot, revisions: dict[str, int], now: datetime) -> _Snapshot:
        kept = {
            held.campaign.id: held
            for held in old.compiled
            if revisions.get(held.campaign.id) == held.revision
        }
        moved = [cid for cid, revision in revisions.items() if cid not in kept]
        for cid, found in self._campaigns.load(moved).items():
            if isinstance(found, Unloadable):
                message = f"campaign {cid} revision {found.revision} left out: {found.reason}"
                self._alerts.raise_alert(cid, UNLOADABLE, "critical", message, now)
                continue
            kept[cid] = self._compile(found)
            self._alerts.clear_alert(cid, UNLOADABLE, now)
        compiled = tuple(kept[cid] for cid in sorted(kept))
        # What was just compiled lives until the next change: keep the collector's full
        # passes from walking 100,000 promotions again and again (freed by refcount still).
        gc.freeze()
        return _Snapshot(dict(revisions), compiled, _clashes(compiled))

    def _compile(self, stored: Stored) -> CompiledCampaign:
        self.compilations += 1
        campaign = stored.campaign
        approved = self._enrollments.of_campaign(campaign.id, Review.APPROVED)
        return CompiledCampaign(
            campaign,
            stored.revision,
            tuple(enrolled.promotion() for enrolled in approved),
            frozenset(enrolled.sku for enrolled in approved),
        )


def _clashes(compiled: tuple[CompiledCampaign, ...]) -> dict[str, frozenset[str]]:
    """Per campaign, the promotion ids another live campaign uses too."""
    owners: dict[str, int] = {}
    ids = {held.campaign.id: held.ids() for held in compiled}
    for held_ids in ids.values():
        for promotion_id in held_ids:
            owners[promotion_id] = owners.get(promotion_id, 0) + 1
    shared = {promotion_id for promotion_id, count in owners.items() if count > 1}
    return {cid: frozenset(held_ids & shared) for cid, held_ids in ids.items() if held_ids & shared}
