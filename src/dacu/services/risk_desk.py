"""The risk review desk (风控审核): one queue over every held subject and every appeal, its
evidence, and one-click decisions (see `domain/risk_review.py`).

A decision asks the subject's owning service first (`Owner.release` / `Owner.refuse`),
whose own conditional move lets one decision through; then it saves the decision if the
item is still open (audited with who and why). Two people deciding at once: one wins, the
other is told who decided. A retry of the same decision by the same person answers the
decided item.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from dacu.domain.errors import DomainError, InvalidRule
from dacu.domain.registration import RateLimited
from dacu.domain.risk_lists import ListEntry
from dacu.domain.risk_review import (
    Decision,
    Held,
    ReviewItem,
    ReviewKind,
    RiskReviewState,
    UnknownRiskReview,
    block_appeal,
    held_item,
    mask,
    text,
)
from dacu.domain.risk_rules import ListKind
from dacu.services.ports.risk_links import Cluster, IdentityLinks
from dacu.services.ports.risk_reviews import (
    Deed,
    EvidenceReads,
    HeldItems,
    Invitee,
    Owner,
    QueueFilter,
    ReviewStore,
)
from dacu.services.ports.risk_rules import Blacklist

ACCOUNT = ListKind.ACCOUNT.value
LISTABLE = frozenset(kind.value for kind in ListKind)
APPEALS_PER_HOUR = 5
MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class Evidence:
    item: ReviewItem
    cluster: Cluster | None
    members: list[str]
    shared: list[tuple[str, str, int]]  # (kind, masked value, accounts sharing it)
    timeline: list[Deed]
    invitees: list[Invitee]
    listed: list[ListEntry]  # the customer's own live entries


class RiskDesk:
    def __init__(
        self,
        store: ReviewStore,
        blacklist: Blacklist,
        held: HeldItems,
        evidence: EvidenceReads,
        links: IdentityLinks | None,
        owners: Mapping[ReviewKind, Owner],
        now: Callable[[], datetime],
        ids: Callable[[], str],
    ) -> None:
        self._store, self._blacklist, self._held, self._evidence = store, blacklist, held, evidence
        self._links, self._now, self._ids = links, now, ids
        self._owners = dict(owners)

    def own(self, kind: ReviewKind, owner: Owner) -> None:
        """Name how a kind of held subject is released or refused (wired later in the
        composition root: the risk gate's held refunds and payouts)."""
        self._owners[kind] = owner

    # the queue (the `ReviewQueue` port)
    def submit(self, held: Held) -> ReviewItem:
        return self._store.add(held_item(held.checked()))[0]

    def backfill(self) -> int:
        """Queue every subject held today that the queue does not hold yet; how many."""
        items = []
        for held in self._held.held():
            try:
                items.append(held_item(held.checked()))
            except InvalidRule:
                continue  # a subject the queue cannot name: left to its own service
        known = self._store.known([item.id for item in items])
        return sum(self._store.add(item)[1] for item in items if item.id not in known)

    def queue(
        self, where: QueueFilter, offset: int = 0, limit: int = 50
    ) -> tuple[list[ReviewItem], int]:
        if offset < 0:
            raise InvalidRule("offset", "must be 0 or more")
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidRule("limit", f"must be between 1 and {MAX_PAGE}")
        return self._store.page(where, offset, limit)

    def item(self, item_id: str) -> ReviewItem:
        found = self._store.item(item_id)
        if found is None:
            raise UnknownRiskReview(item_id)
        return found

    def evidence(self, item_id: str) -> Evidence:
        item = self.item(item_id)
        who = item.customer_id
        cluster = None if self._links is None else self._links.cluster(who)
        members = [] if cluster is None or self._links is None else self._links.members(cluster.id)
        shared = [] if self._links is None else self._links.shared(who)
        listed = [x for x in self.blacklist(ListKind.ACCOUNT) if x.value == who]
        return Evidence(
            item=item,
            cluster=cluster,
            members=members[:200],
            shared=[(kind.value, mask(value), n) for kind, value, n in shared],
            timeline=self._evidence.timeline(who),
            invitees=self._evidence.invitees(who),
            listed=listed,
        )

    def decide(
        self,
        item_id: str,
        by: str,
        decision: Decision,
        note: str = "",
        listing: Collection[str] = (),
        until: datetime | None = None,
    ) -> ReviewItem:
        """Approve, reject, or reject and blacklist (`listing`: "account" and link kinds,
        until `until` or for good)."""
        item = self.item(item_id)
        if item.decision is decision and item.decided_by == by:
            return item  # the same decision again: a retry
        now = self._now()
        chosen = _listing(decision, listing, until, now)
        decided = item.decided(decision, by, note, now)  # raises if decided already
        self._tell_owner(item, decision, by)
        listed = self._list(item, chosen, by, decided.note, until, now)
        decided = item.decided(decision, by, note, now, tuple(listed))
        if not self._store.decide(decided):
            self.item(item_id).ensure_open()  # says who decided first
            raise RiskReviewState(f"{item_id} was decided meanwhile", "status")
        return decided

    def _tell_owner(self, item: ReviewItem, decision: Decision, by: str) -> None:
        if item.kind is ReviewKind.BLOCK:
            if decision is Decision.APPROVE:
                self._blacklist.remove(ListKind.ACCOUNT, item.customer_id, by, self._now())
            return
        owner = self._owners.get(item.kind)
        if owner is None:
            if decision is Decision.APPROVE:
                raise RiskReviewState(f"nothing releases a {item.kind.value} here yet", "kind")
            return  # held, so nothing was paid: refused as it stands
        try:
            (owner.release if decision is Decision.APPROVE else owner.refuse)(item.key, by)
        except DomainError as error:
            again = self.item(item.id)
            again.ensure_open()  # decided meanwhile: that is the answer
            message = f"its {item.kind.value} is no longer held: {error}"
            raise RiskReviewState(message, "status") from error

    def _list(
        self,
        item: ReviewItem,
        listing: frozenset[str],
        by: str,
        note: str,
        until: datetime | None,
        now: datetime,
    ) -> list[str]:
        values: list[tuple[str, str]] = []
        if ACCOUNT in listing:
            values.append((ACCOUNT, item.customer_id))
        if listing - {ACCOUNT}:
            values += self._evidence.identifiers(item.customer_id)
        listed = []
        for kind, value in values:
            if kind in listing:
                reason = f"review {item.id}: {note}"[:200]
                self._blacklist.add(ListEntry(ListKind(kind), value, reason, by, now, until))
                listed.append(f"{kind}:{mask(value)}")
        return listed

    # the blacklist, by hand
    def blacklist(self, kind: ListKind | None = None) -> list[ListEntry]:
        """The live entries, newest first."""
        now = self._now()
        return [entry for entry in self._blacklist.entries(kind) if entry.live(now)]

    def list_value(
        self, kind: str, value: str, by: str, reason: str, until: datetime | None
    ) -> ListEntry:
        now = self._now()
        value = text("value", value, 200, required=True)
        if until is not None and until <= now:
            raise InvalidRule("until", "must be in the future")
        reason = text("reason", reason, 200, required=True)
        return self._blacklist.add(ListEntry(_kind(kind), value, reason, by, now, until))

    def unlist(self, kind: str, value: str, by: str) -> bool:
        return self._blacklist.remove(_kind(kind), value.strip(), by, self._now())

    # appeals
    def appeal(
        self, by: str, reason: str, item_id: str | None, shops: Collection[str] | None = None
    ) -> ReviewItem:
        """Appeal a held subject of one's own (`item_id`) or, with none, a block."""
        now = self._now()
        if self._store.appeals_since(by, now - timedelta(hours=1)) >= APPEALS_PER_HOUR:
            raise RateLimited("too many appeals; try again within the hour", 3600)
        if item_id is None:
            filed = block_appeal(self._ids(), by, reason, now)
            if not self._store.file_block(filed):
                raise RiskReviewState("an appeal of the block stands open already", "subject")
            return filed
        item = self._store.item(item_id)
        mine = shops is None and item is not None and item.customer_id == by
        theirs = shops is not None and item is not None and (item.shop or item.customer_id) in shops
        if item is None or not (mine or theirs) or item.kind is ReviewKind.BLOCK:
            raise UnknownRiskReview(item_id)
        appealed = item.appealed(by, reason, now)
        if not self._store.appeal(appealed):
            self.item(item_id).appealed(by, reason, now)  # says why
            raise RiskReviewState(f"an appeal of {item_id} stands open already", "subject")
        return appealed

    def appeals_of(self, by: str) -> list[ReviewItem]:
        return self._store.appeals_of(by)


def _listing(
    decision: Decision, listing: Collection[str], until: datetime | None, now: datetime
) -> frozenset[str]:
    chosen = frozenset(listing)
    if decision is not Decision.REJECT_BLACKLIST:
        if chosen or until is not None:
            raise InvalidRule("blacklist", "only a reject_blacklist decision lists anything")
        return chosen
    if not chosen:
        raise InvalidRule("blacklist", "name what to list: account, device, address …")
    unknown = chosen - LISTABLE
    if unknown:
        raise InvalidRule("blacklist", f"unknown: {', '.join(sorted(unknown))}")
    if until is not None and until <= now:
        raise InvalidRule("until", "must be in the future")
    return chosen


def _kind(kind: str) -> ListKind:
    if kind not in LISTABLE:
        raise InvalidRule("kind", f"must be one of {', '.join(sorted(LISTABLE))}")
    return ListKind(kind)
