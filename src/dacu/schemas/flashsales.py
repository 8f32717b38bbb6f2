"""A flash sale as an operator writes it (API body, or a YAML file for `dacu flash open`)."""

from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, Field

from dacu.domain.flashsale import FlashSale
from dacu.schemas.bounds import Bp, Count, Fen, Id, Moment, Name, Qty, aware

RequestId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class FlashSaleIn(BaseModel):
    id: RequestId
    campaign_id: Id = Field(description="the campaign it belongs to: paused and ended with it")
    sku: Id
    title: Name = ""
    starts_at: Moment
    ends_at: Moment
    stock: Count
    limit_per_user: Qty
    price: Fen = Field(description="fen per unit")
    safety_stock: Count = 0
    pay_within_s: int = Field(900, ge=1, le=86_400)
    user_rate: int = Field(5, ge=1, le=10**6, description="attempts per second per buyer")
    ip_rate: int = Field(200, ge=1, le=10**6, description="attempts per second per address")
    restock_at: Moment | None = None
    promotion_id: Id | None = Field(
        None, description="the campaign's flash-price promotion: its kill switch stops the sale"
    )
    platform_bp: Bp = Field(
        0,
        description="the platform's part of the cut (list price − flash price); the rest is "
        "the merchant's",
    )

    def to_domain(self) -> FlashSale:
        return FlashSale(
            self.id,
            self.sku,
            aware(self.starts_at),
            aware(self.ends_at),
            self.stock,
            self.limit_per_user,
            self.price,
            self.safety_stock,
            timedelta(seconds=self.pay_within_s),
            self.user_rate,
            self.ip_rate,
            self.title,
            aware(self.restock_at),
            self.campaign_id,
            self.platform_bp,
            self.promotion_id or "",
        )
