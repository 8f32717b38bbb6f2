"""Quote route: the best legal price of a cart for the consumer asking, right now."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from dacu.domain.access import Role
from dacu.domain.cart import Customer
from dacu.entrypoints.api.context import HOT_SECURITY, PlatformDep, hot_principal
from dacu.entrypoints.scenario import CartIn, result_to_json

router = APIRouter(prefix="/v1/quotes", tags=["quotes"])


class QuoteIn(BaseModel):
    cart: CartIn
    first_order: bool = False
    phone_verified: bool = False
    member_tier: str | None = None
    bought: dict[str, int] = Field(default_factory=dict)
    explain: bool = False


@router.post("", openapi_extra=HOT_SECURITY, response_model=dict[str, Any])
async def post_quote(body: QuoteIn, request: Request, backend: PlatformDep) -> Response:
    """Price a cart with every live promotion and the coupons in your wallet.

    The answer has the pricing result format: lines, each discount and who
    funds it, the coupons used, 凑单 hints and warnings.
    """
    who = await hot_principal(request)  # a hot path: the token cache, no thread hop
    who.require(Role.CONSUMER)
    cart = body.cart.to_domain()
    customer = Customer(
        who.subject, body.first_order, body.phone_verified, body.member_tier, dict(body.bought)
    )
    result = backend.quotes.quote(cart, customer, backend.clock(), explain=body.explain)
    answer = result_to_json(result)
    if body.explain:
        answer["explain"] = [
            {"layer": n.layer, "rule": n.rule, "applied": n.applied, "reason": n.reason}
            for n in result.notes
        ]
    return JSONResponse(answer)  # plain JSON already: FastAPI's encoder would cost as much again
