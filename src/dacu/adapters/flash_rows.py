"""A flash sale's row: written by whichever comes first, the store or the SQL gate."""

from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Connection

from dacu.adapters.sql import insert_for
from dacu.adapters.tables import flash_sales
from dacu.domain.flashsale import FlashSale


def definition_values(sale: FlashSale) -> dict[str, Any]:
    """Everything about the sale but its live stock."""
    return {
        "sku": sale.sku,
        "title": sale.title,
        "starts_at": sale.starts_at,
        "ends_at": sale.ends_at,
        "stock": sale.stock,
        "limit_per_user": sale.limit_per_user,
        "price": sale.price,
        "safety_stock": sale.safety_stock,
        "pay_within_s": int(sale.pay_within.total_seconds()),
        "user_rate": sale.user_rate,
        "ip_rate": sale.ip_rate,
        "restock_at": sale.restock_at,
        "campaign_id": sale.campaign_id,
        "platform_bp": sale.platform_bp,
        "promotion_id": sale.promotion_id,
    }


def define_sale(connection: Connection, sale: FlashSale) -> bool:
    """Insert the sale unless it exists; True if this call made it."""
    made = connection.execute(
        insert_for(connection, flash_sales)
        .values(id=sale.id, stock_left=sale.stock, **definition_values(sale))
        .on_conflict_do_nothing()
        .returning(flash_sales.c.id)
    )
    return made.first() is not None


def sale_from_row(row: Any) -> FlashSale:
    return FlashSale(
        id=row.id,
        sku=row.sku,
        title=row.title,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        stock=row.stock,
        limit_per_user=row.limit_per_user,
        price=row.price,
        safety_stock=row.safety_stock,
        pay_within=timedelta(seconds=row.pay_within_s),
        user_rate=row.user_rate,
        ip_rate=row.ip_rate,
        restock_at=row.restock_at,
        campaign_id=row.campaign_id,
        platform_bp=row.platform_bp,
        promotion_id=row.promotion_id,
    )
