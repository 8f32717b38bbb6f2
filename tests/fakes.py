"""In-memory fakes of the ports in `dacu.services.ports`, for services' unit tests.

Each concept keeps its own section; a fake keeps the port's promises (what it
raises, which writes are conditional) and nothing more.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from dacu.domain.alerts import Alert
from dacu.domain.campaigns import Campaign, CampaignStatus, UnknownCampaign
from dacu.domain.enrollment import Enrollment, Merchant, Review, UnknownEnrollment, UnknownMerchant
from dacu.domain.errors import ConcurrentChange
from dacu.domain.flashsale import FlashSale
from dacu.services.ports.campaigns import CampaignRecord, Stored, Unloadable

# --- enrollments ----------------------------------------------------------------------


@dataclass
class FakeCampaignRules:
    """CampaignRules: the campaigns an enrollment may join, by id."""

    campaigns: dict[str, Campaign] = field(default_factory=dict)

    def campaign(self, campaign_id: str) -> Campaign:
        if campaign_id not in self.campaigns:
            raise UnknownCampaign(campaign_id)
        return self.campaigns[campaign_id]


@dataclass
class FakeEnrollmentStore:
    """EnrollmentStore in dicts; `on_sale` is the stock approvals put on sale, `audit`
    the reviews recorded. `before_write` runs just before a conditional write, so a
    test can slip a rival's write in between a load and a save."""

    profiles: dict[str, Merchant] = field(default_factory=dict)
    rows: dict[str, Enrollment] = field(default_factory=dict)
    on_sale: dict[str, int] = field(default_factory=dict)
    audit: list[tuple[str, str, Review]] = field(default_factory=list)
    before_write: list[Callable[[], None]] = field(default_factory=list)

    def put_merchant(self, merchant: Merchant) -> None:
        self.profiles[merchant.shop] = merchant

    def merchant(self, shop: str) -> Merchant:
        if shop not in self.profiles:
            raise UnknownMerchant(shop)
        return self.profiles[shop]

    def merchants(self, shops: Collection[str]) -> dict[str, Merchant]:
        return {shop: self.profiles[shop] for shop in shops if shop in self.profiles}

    def get(self, enrollment_id: str) -> Enrollment:
        if enrollment_id not in self.rows:
            raise UnknownEnrollment(enrollment_id)
        return self.rows[enrollment_id]

    def find(self, campaign_id: str, sku: str) -> Enrollment | None:
        return next(
            (e for e in self.rows.values() if (e.campaign_id, e.sku) == (campaign_id, sku)), None
        )

    def add(self, enrollment: Enrollment) -> None:
        self._rival()
        if self.find(enrollment.campaign_id, enrollment.sku) is not None:
            raise ConcurrentChange(f"{enrollment.sku} was enrolled meanwhile", "sku")
        self.rows[enrollment.id] = enrollment

    def replace_terms(self, enrollment: Enrollment) -> None:
        self._rival()
        standing = self.rows.get(enrollment.id)
        if standing is None or standing.review is not Review.PENDING:
            raise ConcurrentChange(f"enrollment {enrollment.id} was reviewed meanwhile")
        self.rows[enrollment.id] = enrollment

    def save_review(self, reviewed: Enrollment, reviewer: str, now: datetime) -> None:
        self._rival()
        if self.rows[reviewed.id].review is not Review.PENDING:
            raise ConcurrentChange(f"enrollment {reviewed.id} was reviewed meanwhile")
        self.rows[reviewed.id] = reviewed
        if reviewed.on_sale is not None:
            self.on_sale[reviewed.sku] = reviewed.on_sale
        self.audit.append((reviewed.id, reviewer, reviewed.review))

    def of_campaign(self, campaign_id: str, review: Review | None = None) -> list[Enrollment]:
        found = [e for e in self.rows.values() if e.campaign_id == campaign_id]
        return sorted(
            (e for e in found if review is None or e.review is review), key=lambda e: e.sku
        )

    def _rival(self) -> None:
        while self.before_write:
            self.before_write.pop(0)()


# --- end of enrollments ---------------------------------------------------------------


# --- alerts and notifications ---------------------------------------------------------


