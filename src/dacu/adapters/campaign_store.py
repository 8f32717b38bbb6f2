"""Campaigns in SQL, kept as the documents they were applied from, every change audited.

Applying a campaign file again is how an operator corrects it: the document
is replaced as a whole (version + 1), its coupon templates are updated in
place — never below the coupons already issued — and the audit log keeps
both versions. Beside the document the row keeps the campaign compiled
(`campaign_codec`), so loading it needs no schema validation, and a
`revision` that every change moves, so pricing knows what to reload.
"""

import copy
from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection

from dacu.adapters.audit import record
from dacu.adapters.campaign_codec import decode_campaign, encode_campaign
from dacu.adapters.codec import template_to_json
from dacu.adapters.raw_reads import HotReads
from dacu.adapters.tables import campaigns, coupon_templates
from dacu.domain.campaigns import Campaign, CampaignStatus, UnknownCampaign
from dacu.domain.coupons import CouponTemplate
from dacu.domain.errors import ConcurrentChange, InvalidRule
from dacu.schemas.campaigns import load_campaign
from dacu.services.ports.campaigns import CampaignRecord, Stored, Unloadable

_LIVE_REVISIONS = "SELECT id, revision FROM campaigns WHERE status = ?"
_LOADED = (
    campaigns.c.id,
    campaigns.c.status,
    campaigns.c.killed,
    campaigns.c.revision,
    campaigns.c.compiled,
    campaigns.c.document,
)


class SqlCampaignStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._hot = HotReads(engine)

    def apply(self, document: dict[str, Any], campaign: Campaign, actor: str, now: datetime) -> int:
        """Create or replace a campaign from its document; returns the new version."""
        with self._engine.begin() as connection:
            before = connection.execute(
                select(campaigns.c.document, campaigns.c.version, campaigns.c.revision).where(
                    campaigns.c.id == campaign.id
                )
            ).one_or_none()
            values = {
                "theme": campaign.theme,
                "status": campaign.status.value,
                "document": document,
                "killed": campaign.killed,
                "compiled": encode_campaign(campaign),
                "updated_at": now,
            }
            if before is None:
                version = 1
                connection.execute(
                    insert(campaigns).values(id=campaign.id, version=1, revision=1, **values)
                )
            else:
                version = before.version + 1
                connection.execute(
                    update(campaigns)
                    .where(campaigns.c.id == campaign.id)
                    .values(version=version, revision=campaigns.c.revision + 1, **values)
                )
            for index, template in enumerate(campaign.coupons):
                _put_template(connection, index, template, now)
            record(
                connection,
                actor=actor,
                action="campaign.apply",
                subject=f"campaign:{campaign.id}",
                before=before.document if before else None,
                after=document,
                at=now,
            )
        return version

    def save(
        self, campaign: Campaign, expected_revision: int, action: str, actor: str, now: datetime
    ) -> int:
        """Status and kills as `campaign` has them, if nobody moved the revision meanwhile."""
        values = {"status": campaign.status.value, "killed": campaign.killed}
        with self._engine.begin() as connection:
            before = connection.execute(
                select(campaigns.c.status, campaigns.c.killed).where(campaigns.c.id == campaign.id)
            ).one_or_none()
            if before is None:
                raise UnknownCampaign(campaign.id)
            # the audit entry names what moved (everything, when nothing did)
            after = {k: v for k, v in values.items() if getattr(before, k) != v} or values
            done = connection.execute(
                update(campaigns)
                .where(campaigns.c.id == campaign.id, campaigns.c.revision == expected_revision)
                .values(revision=expected_revision + 1, updated_at=now, **values)
            )
            if done.rowcount != 1:
                raise ConcurrentChange(f"campaign {campaign.id} was changed meanwhile")
            record(
                connection,
                actor=actor,
                action=action,
                subject=f"campaign:{campaign.id}",
                before={"status": before.status, "killed": before.killed},
                after=after,
                at=now,
            )
        return expected_revision + 1

    def get(self, campaign_id: str) -> Stored:
        found = self.load([campaign_id]).get(campaign_id)
        if found is None:
            raise UnknownCampaign(campaign_id)
        if isinstance(found, Unloadable):
            raise InvalidRule("", f"campaign {campaign_id} cannot be loaded: {found.reason}")
        return found

    def campaign(self, campaign_id: str) -> Campaign:
        return self.get(campaign_id).campaign

    def document(self, campaign_id: str) -> dict[str, Any]:
        """The campaign file as it stands: applied document, current status and kills."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(campaigns.c.document, campaigns.c.status, campaigns.c.killed).where(
                    campaigns.c.id == campaign_id
                )
            ).one_or_none()
        if row is None:
            raise UnknownCampaign(campaign_id)
        document: dict[str, Any] = copy.deepcopy(row.document)
        document["status"] = row.status
        for promotion in document.get("promotions", []):
            if promotion.get("id") in row.killed:
                promotion["killed"] = True
            else:
                promotion.pop("killed", None)
        return document

    def live_revisions(self) -> dict[str, int]:
        """One query on the status index, a hot read: every quote makes it."""
        rows = self._hot.fetch(_LIVE_REVISIONS, (CampaignStatus.LIVE.value,))
        return {campaign_id: int(revision) for campaign_id, revision in rows}

    def load(self, campaign_ids: Collection[str]) -> dict[str, Stored | Unloadable]:
        if not campaign_ids:
            return {}
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(*_LOADED).where(campaigns.c.id.in_(sorted(campaign_ids)))
            ).all()
        return {row.id: _compiled(row) for row in rows}

    def live(self) -> list[Campaign]:
        """Every campaign that is live (each prices only within its phases), by id."""
        found = self.load(self.live_revisions())
        return [
            held.campaign
            for _, held in sorted(found.items())
            if isinstance(held, Stored) and held.campaign.status is CampaignStatus.LIVE
        ]

    def version(self, campaign_id: str) -> int:
        with self._engine.connect() as connection:
            found = connection.scalar(
                select(campaigns.c.version).where(campaigns.c.id == campaign_id)
            )
        if found is None:
            raise UnknownCampaign(campaign_id)
        return int(found)

    def records(self) -> list[CampaignRecord]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(
                    campaigns.c.id,
                    campaigns.c.theme,
                    campaigns.c.status,
                    campaigns.c.version,
                    campaigns.c.revision,
                ).order_by(campaigns.c.id)
            ).all()
        return [
            CampaignRecord(r.id, r.theme, CampaignStatus(r.status), r.version, r.revision)
            for r in rows
        ]

    def ids(self) -> list[tuple[str, str, str, int]]:
        """(id, theme, status, version) of every campaign."""
        return [(r.id, r.theme, r.status.value, r.version) for r in self.records()]


def _compiled(row: Any) -> Stored | Unloadable:
    """The row's campaign with its current status and kills; from the document if the
    compiled form is missing or of another layout, Unloadable if neither reads."""
    try:
        campaign = decode_campaign(row.compiled) if row.compiled else None
    except (AttributeError, LookupError, TypeError, ValueError):  # another layout or class
        campaign = None
    try:
        if campaign is None:
            campaign = load_campaign(copy.deepcopy(row.document))[1]
        return Stored(_standing(campaign, row.status, row.killed), row.revision)
    except (AttributeError, LookupError, TypeError, ValueError) as error:
        return Unloadable(row.id, row.revision, f"{type(error).__name__}: {error}")


def _standing(campaign: Campaign, status: str, killed: Iterable[str]) -> Campaign:
    """The compiled campaign as it stands: the row's status and kills are the truth."""
    off = set(killed)
    promotions = campaign.promotions
    if any(held.killed != (held.promotion.id in off) for held in promotions):
        promotions = tuple(replace(held, killed=held.promotion.id in off) for held in promotions)
    return replace(campaign, status=CampaignStatus(status), promotions=promotions)


def _put_template(
    connection: Connection, index: int, template: CouponTemplate, now: datetime
) -> None:
    issued = connection.scalar(
        select(coupon_templates.c.issued).where(coupon_templates.c.id == template.id)
    )
    values = {
        "campaign_id": template.campaign_id,
        "name": template.name,
        "total_stock": template.total_stock,
        "per_user_limit": template.per_user_limit,
        "rule": template_to_json(template),
    }
    if issued is None:
        connection.execute(
            insert(coupon_templates).values(id=template.id, created_at=now, **values)
        )
        return
    if template.total_stock < issued:
        raise InvalidRule(
            f"coupons[{index}].total_stock", f"below the {issued} coupons already issued"
        )
    connection.execute(
        update(coupon_templates).where(coupon_templates.c.id == template.id).values(**values)
    )
