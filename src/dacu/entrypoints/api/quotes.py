"""Quote route: the best legal price of a cart for the consumer asking, right now."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from dacu.domain.access import Role
from dacu.entrypoints.api.context import HOT_SECURITY, PlatformDep, hot_principal
from dacu.schemas.carts import SkuCartIn, Strict
from dacu.schemas.pricing import result_to_json

router = APIRouter(prefix="/v1/quotes", tags=["quotes"])


class QuoteIn(Strict):
    cart: SkuCartIn
    explain: bool = False


@router.post("", openapi_extra=HOT_SECURITY, response_model=dict[str, Any])
async def post_quote(body: QuoteIn, request: Request, backend: PlatformDep) -> Response:
    """Price a cart of SKUs with every live promotion and the coupons in your wallet.

    Prices come from the catalog and what you are (new, verified, a member,
    what you bought) from your account; the body names SKUs and quantities only.

    The answer has the pricing result format: lines, each discount and who
    funds it, the coupons used, 凑单 hints and warnings.
    """
    who = await hot_principal(request)  # a hot path: the token cache, no thread hop
    who.require(Role.CONSUMER)
    cart = backend.goods.cart(body.cart.wanted(), body.cart.mode)
    customer = backend.customers.facts(who.subject)
    result = backend.quotes.quote(cart, customer, backend.clock(), explain=body.explain)
    # plain JSON already: FastAPI's encoder would cost as much again
    return JSONResponse(result_to_json(result, body.explain))
