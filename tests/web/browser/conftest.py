"""Browser fixtures: Debian's chromium driven by Playwright against the live server.

The browser is ``/usr/bin/chromium`` through ``executable_path`` (never ``playwright install``);
if it is missing, the tests fail — they are never skipped. ``live_server`` comes from
``tests/web/conftest.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from page_helpers import PageRecorder, open_page, wait_for_partials, wait_ready
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

# NABLAB_CHROMIUM only to check that a missing browser fails the run (it does not skip it).
CHROMIUM = os.environ.get("NABLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: install Debian's chromium (./dev test does it); "
        "the browser tests must run, never skip"
    )
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


@pytest.fixture(scope="session")
def context(browser: Browser) -> Iterator[BrowserContext]:
    """One context for all pages: its HTTP cache spares re-reading Plotly (4.6 MB) per test."""
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def app(context: BrowserContext, base_url: str) -> Iterator[PageRecorder]:
    """The page at / with the chapter's example computed (every panel shown)."""
    rec = open_page(context, base_url, "/")
    wait_for_partials(rec.page)
    wait_ready(rec.page)
    yield rec
    rec.page.close()


