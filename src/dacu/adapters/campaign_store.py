"""Campaigns in SQL, kept as the documents they were applied from, every change audited.

Applying a campaign file again is how an operator corrects it: the document
is replaced as a whole (version + 1), its coupon templates are updated in
place — never below the coupons already issued — and the audit log keeps
both versions.
"""

import copy
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection

from dacu.adapters.audit import record
from dacu.adapters.codec import template_to_json
from dacu.adapters.tables import campaigns, coupon_templates
from dacu.domain.campaigns import Campaign, Status, UnknownCampaign
from dacu.domain.coupons import CouponTemplate
from dacu.domain.errors import InvalidRule
from dacu.schemas.campaigns import load_campaign


class SqlCampaignStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def apply(self, document: dict[str, Any], campaign: Campaign, actor: str, now: datetime) -> int:
        """Create or replace a campaign from its document; returns the new version."""
        killed = sorted(held.promotion.id for held in campaign.promotions if held.killed)
        with self._engine.begin() as connection:
            before = connection.execute(
                select(campaigns.c.document, campaigns.c.version).where(
                    campaigns.c.id == campaign.id
                )
            ).one_or_none()
            values = {
                "theme": campaign.theme,
                "status": campaign.status.value,
                "document": document,
                "killed": killed,
                "updated_at": now,
            }
            if before is None:
                version = 1
                connection.execute(insert(campaigns).values(id=campaign.id, version=1, **values))
            else:
                version = before.version + 1
                connection.execute(
                    update(campaigns)
                    .where(campaigns.c.id == campaign.id)
                    .values(version=version, **values)
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

    def campaign(self, campaign_id: str) -> Campaign:
        return load_campaign(self.document(campaign_id))[1]

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

    def live(self) -> list[Campaign]:
        """Every campaign that is live (each prices only within its phases)."""
        with self._engine.connect() as connection:
            found = connection.scalars(
                select(campaigns.c.id).where(campaigns.c.status == Status.LIVE.value)
            ).all()
        return [self.campaign(campaign_id) for campaign_id in found]

    def version(self, campaign_id: str) -> int:
        with self._engine.connect() as connection:
            found = connection.scalar(
                select(campaigns.c.version).where(campaigns.c.id == campaign_id)
            )
        if found is None:
            raise UnknownCampaign(campaign_id)
        return int(found)

    def ids(self) -> list[tuple[str, str, str, int]]:
        """(id, theme, status, version) of every campaign."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(
                    campaigns.c.id, campaigns.c.theme, campaigns.c.status, campaigns.c.version
                ).order_by(campaigns.c.id)
            ).all()
        return [(r.id, r.theme, r.status, r.version) for r in rows]

    def set_status(self, campaign_id: str, status: Status, actor: str, now: datetime) -> None:
        """Go live, pause, resume or end, at once."""
        self._change(campaign_id, "campaign.status", actor, now, status=status.value)

    def kill(
        self, campaign_id: str, promotion_id: str, actor: str, now: datetime, killed: bool = True
    ) -> None:
        """Switch one promotion off (or back on) at once: the kill switch."""
        current = self.campaign(campaign_id)
        current.kill(promotion_id, killed)  # raises KeyError for an unknown promotion
        with self._engine.connect() as connection:
            kills = set(
                connection.scalar(select(campaigns.c.killed).where(campaigns.c.id == campaign_id))
                or []
            )
        kills = kills | {promotion_id} if killed else kills - {promotion_id}
        self._change(campaign_id, "promotion.kill", actor, now, killed=sorted(kills))

    def _change(
        self, campaign_id: str, action: str, actor: str, now: datetime, **values: Any
    ) -> None:
        with self._engine.begin() as connection:
            before = connection.execute(
                select(campaigns.c.status, campaigns.c.killed).where(campaigns.c.id == campaign_id)
            ).one_or_none()
            if before is None:
                raise UnknownCampaign(campaign_id)
            connection.execute(
                update(campaigns)
                .where(campaigns.c.id == campaign_id)
                .values(updated_at=now, **values)
            )
            record(
                connection,
                actor=actor,
                action=action,
                subject=f"campaign:{campaign_id}",
                before={"status": before.status, "killed": before.killed},
                after=values,
                at=now,
            )


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
