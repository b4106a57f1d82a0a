"""The full page, served by ``nablab serve`` from a fresh venv that has only the built wheel.

Issue 12's "done when": the wheel carries the page's browser libraries, so a user who ran
``pip install 'nablab[web]'`` gets the whole page (typeset partials, contour plot, point table)
with no checkout and no node_modules anywhere near, and nothing is fetched from elsewhere.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_servers import ServerProcess, wait_for_url
from page_helpers import open_page, type_function, wait_for_partials, wait_for_point
from playwright.sync_api import BrowserContext

import wheel_tools

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def wheel_server(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Iterator[str]:
    home = tmp_path_factory.mktemp("wheel-server")
    venv = home / "venv"
    wheel_tools.fresh_venv(venv, f"{wheel}[web]")
    away = home / "elsewhere"  # no checkout, no node_modules here
    away.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "NABLAB_"))}
    log = home / "server.log"
    with log.open("wb") as err:
        process = subprocess.Popen(
            [str(venv / "bin" / "nablab"), "serve", "--port", "0", "--workers", "1"],
            cwd=away, env=env, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
            start_new_session=True)
    server = ServerProcess(process, wait_for_url(process, log), log)
    try:
        yield server.url
    finally:
        server.stop()
        if process.poll() is None:  # pragma: no cover - stop() waits; belt and braces
            os.killpg(process.pid, signal.SIGKILL)


def test_the_installed_wheel_serves_the_whole_page(context: BrowserContext, wheel_server: str):
    rec = open_page(context, wheel_server, "/", intercept=True)
    page = rec.page
    wait_for_partials(page)  # KaTeX from the wheel typeset the chapter's partials
    wait_for_point(page)
    type_function(page, "x*y^3")
    assert page.locator("#partials li[data-var='x'] .katex").count() == 1
    assert page.locator("#partials li[data-var='x']").get_attribute("data-text") == "y**3"
    # the contour plot is drawn by the wheel's plotly.js
    page.wait_for_selector("#contour .main-svg")
    assert page.evaluate("typeof window.Plotly") == "object"
    assert page.locator("#contour path.contourlevel, #contour .contour path").count() > 0
    rec.assert_clean()  # nothing off the server, no CSP violation, no script error
