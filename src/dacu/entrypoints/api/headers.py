"""Security headers on every response: the API's, the console's, its assets', refusals'.

The console loads only what dacu serves itself (HTMX, ECharts, its own script
and style sheet; no inline script or style), so its policy allows `'self'`
only, and no page may be framed (clickjacking on the kill switch). No page
leaks its address in a Referer to another site, and no browser guesses a content type.
The OpenAPI pages (`/docs`, `/redoc`) load their viewers from their CDN; they
get a policy of their own with a nonce for their one inline script.

A pure ASGI middleware: it adds prebuilt headers to the response's start and
buffers nothing, so the hot path pays next to nothing.
"""

import secrets

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # not "no-referrer": a browser would then send Origin: null with the console's own
    # posts, which `web/session.py` must be able to tell from another site's
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
}
_CDN = "https://cdn.jsdelivr.net"
_ENCODED = [(name.lower().encode(), value.encode()) for name, value in HEADERS.items()]
_NO_STORE = (b"cache-control", b"no-store")  # console pages: who is signed in, live figures


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        private = path.startswith("/console") and not path.startswith("/console/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [pair for pair in _ENCODED if pair[0] not in present]
                if private and b"cache-control" not in present:
                    headers.append(_NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def install_docs(app: FastAPI) -> None:
    """/docs and /redoc as FastAPI serves them, their inline script under a nonce.
    The app is made with docs_url=None and redoc_url=None."""

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        page = get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} - Swagger UI")
        return _with_nonce(page)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _with_nonce(
            get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} - ReDoc")
        )


def _with_nonce(page: HTMLResponse) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    html = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
    policy = (
        f"default-src 'self'; script-src 'nonce-{nonce}' {_CDN}; style-src 'self' "
        f"'unsafe-inline' {_CDN} https://fonts.googleapis.com; font-src https://fonts.gstatic.com; "
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; worker-src blob:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})
