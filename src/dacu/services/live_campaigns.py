"""Which campaigns are open now, as one process knows them: what claims and flash attempts ask.

A pause, an end or a campaign's last phase running out must stop claims and
flash attempts in every process within a second, without a database read per
attempt on the hot path. Each process keeps the live campaigns it has loaded
with their revisions and checks the store's revisions (one small query) when
its copy is older than `fresh_s`; only a campaign whose revision moved is
loaded again. A change made through the process itself is seen at once
(`forget`). Time is the campaign's to judge (`Campaign.open_at`), so a
campaign ends by time even while its status still says live.
"""

import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dacu.domain.campaigns import CampaignStateError
from dacu.domain.rules import Window
from dacu.services.ports.campaigns import Stored, Unloadable

FRESH_S = 0.2  # a pause reaches every process within this, and a quote's 0.1 s besides


class LiveCampaignReads(Protocol):
    """The part of the campaign store this needs (`CampaignStore` has it)."""

    def live_revisions(self) -> dict[str, int]: ...

    def load(self, campaign_ids: Collection[str]) -> dict[str, Stored | Unloadable]: ...


@dataclass(frozen=True, slots=True)
class _Known:
    revision: int
    span: Window
    killed: frozenset[str]  # its promotions switched off


class LiveCampaigns:
    """The live campaigns' revisions and spans, at most `fresh_s` old."""

    def __init__(self, store: LiveCampaignReads, fresh_s: float = FRESH_S) -> None:
        self._store, self._fresh_s = store, fresh_s
        self._known: dict[str, _Known] = {}
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self._flag = threading.Lock()
        self._refreshing = False  # an async caller is refreshing the copy off the loop
        self.loaded = False  # read at least once

    @property
    def stale(self) -> bool:
        """Whether the next question reads the store (an async caller runs it off the loop)."""
        return time.monotonic() - self._checked >= self._fresh_s

    def take_refresh(self) -> bool:
        """Whether the caller should refresh the copy now: it is stale and nobody else is
        refreshing it. The hot path's other requests answer from the copy meanwhile, so
        one read off the loop serves them all (`refresh_done` when finished)."""
        with self._flag:
            if self._refreshing or not self.stale:
                return False
            self._refreshing = True
            return True

    def refresh_done(self) -> None:
        with self._flag:
            self._refreshing = False

    def forget(self) -> None:
        """Read the store on the next question (a change was made through this process)."""
        self._checked = float("-inf")

    def refresh(self) -> None:
        """Check the stored revisions now if the copy is stale; load what moved."""
        if not self.stale:
            return
        with self._lock:
            if not self.stale:
                return
            checked = time.monotonic()
            revisions = self._store.live_revisions()
            known = {cid: k for cid, k in self._known.items() if revisions.get(cid) == k.revision}
            moved = [cid for cid in revisions if cid not in known]
            for cid, found in self._store.load(moved).items() if moved else ():
                if isinstance(found, Stored):  # one that cannot be read is not open
                    campaign = found.campaign
                    known[cid] = _Known(found.revision, campaign.span, frozenset(campaign.killed))
            self._known, self._checked, self.loaded = known, checked, True

    def is_open(self, campaign_id: str, now: datetime, promotion_id: str = "") -> bool:
        """Live, and within its span at `now` (a campaign the store lacks is not); with
        `promotion_id`, that promotion not killed either."""
        self.refresh()
        return self.known_open(campaign_id, now, promotion_id)

    def known_open(self, campaign_id: str, now: datetime, promotion_id: str = "") -> bool:
        """As `is_open`, from the copy as it stands (no read)."""
        found = self._known.get(campaign_id)
        if found is None or not found.span.contains(now):
            return False
        return not promotion_id or promotion_id not in found.killed

    def span(self, campaign_id: str) -> Window | None:
        """The live campaign's span, as known (None: not live, or not yet loaded)."""
        self.refresh()
        found = self._known.get(campaign_id)
        return None if found is None else found.span

    def check(self, campaign_id: str, now: datetime, what: str = "claims") -> None:
        """CampaignStateError unless the campaign is open at `now`."""
        if not self.is_open(campaign_id, now):
            raise CampaignStateError(f"campaign {campaign_id} is not live: {what} are closed")
