"""Request limits held before any route runs: body size, and sane paths and query strings.

A pure ASGI middleware, so nothing is buffered on the way: a body declared
larger than the limit is refused with 413 before a byte of it is read, and a
chunked (or lying) body is counted as it streams and refused as soon as it
passes the limit. Paths and query strings with control characters (a NUL
byte, a line break) or of absurd length are a 422. Every refusal has the one
JSON error format of `errors.py`.
"""

from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dacu.domain.errors import ErrorCode
from dacu.entrypoints.api.errors import error_response

MAX_BODY_BYTES = 1024 * 1024  # 1 MB: a 1,000-event batch or a large campaign file fits
MAX_PATH_CHARS = 2048
MAX_QUERY_BYTES = 4096

_CONTROL = frozenset((*range(0x20), 0x7F))


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
        refusal = _bad_target(scope) or self._bad_length(scope)
        if refusal is not None:
            code, message, field = refusal
            await error_response(code, message, field)(scope, receive, send)
            return
        await self._counted(scope, receive, send)

    def _bad_length(self, scope: Scope) -> tuple[ErrorCode, str, str | None] | None:
        for name, value in scope["headers"]:
            if name != b"content-length":
                continue
            if not value.isdigit():
                return ErrorCode.MALFORMED, "Content-Length is not a number", "Content-Length"
            if int(value) > self.max_body_bytes:
                return ErrorCode.PAYLOAD_TOO_LARGE, _too_large(self.max_body_bytes), None
        return None

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


def _bad_target(scope: Scope) -> tuple[ErrorCode, str, str | None] | None:
    path: str = scope["path"]
    query: bytes = scope.get("query_string", b"")
    if len(path) > MAX_PATH_CHARS:
        return ErrorCode.INVALID, f"the path is longer than {MAX_PATH_CHARS} characters", "path"
    if any(ord(char) in _CONTROL for char in path):
        return ErrorCode.INVALID, "the path holds a control character", "path"
    if len(query) > MAX_QUERY_BYTES:
        return ErrorCode.INVALID, f"the query is longer than {MAX_QUERY_BYTES} bytes", "query"
    if _CONTROL.intersection(unquote_to_bytes(query)):
        return ErrorCode.INVALID, "the query holds a control character", "query"
    return None