@dataclass
class FakeAlerts:
    """Alerts: one standing alert per (subject, kind), cleared ones kept."""

    raised: list[Alert] = field(default_factory=list)

    def raise_alert(self, subject: str, kind: str, level: str, message: str, now: datetime) -> bool:
        if any(a.cleared_at is None for a in self.alerts(subject) if a.kind == kind):
            return False
        self.raised.append(Alert(len(self.raised) + 1, subject, kind, level, message, now, None))
        return True

    def clear_alert(self, subject: str, kind: str, now: datetime) -> bool:
        for i, alert in enumerate(self.raised):
            if (alert.subject, alert.kind, alert.cleared_at) == (subject, kind, None):
                self.raised[i] = replace(alert, cleared_at=now)
                return True
        return False

    def alerts(self, subject: str | None = None, standing: bool = False) -> list[Alert]:
        found = [
            a
            for a in self.raised
            if (subject is None or a.subject == subject) and not (standing and a.cleared_at)
        ]
        return sorted(found, key=lambda a: (a.raised_at, a.id), reverse=True)


@dataclass
class FakeNotifications:
    """Notifications: a reminder per (sale, user), told once until asked again."""

    waiting: dict[tuple[str, str], datetime | None] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)

    def subscribe(self, sale_id: str, user_id: str, now: datetime) -> None:
        self.waiting[(sale_id, user_id)] = None

    def remind(self, sale: FlashSale, message: str, now: datetime) -> int:
        told = [key for key, at in self.waiting.items() if key[0] == sale.id and at is None]
        for key in told:
            self.waiting[key] = now
            self.sent.append({"user_id": key[1], "subject": sale.id, "message": message})
        return len(told)

    def inbox(self, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
        return [n for n in reversed(self.sent) if n["user_id"] == user_id][:limit]


# --- end of alerts and notifications --------------------------------------------------


# --- campaigns ------------------------------------------------------------------------


@dataclass
class FakeCampaignStore:
    """CampaignStore in a dict: every save moves the revision, a stale one is refused;
    ids in `broken` load as Unloadable, `loads` counts the campaigns loaded."""

    rows: dict[str, tuple[Campaign, dict[str, Any], int, int]] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    loads: list[str] = field(default_factory=list)
    audit: list[tuple[str, str, str]] = field(default_factory=list)

    def apply(self, document: dict[str, Any], campaign: Campaign, actor: str, now: datetime) -> int:
        _, _, version, revision = self.rows.get(campaign.id, (campaign, document, 0, 0))
        self.rows[campaign.id] = (campaign, document, version + 1, revision + 1)
        self.audit.append((campaign.id, "campaign.apply", actor))
        return version + 1

    def save(
        self, campaign: Campaign, expected_revision: int, action: str, actor: str, now: datetime
    ) -> int:
        _, document, version, revision = self._row(campaign.id)
        if revision != expected_revision:
            raise ConcurrentChange(f"campaign {campaign.id} was changed meanwhile")
        self.rows[campaign.id] = (campaign, document, version, revision + 1)
        self.audit.append((campaign.id, action, actor))
        return revision + 1

    def touch(self, campaign_id: str) -> None:
        """Move the revision without a change, as an enrollment's approval does."""
        campaign, document, version, revision = self._row(campaign_id)
        self.rows[campaign_id] = (campaign, document, version, revision + 1)

    def get(self, campaign_id: str) -> Stored:
        campaign, _, _, revision = self._row(campaign_id)
        return Stored(campaign, revision)

    def document(self, campaign_id: str) -> dict[str, Any]:
        return self._row(campaign_id)[1]

    def records(self) -> list[CampaignRecord]:
        return [
            CampaignRecord(cid, c.theme, c.status, version, revision)
            for cid, (c, _, version, revision) in sorted(self.rows.items())
        ]

    def live_revisions(self) -> dict[str, int]:
        return {r.id: r.revision for r in self.records() if r.status is CampaignStatus.LIVE}

    def load(self, campaign_ids: Collection[str]) -> dict[str, Stored | Unloadable]:
        found: dict[str, Stored | Unloadable] = {}
        for cid in campaign_ids:
            if cid not in self.rows:
                continue
            self.loads.append(cid)
            stored = self.get(cid)
            broken = cid in self.broken
            found[cid] = Unloadable(cid, stored.revision, "broken") if broken else stored
        return found

    def _row(self, campaign_id: str) -> tuple[Campaign, dict[str, Any], int, int]:
        if campaign_id not in self.rows:
            raise UnknownCampaign(campaign_id)
        return self.rows[campaign_id]


# --- end of campaigns -----------------------------------------------------------------
