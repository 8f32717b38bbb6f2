"""Campaigns as operators drive them: apply a file, go live, pause, resume, end, kill.

Which move is legal is `Campaign`'s to say (`moved_to`, `kill`, `revised`); the
service loads, asks the campaign, and saves with the revision it loaded, so
two operators racing never overwrite each other silently (`ConcurrentChange`).
Every save moves the revision: pricing processes see it on their next quote.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dacu.domain.campaigns import Campaign, CampaignStateError, CampaignStatus, UnknownCampaign
from dacu.domain.errors import ConcurrentChange
from dacu.services.live_campaigns import FRESH_S, LiveCampaigns
from dacu.services.ports.campaigns import CampaignRecord, CampaignStore, Stored


@dataclass(frozen=True, slots=True)
class Applied:
    id: str
    version: int
    revision: int
    changed: bool  # False when the file was applied as it stood already


class CampaignService:
    def __init__(self, store: CampaignStore, fresh_s: float = FRESH_S) -> None:
        self._store = store
        self.open_now = LiveCampaigns(store, fresh_s)  # this process's copy: claims, 抢购

    def apply(
        self,
        document: dict[str, Any],
        campaign: Campaign,
        actor: str,
        now: datetime,
        *,
        if_changed: bool = False,
        expected_revision: int | None = None,
    ) -> Applied:
        """Create or correct a campaign from its (validated) file.

        With `if_changed`, a file equal to the standing one changes nothing; with
        `expected_revision`, a campaign moved meanwhile is refused, not overwritten.
        """
        standing = self._record(campaign.id)
        if standing is not None:
            if expected_revision is not None and standing.revision != expected_revision:
                raise ConcurrentChange(f"campaign {campaign.id} was changed meanwhile", "revision")
            if if_changed and self._store.document(campaign.id) == document:
                return Applied(campaign.id, standing.version, standing.revision, False)
            found = self._store.load([campaign.id]).get(campaign.id)
            if isinstance(found, Stored):  # one that cannot be read may always be replaced
                found.campaign.revised(campaign)
        elif expected_revision is not None:
            raise UnknownCampaign(campaign.id)
        version = self._store.apply(document, campaign, actor, now)
        self.open_now.forget()
        applied = self._record(campaign.id)
        assert applied is not None  # just written
        return Applied(campaign.id, version, applied.revision, True)

    def set_status(
        self, campaign_id: str, status: CampaignStatus, actor: str, now: datetime
    ) -> CampaignRecord:
        """Go live, pause, resume or end at once; CampaignStateError for an illegal move."""
        stored = self._store.get(campaign_id)
        moved = stored.campaign.moved_to(status)
        self._store.save(moved, stored.revision, "campaign.status", actor, now)
        self.open_now.forget()
        return self.summary(campaign_id)

    def go_live(self, campaign_id: str, actor: str, now: datetime) -> CampaignRecord:
        return self._move(campaign_id, Campaign.go_live, actor, now)

    def pause(self, campaign_id: str, actor: str, now: datetime) -> CampaignRecord:
        return self._move(campaign_id, Campaign.pause, actor, now)

    def resume(self, campaign_id: str, actor: str, now: datetime) -> CampaignRecord:
        return self._move(campaign_id, Campaign.resume, actor, now)

    def end(self, campaign_id: str, actor: str, now: datetime) -> CampaignRecord:
        return self._move(campaign_id, Campaign.end, actor, now)

    def end_finished(self, actor: str, now: datetime) -> list[str]:
        """A campaign ends by time: every one still live or paused whose last phase is over
        is ended (audited, as by hand). Already closed to everything by `is_open`; this
        makes its status say so. Returns the ids ended."""
        ended = []
        for record in self._store.records():
            if record.status not in (CampaignStatus.LIVE, CampaignStatus.PAUSED):
                continue
            span = self.open_now.span(record.id) if record.status is CampaignStatus.LIVE else None
            if span is None:
                span = self._store.get(record.id).campaign.span
            if span.ends_at is None or now <= span.ends_at:
                continue
            try:
                self.end(record.id, actor, now)
            except (CampaignStateError, ConcurrentChange):
                continue  # moved meanwhile: the next sweep looks again
            ended.append(record.id)
        return ended

    def kill(
        self, campaign_id: str, promotion_id: str, actor: str, now: datetime, killed: bool = True
    ) -> CampaignRecord:
        """The kill switch: one promotion off (or back on); UnknownPromotion if none such."""
        stored = self._store.get(campaign_id)
        changed = stored.campaign.kill(promotion_id, killed)
        self._store.save(changed, stored.revision, "promotion.kill", actor, now)
        self.open_now.forget()
        return self.summary(campaign_id)

    def document(self, campaign_id: str) -> dict[str, Any]:
        """The file that re-creates the campaign as it stands."""
        return self._store.document(campaign_id)

    def ids(self) -> list[tuple[str, str, str, int]]:
        """(id, theme, status, version) of every campaign."""
        return [(r.id, r.theme, r.status.value, r.version) for r in self._store.records()]

    def get(self, campaign_id: str) -> Campaign:
        return self._store.get(campaign_id).campaign

    def campaign(self, campaign_id: str) -> Campaign:
        """The same as `get`, under the name the other services' ports use."""
        return self.get(campaign_id)

    def is_live(self, campaign_id: str, now: datetime | None = None) -> bool:
        """Whether the campaign is live (an unknown one is not) and, given `now`, not past
        its last phase."""
        found = self._record(campaign_id)
        if found is None or found.status is not CampaignStatus.LIVE:
            return False
        # a campaign ends by time when its last phase does, whether or not it is ended by hand
        return now is None or not all(p.window.ended(now) for p in self.get(campaign_id).phases)

    def is_open(self, campaign_id: str, now: datetime, promotion_id: str = "") -> bool:
        """Whether claims, flash attempts and flash checkout may go on: live and within its
        phases' span (and `promotion_id`, if named, not killed), as this process knew it
        at most `fresh_s` ago (or since its own last change)."""
        return self.open_now.is_open(campaign_id, now, promotion_id)

    def summary(self, campaign_id: str) -> CampaignRecord:
        found = self._record(campaign_id)
        if found is None:
            raise UnknownCampaign(campaign_id)
        return found

    def live(self) -> list[Campaign]:
        """Every live campaign, by id (each prices only within its phases)."""
        found = self._store.load(self._store.live_revisions())
        return [
            held.campaign
            for _, held in sorted(found.items())
            if isinstance(held, Stored) and held.campaign.status is CampaignStatus.LIVE
        ]

    def _move(self, campaign_id: str, move: Any, actor: str, now: datetime) -> CampaignRecord:
        stored = self._store.get(campaign_id)
        self._store.save(move(stored.campaign), stored.revision, "campaign.status", actor, now)
        self.open_now.forget()
        return self.summary(campaign_id)

    def _record(self, campaign_id: str) -> CampaignRecord | None:
        return next((r for r in self._store.records() if r.id == campaign_id), None)

    def list(self) -> list[CampaignRecord]:  # last: the name shadows the builtin in here
        """Every campaign, by id."""
        return self._store.records()
