"""Every answer that is not 2xx, as one JSON shape: {"error": {"code", "message", "field"}}.

Domain errors carry their `ErrorCode`; `STATUS` is the one table from code to
HTTP status. Unknown routes, wrong methods, bodies that are not JSON, bodies
too large and anything unexpected answer in the same shape, never with a trace.
"""

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from dacu.domain.errors import DomainError, ErrorCode
from dacu.entrypoints.api.headers import HEADERS
from dacu.schemas.promotions import field_path

log = logging.getLogger("dacu.api")

STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID: 422,
    ErrorCode.MALFORMED: 400,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.INTERNAL: 500,
    ErrorCode.UNKNOWN_CAMPAIGN: 404,
    ErrorCode.UNKNOWN_PROMOTION: 404,
    ErrorCode.UNKNOWN_ORDER: 404,
    ErrorCode.UNKNOWN_COUPON_TEMPLATE: 404,
    ErrorCode.UNKNOWN_ENROLLMENT: 404,
    ErrorCode.UNKNOWN_MERCHANT: 404,
    ErrorCode.UNKNOWN_SALE: 404,
    ErrorCode.UNKNOWN_SKU: 404,
    ErrorCode.UNKNOWN_SHOP: 404,
    ErrorCode.UNKNOWN_RESERVATION: 404,  # someone else's is not shown to exist
    ErrorCode.IDEMPOTENCY_CONFLICT: 409,
    ErrorCode.CONCURRENT_CHANGE: 409,
    ErrorCode.ORDER_STATE: 409,
    ErrorCode.ENROLLMENT_STATE: 409,
    ErrorCode.CAMPAIGN_STATE: 409,
    ErrorCode.SOLD_OUT: 409,
    ErrorCode.CLAIM_REFUSED: 409,
    ErrorCode.CLAIM_WINDOW_CLOSED: 409,
    ErrorCode.NOT_IN_AUDIENCE: 409,
    ErrorCode.PER_USER_LIMIT_REACHED: 409,
    ErrorCode.OUT_OF_STOCK: 409,
    ErrorCode.UNKNOWN_ACTIVITY_CODE: 409,
    ErrorCode.COUPON_UNAVAILABLE: 409,
    ErrorCode.ORDER_PENDING: 409,
    ErrorCode.RESERVATION_RELEASED: 409,
    ErrorCode.GATE_UNAVAILABLE: 503,
    ErrorCode.EVENTS_UNAVAILABLE: 503,
    ErrorCode.UNKNOWN_PAYMENT: 404,
    ErrorCode.UNKNOWN_CHANNEL: 404,
    ErrorCode.PAYMENT_STATE: 409,
    ErrorCode.BAD_SIGNATURE: 401,
    ErrorCode.STALE_CALLBACK: 401,
    ErrorCode.CALLBACK_REPLAYED: 409,
    ErrorCode.AMOUNT_MISMATCH: 409,
    ErrorCode.BUDGET_SPENT: 409,
    ErrorCode.RISK_BLOCKED: 403,
    ErrorCode.UNKNOWN_TASK: 404,
    ErrorCode.NOT_ENOUGH_COINS: 409,
    ErrorCode.NO_CHANCE: 409,
    ErrorCode.UNKNOWN_REWARD: 404,
    ErrorCode.REWARD_STATE: 409,
    ErrorCode.PAYMENT_UNAVAILABLE: 503,
    ErrorCode.UNKNOWN_CUSTOMER: 404,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.WRONG_CODE: 422,
    ErrorCode.CODE_EXPIRED: 422,
    ErrorCode.UNKNOWN_SHARE: 404,
    ErrorCode.UNKNOWN_SHIPMENT: 404,
    ErrorCode.SHIPMENT_STATE: 409,
    ErrorCode.UNKNOWN_STATEMENT: 404,
    ErrorCode.STATEMENT_STATE: 409,
    ErrorCode.UNKNOWN_APPEAL: 404,
    ErrorCode.APPEAL_STATE: 409,
    ErrorCode.UNKNOWN_REVIEW: 404,
    ErrorCode.REVIEW_STATE: 409,
    ErrorCode.SAME_PERSON: 403,
    ErrorCode.UNKNOWN_PAYOUT: 404,
    ErrorCode.PAYOUT_STATE: 409,
    ErrorCode.UNKNOWN_DEPARTMENT: 404,
    # risk control
    ErrorCode.UNKNOWN_RISK_REVIEW: 404,
    ErrorCode.RISK_REVIEW_STATE: 409,
    ErrorCode.RISK_HELD: 409,
}

_BY_HTTP_STATUS = {
    400: ErrorCode.MALFORMED,  # e.g. a body nested too deeply to parse
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
}


def error_response(
    code: ErrorCode,
    message: str,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
    problems: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    status = STATUS[code]
    error: dict[str, Any] = {"code": code.value, "message": message, "field": field}
    if problems:
        error["problems"] = problems
    body = {"error": error}
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain(_: Request, error: DomainError) -> JSONResponse:
        # an import's rows, say: every one that is wrong, by row and column
        problems = [p._asdict() for p in getattr(error, "problems", ())]
        return error_response(error.code, error.message, error.field or None, problems=problems)

    @app.exception_handler(RequestValidationError)
    async def malformed(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = error.errors()
        first = problems[0] if problems else {"loc": (), "msg": "invalid request", "type": ""}
        if first.get("type") == "json_invalid":
            return error_response(ErrorCode.MALFORMED, "the body is not valid JSON", "body")
        field = field_path(first["loc"][1:], tags=()) or None  # after "body", "query" …
        return error_response(ErrorCode.INVALID, str(first["msg"]), field)

    @app.exception_handler(HTTPException)
    async def http(_: Request, error: HTTPException) -> JSONResponse:
        code = _BY_HTTP_STATUS.get(error.status_code)
        if code is None:
            body = {"error": {"code": "http_error", "message": str(error.detail), "field": None}}
            return JSONResponse(body, status_code=error.status_code, headers=error.headers)
        return error_response(code, str(error.detail), headers=error.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        # answered outside every middleware: the security headers come with it here
        return error_response(ErrorCode.INTERNAL, "something went wrong on our side", None, HEADERS)
