"""Helpers for the browser tests: open a recorded page, wait for results, read plots, run axe.

Every page opened here goes through :class:`PageRecorder`, which records the host of every
request (route interception, anything off the server is aborted and remembered), every CSP
violation, and every uncaught script error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO = Path(__file__).resolve().parents[3]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"

# Waits on the page's own signals (a rendered partial, a filled table row), never on sleeps.
# Generous but bounded: the shared 2-core machine can be slow, a broken server must not hang.
RESULT_TIMEOUT = 45_000
STATUSES = ("#input-status", "#point-status", "#plot-status", "#descent-status", "#reg-status")

# Runs before any page script: collects CSP violations the browser reports.
_WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@dataclass
class PageRecorder:
    """A page plus what it did: request hosts, script errors, console errors."""

    page: Page
    base_url: str
    hosts: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    @property
    def own_host(self) -> str:
        return urlsplit(self.base_url).netloc

    def foreign_requests(self) -> list[str]:
        return [url for url, host in zip(self.requests, self.hosts, strict=True) if host != self.own_host]

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")

    def assert_clean(self) -> None:
        """No request off the server, no CSP violation, no uncaught error in the page."""
        assert self.foreign_requests() == []
        assert self.csp_violations() == []
        assert self.errors == []


def open_page(context: BrowserContext, base_url: str, path: str = "/", *, width: int = 1280,
              height: int = 900, color_scheme: str = "light", intercept: bool = False) -> PageRecorder:
    """A new page at ``base_url + path`` with every request's URL and host recorded.

    With ``intercept`` every request goes through route interception, which aborts anything
    not addressed to the server (and disables the HTTP cache); without it requests are observed
    as the page issues them, so pages share the context's HTTP cache and do not re-read Plotly
    for every test. Local storage is cleared before the page's own scripts run, so no test sees
    another's saved theme."""
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(color_scheme=color_scheme)
    page.set_default_timeout(RESULT_TIMEOUT)  # generous for a loaded machine, but bounded
    rec = PageRecorder(page, base_url)

    def route(route, request) -> None:
        host = urlsplit(request.url).netloc
        if request.url.startswith(("data:", "blob:")):
            route.continue_()
            return
        rec.requests.append(request.url)
        rec.hosts.append(host)
        if host == rec.own_host:
            route.continue_()
        else:  # recorded above; never let it out
            route.abort()

    def observe(request) -> None:
        if not request.url.startswith(("data:", "blob:")):
            rec.requests.append(request.url)
            rec.hosts.append(urlsplit(request.url).netloc)

    if intercept:
        page.route("**/*", route)
    else:
        page.on("request", observe)
    page.add_init_script(_WATCH_CSP)
    page.add_init_script("try { localStorage.clear(); } catch (e) {}")
    page.on("pageerror", lambda exc: rec.errors.append(str(exc)))
    page.on("console", lambda msg: rec.console_errors.append(msg.text) if msg.type == "error" else None)
    page.goto(base_url + path, wait_until="domcontentloaded")
    return rec


def page_statuses(page: Page) -> str:
    """What the page's status lines say: the diagnosis when an expected result never shows
    (e.g. the server's workers failing on a broken core answer every request with an error)."""
    parts = []
    for sel in STATUSES:
        text = page.locator(sel).inner_text(timeout=2_000).strip() if page.locator(sel).count() else ""
        if text:
            parts.append(f"{sel}: {text}")
    return "; ".join(parts) or "(no status shown)"


def _wait(page: Page, selector: str, what: str) -> None:
    try:
        page.wait_for_selector(selector, timeout=RESULT_TIMEOUT)
    except PlaywrightTimeoutError:
        raise AssertionError(f"{what} did not appear within {RESULT_TIMEOUT / 1000:.0f} s; "
                             f"the page says: {page_statuses(page)}") from None


def seq(page: Page) -> int:
    """How many edits the page has seen (``<body data-seq>``)."""
    return int(page.evaluate("document.body.dataset.seq || '0'"))


