"""Domain objects to and from the JSON kept in `rule` columns."""

from datetime import datetime
from typing import Any

from dacu.domain.coupons import Audience, CouponTemplate, Validity
from dacu.domain.orders import Order, OrderLine, OrderStatus
from dacu.domain.pricing import Share
from dacu.domain.rules import Level, Scope, Window
from dacu.domain.wallet import WalletKind


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _scope(scope: Scope) -> dict[str, list[str]]:
    parts = {"skus": scope.skus, "categories": scope.categories, "shops": scope.shops}
    return {key: sorted(values) for key, values in parts.items() if values is not None}


def template_to_json(template: CouponTemplate) -> dict[str, Any]:
    return {
        "id": template.id,
        "name": template.name,
        "kind": template.kind.value,
        "level": template.level.value,
        "threshold": template.threshold,
        "off": template.off,
        "discount_bp": template.discount_bp,
        "max_off": template.max_off,
        "shop": template.shop,
        "scope": _scope(template.scope),
        "not_first_order": template.not_first_order,
        "funding_bp": template.funding_bp,
        "total_stock": template.total_stock,
        "per_user_limit": template.per_user_limit,
        "validity": {"ends_at": _time(template.validity.ends_at), "days": template.validity.days},
        "claim_window": {
            "starts_at": _time(template.claim_window.starts_at),
            "ends_at": _time(template.claim_window.ends_at),
        },
        "audience": template.audience.value,
        "campaign_id": template.campaign_id,
        **({"department": template.department} if template.department else {}),
        **({"budget": template.budget} if template.budget is not None else {}),
    }


def template_from_json(data: dict[str, Any]) -> CouponTemplate:
    scope = data.get("scope") or {}
    return CouponTemplate(
        id=data["id"],
        name=data["name"],
        kind=WalletKind(data["kind"]),
        level=Level(data["level"]),
        threshold=data["threshold"],
        off=data.get("off"),
        discount_bp=data.get("discount_bp"),
        max_off=data.get("max_off"),
        shop=data.get("shop"),
        scope=Scope(**{key: frozenset(values) for key, values in scope.items()}),
        not_first_order=data.get("not_first_order", False),
        funding_bp=data.get("funding_bp"),
        total_stock=data["total_stock"],
        per_user_limit=data["per_user_limit"],
        validity=Validity(_parse(data["validity"]["ends_at"]), data["validity"]["days"]),
        claim_window=Window(
            _parse(data["claim_window"]["starts_at"]), _parse(data["claim_window"]["ends_at"])
        ),
        audience=Audience(data["audience"]),
        campaign_id=data.get("campaign_id"),
        department=data.get("department"),
        budget=data.get("budget"),
    )


def order_to_json(order: Order) -> dict[str, Any]:
    """An order's locked lines and coupons, as the `document` column keeps them."""
    return {
        "coupons": list(order.coupons),
        "funders": dict(order.funders),
        "drawn": dict(order.drawn),
        **(
            {"levels": {r: list(lines) for r, lines in order.levels.items()}}
            if order.levels
            else {}
        ),
        "lines": [
            {
                "sku": line.sku,
                "shop": line.shop,
                "qty": line.qty,
                "list_amount": line.list_amount,
                "payable": line.payable,
                "discounts": [
                    {"id": d.id, "amount": d.amount, "platform": d.platform, "merchant": d.merchant}
                    for d in line.discounts
                ],
            }
            for line in order.lines
        ],
    }


def order_from_row(row: Any) -> Order:
    document = row.document
    return Order(
        id=row.id,
        customer_id=row.customer_id,
        lines=tuple(
            OrderLine(
                line["sku"],
                line["shop"],
                line["qty"],
                line["list_amount"],
                line["payable"],
                tuple(Share(**d) for d in line["discounts"]),
            )
            for line in document["lines"]
        ),
        coupons=tuple(document["coupons"]),
        status=OrderStatus(row.status),
        created_at=row.created_at,
        pay_by=row.pay_by,
        refunded=dict(row.refunded),
        version=int(row.version),
        funders=document.get("funders", {}),
        drawn=document.get("drawn", {}),
        levels={rule: tuple(lines) for rule, lines in document.get("levels", {}).items()},
    )
