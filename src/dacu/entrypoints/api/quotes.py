"""Quote route: the best legal price of a cart for the consumer asking, right now."""

from typing import Any

from fastapi import APIRouter

from dacu.domain.access import Role
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.pricing import CartIn, CustomerFactsIn, result_to_json

router = APIRouter(prefix="/v1/quotes", tags=["quotes"])


class QuoteIn(CustomerFactsIn):
    cart: CartIn
    explain: bool = False


@router.post("")
def post_quote(body: QuoteIn, backend: PlatformDep, who: PrincipalDep) -> dict[str, Any]:
    """Price a cart with every live promotion and the coupons in your wallet.

    The answer has the pricing result format: lines, each discount and who
    funds it, the coupons used, 凑单 hints and warnings.
    """
    who.require(Role.CONSUMER)
    cart = body.cart.to_domain()
    customer = body.to_customer(who.subject)
    result = backend.quotes.quote(cart, customer, backend.clock(), explain=body.explain)
    return result_to_json(result, body.explain)
