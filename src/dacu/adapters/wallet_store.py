"""The held coupons of one customer, read for pricing in one query — with the live
campaigns' revisions in the same query when a quote needs them afresh.

The revisions a quote read are priced on for `REVISIONS_FRESH_S` more at most,
then read again (another process's apply, pause or kill reaches this one within
that, well under its second); a commit made through this process's engine —
its own apply, pause or kill among them — has them read again at once.

Coupons and their templates come back joined, a hot read (see `raw_reads`);
a template's rule is parsed once per process and again only when its stored
rule changes, and a coupon's wallet item is kept while its
template's rule and its expiry stay as they were.
"""

import json
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, event

from dacu.adapters.codec import template_from_json
from dacu.adapters.raw_reads import HotReads, aware
from dacu.domain.wallet import WalletItem

# The rule as text: comparing it with the one kept is cheaper than parsing it.
# A coupon of a campaign that is paused, ended or not yet live does not price.
_LIVE = " AND (coupon_templates.campaign_id IS NULL OR campaigns.status = 'live')"
_HELD = (
    "SELECT coupons.id, coupons.expires_at, CAST(coupon_templates.rule AS TEXT)"
    " FROM coupons JOIN coupon_templates ON coupon_templates.id = coupons.template_id"
    " LEFT JOIN campaigns ON campaigns.id = coupon_templates.campaign_id"
    " WHERE coupons.customer_id = ? AND coupons.status = 'held'" + _LIVE + " ORDER BY coupons.id"
)
# What a quote reads, in one round trip: the live campaigns' revisions ("r" rows,
# by id), then the customer's held coupons ("w" rows, by id).
_QUOTE = (
    "SELECT 'r', id, revision, NULL, NULL FROM campaigns WHERE status = 'live'"
    " UNION ALL SELECT 'w', coupons.id, NULL, coupons.expires_at,"
    " CAST(coupon_templates.rule AS TEXT)"
    " FROM coupons JOIN coupon_templates ON coupon_templates.id = coupons.template_id"
    " LEFT JOIN campaigns ON campaigns.id = coupon_templates.campaign_id"
    " WHERE coupons.customer_id = ? AND coupons.status = 'held'" + _LIVE + " ORDER BY 1, 2"
)
_KEPT = 100_000  # wallet items remembered, at most: a customer's are a handful
REVISIONS_FRESH_S = 0.1
"""How long (seconds) the live campaigns' revisions once read stand for the store's."""


class SqlHeldCoupons:
    def __init__(
        self,
        engine: Engine,
        *,
        fresh_s: float = REVISIONS_FRESH_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._hot = HotReads(engine)
        self._items: dict[str, tuple[Any, Any, WalletItem]] = {}
        self._fresh_s, self._clock = fresh_s, clock
        self._revisions: tuple[float, dict[str, int]] | None = None  # (read at, revisions)
        self._commits = 0  # commits through the engine: a read that saw fewer is not kept
        self._lock = threading.Lock()
        event.listen(engine, "commit", self._committed)

    def held(self, customer_id: str, now: datetime) -> list[WalletItem]:
        found = []
        for coupon_id, expires_at, rule in self._hot.fetch(_HELD, (customer_id,)):
            item = self._item(coupon_id, expires_at, rule)
            if item.expires_at >= now:
                found.append(item)
        return found

    def read(self, customer_id: str, now: datetime) -> tuple[dict[str, int], list[WalletItem]]:
        """The live campaigns' revisions, read at most `fresh_s` ago, and the customer's
        held coupons: one query either way."""
        started, commits, kept = self._clock(), self._commits, self._revisions
        if kept is not None and started - kept[0] < self._fresh_s:
            return kept[1], self.held(customer_id, now)
        revisions: dict[str, int] = {}
        found = []
        for kind, key, revision, expires_at, rule in self._hot.fetch(_QUOTE, (customer_id,)):
            if kind == "r":
                revisions[key] = int(revision)
                continue
            item = self._item(key, expires_at, rule)
            if item.expires_at >= now:
                found.append(item)
        with self._lock:
            if commits == self._commits:  # else a change may have come after the read
                self._revisions = (started, revisions)
        return revisions, found

    def _committed(self, _connection: object) -> None:
        with self._lock:
            self._commits += 1
            self._revisions = None

    def _item(self, coupon_id: str, expires_at: Any, rule: Any) -> WalletItem:
        kept = self._items.get(coupon_id)
        if kept is not None and kept[0] == expires_at and kept[1] == rule:
            return kept[2]
        parsed = json.loads(rule) if isinstance(rule, str) else rule
        item = template_from_json(parsed).wallet_item(coupon_id, aware(expires_at))
        if len(self._items) >= _KEPT:
            self._items.clear()
        self._items[coupon_id] = (expires_at, rule, item)
        return item
