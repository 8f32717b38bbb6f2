"""Request limits held before any route runs: body size, and sane paths and query strings.

A pure ASGI middleware, so nothing is buffered on the way: a body declared
larger than the limit is refused with 413 before a byte of it is read, and a
chunked (or lying) body is counted as it streams and refused as soon as it
passes the limit. Paths and query strings with control characters (a NUL
byte, a line break) or of absurd length are a 422. Every refusal has the one
JSON error format of `errors.py`.
"""

import re
from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dacu.domain.errors import ErrorCode
from dacu.entrypoints.api.errors import error_response

MAX_BODY_BYTES = 1024 * 1024  # 1 MB: a 1,000-event batch or a large campaign file fits
MAX_PATH_CHARS = 2048
MAX_QUERY_BYTES = 4096

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]")
_Refusal = tuple[ErrorCode, str, str | None]


class BodyTooLarge(HTTPException):
    """The body passed the limit while it streamed in."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit))


class RequestLimits:
    """Refuse what no route should ever see: oversized bodies, control characters in URLs."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = _bad_target(scope)
        declared = None
        if refusal is None:
            declared, refusal = self._declared_length(scope)
        if refusal is not None:
            code, message, field = refusal
            await error_response(code, message, field)(scope, receive, send)
        elif declared is not None:  # the server delivers no more than it declares
            await self.app(scope, receive, send)
        else:  # chunked: counted as it streams
            await self._counted(scope, receive, send)

    def _declared_length(self, scope: Scope) -> tuple[int | None, _Refusal | None]:
        for name, value in scope["headers"]:
            if name != b"content-length":
                continue
            if not value.isdigit():
                bad = "Content-Length is not a number"
                return None, (ErrorCode.MALFORMED, bad, "Content-Length")
            if int(value) > self.max_body_bytes:
                return None, (ErrorCode.PAYLOAD_TOO_LARGE, _too_large(self.max_body_bytes), None)
            return int(value), None
        return None, None

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_body_bytes
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:  # too late to answer; the server closes the connection
                raise
            response = error_response(ErrorCode.PAYLOAD_TOO_LARGE, _too_large(limit))
            await response(scope, receive, send)


def _too_large(limit: int) -> str:
    return f"the request body is larger than {limit} bytes"


def _bad_target(scope: Scope) -> _Refusal | None:
    path: str = scope["path"]
    query: bytes = scope.get("query_string", b"")
    if len(path) > MAX_PATH_CHARS:
        return ErrorCode.INVALID, f"the path is longer than {MAX_PATH_CHARS} characters", "path"
    if _CONTROL.search(path):
        return ErrorCode.INVALID, "the path holds a control character", "path"
    if not query:
        return None
    if len(query) > MAX_QUERY_BYTES:
        return ErrorCode.INVALID, f"the query is longer than {MAX_QUERY_BYTES} bytes", "query"
    if _CONTROL_BYTES.search(unquote_to_bytes(query) if b"%" in query else query):
        return ErrorCode.INVALID, "the query holds a control character", "query"
    return None
