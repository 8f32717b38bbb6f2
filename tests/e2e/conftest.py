"""Debian's Chromium for the browser tests, driven by Playwright (never a downloaded browser)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = "Debian's Chromium is not at /usr/bin/chromium (apt-get install chromium)"
# headless as root, and quiet: this machine's closed network refuses Chromium's own calls
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def open_as(browser: Any) -> Iterator[Any]:
    """Open a console page signed in with a staff token: `open_as(site, who, path)`, where
    `site` holds the server's `base` and each person's `tokens`."""
    contexts: list[Any] = []

    def opened(site: dict[str, Any], who: str, path: str) -> Any:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(site["base"] + path)
        page.fill("#token", site["tokens"][who])
        page.click("button[type=submit]")
        page.wait_for_url(site["base"] + path)
        return page

    yield opened
    for context in contexts:
        context.close()
