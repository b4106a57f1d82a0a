"""/docs in the session's chromium: Swagger UI (swagger-ui-dist from node_modules, pinned in
package.json) renders every endpoint offline under the Content-Security-Policy, and its
"Try it out" reaches the API."""

from __future__ import annotations

import json

import pytest
from page_helpers import open_page

pytestmark = pytest.mark.browser

ENDPOINTS = ("/api/parse", "/api/gradient", "/api/check", "/api/descent", "/api/regress",
             "/api/plot", "/api/health")


def test_swagger_docs_render_offline_and_try_it_out_reaches_the_api(context, base_url):
    rec = open_page(context, base_url, "/docs", intercept=True)
    page = rec.page
    try:
        paths = page.locator(".opblock-summary-path")
        paths.first.wait_for(timeout=30_000)
        shown = set(paths.all_text_contents())
        assert set(ENDPOINTS) <= {p.replace("\u200b", "") for p in shown}, shown
        block = page.locator(".opblock", has=page.locator(".opblock-summary-path", has_text="/api/parse"))
        block.locator(".opblock-summary").first.click()
        block.locator("button.try-out__btn").click()
        block.locator("textarea.body-param__text").fill(json.dumps({"text": "x^2 y + sin(xy)"}))
        block.locator("button.execute").click()
        status = block.locator(".live-responses-table .response .response-col_status").first
        status.wait_for(timeout=30_000)
        assert status.inner_text().strip() == "200"
        body = json.loads(block.locator(".live-responses-table .response .response-col_description pre").first.inner_text())
        assert body["variables"] == ["x", "y"]
        # a bad input answers 422 with the error object, as documented
        block.locator("textarea.body-param__text").fill(json.dumps({"text": "x^2 y + sin(xy"}))
        block.locator("button.execute").click()
        page.wait_for_function(
            "(el) => el.textContent.trim() === '422'", arg=status.element_handle(), timeout=30_000)
        error = json.loads(block.locator(".live-responses-table .response .response-col_description pre").first.inner_text())
        assert set(error["error"]) >= {"message", "column", "hint"}
        rec.assert_clean()
        assert any(url.endswith("/vendor/swagger-ui/swagger-ui-bundle.js") for url in rec.requests)
    finally:
        page.close()