def wait_ready(page: Page, after: int | None = None) -> None:
    """Wait until the page says every panel for its latest edit is shown (``<body
    data-state="ready">``), and, with ``after``, that it has seen an edit since ``seq`` was
    ``after``. The page's own signal, so it holds however slow the machine is."""
    try:
        page.wait_for_function(
            "(after) => document.body.dataset.state === 'ready'"
            " && (after === null || Number(document.body.dataset.seq) > after)",
            arg=after, timeout=RESULT_TIMEOUT)
    except PlaywrightTimeoutError:
        raise AssertionError(f"the page was not ready within {RESULT_TIMEOUT / 1000:.0f} s; "
                             f"the page says: {page_statuses(page)}") from None


def type_function(page: Page, text: str, variables: str | None = None, *, delay: int = 15) -> None:
    """Type a function as a user does (keystrokes; optionally the Variables box first) and wait
    until every panel shows its answer."""
    before = seq(page)
    if variables is not None:
        page.fill("#vars", variables)
    page.fill("#fn", "")
    page.type("#fn", text, delay=delay)
    wait_ready(page, before)


def fill_function(page: Page, text: str) -> None:
    """Replace the function in one go (a paste) and wait until every panel shows its answer."""
    before = seq(page)
    page.fill("#fn", text)
    wait_ready(page, before)


def contour_box(page: Page) -> dict:
    """The contour plot's drawing area on screen (scrolled into view)."""
    page.wait_for_selector("#contour .nsewdrag")
    area = page.locator("#contour .nsewdrag").first
    area.scroll_into_view_if_needed()
    return area.bounding_box()


def click_contour(page: Page, fx: float, fy: float, *, shift: bool = False) -> None:
    """Click the contour plot at the fractions (fx, fy) of its drawing area (from the top left)."""
    box = contour_box(page)
    modifiers = ["Shift"] if shift else []
    page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    for key in modifiers:
        page.keyboard.down(key)
    page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    for key in modifiers:
        page.keyboard.up(key)


def check_answer(page: Page, answer: str, var: str | None = None) -> str:
    """Type an answer in "Check my answer", press Check, and return the verdict once shown."""
    if var is not None:
        page.select_option("#check-var", var)
    page.fill("#check-answer", answer)
    page.click("#check-button")
    page.wait_for_function(
        "() => { const r = document.querySelector('#check-result');"
        " return r.textContent.trim() && !r.textContent.includes('Checking'); }", timeout=RESULT_TIMEOUT)
    return page.inner_text("#check-result")


def wait_for_partials(page: Page, variables: tuple[str, ...] = ("x", "y")) -> None:
    for v in variables:
        _wait(page, f"#partials li[data-var='{v}'] .katex", f"the partial ∂f/∂{v}")


def wait_for_point(page: Page) -> None:
    _wait(page, "#point-table td[data-key='value']", "the point table")


def table_value(page: Page, key: str) -> str:
    """The text of a row of the point table; for an exact value shown with its float
    (sin(2) + 2 ≈ 2.90930), the float."""
    cell = page.locator(f"#point-table td[data-key='{key}']")
    approx = cell.locator(".approx")
    return approx.inner_text() if approx.count() else cell.inner_text()


def plot_data(page: Page, selector: str) -> list[dict]:
    """The traces Plotly drew in ``selector`` (names, x, y) as plain JSON."""
    return page.evaluate(
        """(sel) => (document.querySelector(sel).data || []).map(t => ({
             name: t.name, type: t.type, x: Array.from(t.x || []), y: Array.from(t.y || []) }))""",
        selector,
    )


def run_axe(page: Page) -> list[dict]:
    """axe-core's violations (WCAG 2.1 A/AA) on the page, injected from node_modules."""
    assert AXE.exists(), f"{AXE} is missing: run npm ci (./dev setup)"
    page.evaluate(AXE.read_text())  # evaluated through the DevTools protocol, not an inline script
    return page.evaluate(
        """async () => {
             const r = await axe.run(document, {runOnly: {type: 'tag',
               values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
             return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
           }"""
    )


def contour_trace(page: Page, name: str) -> dict | None:
    return next((t for t in plot_data(page, "#contour") if t["name"] == name), None)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]
