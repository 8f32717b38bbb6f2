"""Domain failures as JSON errors with stable codes: {"error": {"code", "message", "field"}}."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from dacu.adapters.campaign_store import UnknownCampaign
from dacu.adapters.coupon_store import UnknownTemplate
from dacu.adapters.enrollment_store import UnknownEnrollment
from dacu.adapters.order_store import ConcurrentChange, SoldOut, UnknownOrder
from dacu.domain.access import Forbidden
from dacu.domain.coupons import ClaimRefused
from dacu.domain.errors import InvalidRule
from dacu.domain.flashsale import GateUnavailable
from dacu.domain.orders import OrderStateError
from dacu.entrypoints.api.context import Unauthenticated
from dacu.services.flashsales import PaymentRefused, UnknownSale
from dacu.services.orders import IdempotencyConflict


def _error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "field": field}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(InvalidRule)
    async def invalid(_: Request, error: InvalidRule) -> JSONResponse:
        return _error(422, "invalid", error.message, error.field)

    @app.exception_handler(RequestValidationError)
    async def malformed(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        field = ".".join(str(part) for part in first["loc"][1:]) or None
        return _error(422, "invalid", str(first["msg"]), field)

    @app.exception_handler(ClaimRefused)
    async def refused(_: Request, error: ClaimRefused) -> JSONResponse:
        return _error(409, error.code, error.message)

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(_: Request, error: Unauthenticated) -> JSONResponse:
        return _error(401, "unauthenticated", str(error))

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, error: Forbidden) -> JSONResponse:
        return _error(403, "forbidden", str(error))

    @app.exception_handler(UnknownCampaign)
    async def no_campaign(_: Request, error: UnknownCampaign) -> JSONResponse:
        return _error(404, "unknown_campaign", f"no campaign {error}")

    @app.exception_handler(UnknownEnrollment)
    async def no_enrollment(_: Request, error: UnknownEnrollment) -> JSONResponse:
        return _error(404, "unknown_enrollment", f"no enrollment {error}")

    @app.exception_handler(UnknownOrder)
    async def no_order(_: Request, error: UnknownOrder) -> JSONResponse:
        return _error(404, "unknown_order", f"no order {error}")

    @app.exception_handler(SoldOut)
    async def sold_out(_: Request, error: SoldOut) -> JSONResponse:
        return _error(409, error.code, str(error))

    @app.exception_handler(ConcurrentChange)
    async def raced(_: Request, error: ConcurrentChange) -> JSONResponse:
        return _error(409, error.code, f"order {error} changed meanwhile; retry")

    @app.exception_handler(IdempotencyConflict)
    async def conflict(_: Request, error: IdempotencyConflict) -> JSONResponse:
        return _error(409, error.code, str(error))

    @app.exception_handler(OrderStateError)
    async def wrong_state(_: Request, error: OrderStateError) -> JSONResponse:
        return _error(409, "order_state", str(error))

    @app.exception_handler(UnknownTemplate)
    async def no_template(_: Request, error: UnknownTemplate) -> JSONResponse:
        return _error(404, "unknown_coupon_template", f"no coupon template {error}")

    @app.exception_handler(UnknownSale)
    async def no_sale(_: Request, error: UnknownSale) -> JSONResponse:
        return _error(404, error.code, f"no flash sale {error}")

    @app.exception_handler(PaymentRefused)
    async def not_payable(_: Request, error: PaymentRefused) -> JSONResponse:
        return _error(404 if error.code == "not_yours" else 409, error.code, str(error))

    @app.exception_handler(GateUnavailable)
    async def gate_down(_: Request, error: GateUnavailable) -> JSONResponse:
        message = f"the stock gate cannot be reached, nothing is sold meanwhile: {error}"
        return _error(503, error.code, message)
