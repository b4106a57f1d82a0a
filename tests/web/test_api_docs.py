"""/docs in a real browser (Debian's chromium via Playwright): renders the API offline under the
Content-Security-Policy, and its "send" box reaches the API. Never skipped: without chromium it
fails with a message."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.browser


def test_docs_page_renders_offline_and_sends_requests(live_server):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: ./dev test installs it"
    own = urlparse(live_server).netloc
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            console: list[str] = []
            foreign: list[str] = []
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("request", lambda r: foreign.append(r.url)
                    if urlparse(r.url).netloc not in (own, "") else None)
            page.goto(live_server + "/docs")
            page.locator("code", has_text="/api/gradient").first.wait_for(timeout=15000)
            for path in ("/api/parse", "/api/check", "/api/descent", "/api/regress",
                         "/api/plot", "/api/health"):
                assert page.locator("code", has_text=path).count() >= 1, path
            button = page.get_by_role("button", name="Send POST /api/parse")
            button.click()
            out = button.locator("xpath=following-sibling::pre[1]")
            out.wait_for(state="visible")
            page.wait_for_function("(el) => /^\\d{3} /.test(el.textContent)", arg=out.element_handle(),
                                   timeout=15000)
            assert out.text_content().startswith("200"), out.text_content()
            assert '"variables"' in out.text_content()
            assert not foreign, foreign
            violations = [m for m in console if "Content Security Policy" in m or "error" in m]
            assert not violations, violations
        finally:
            browser.close()
