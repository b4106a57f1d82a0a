"""The widget in a real JupyterLab, driven by Debian's chromium through Playwright.

The test starts JupyterLab itself on loopback (a free port, token auth, no browser of its own,
config and runtime directories of its own) and stops it afterwards. JupyterLab and its kernel
run in a fresh venv that has only the built wheel (``nablab[notebook]``), JupyterLab and
ipykernel: what a user who ran ``pip install nablab[notebook] jupyterlab`` has. Chromium is
``/usr/bin/chromium`` through ``executable_path`` (never ``playwright install``): if it or
JupyterLab is missing, the test fails — it is never skipped.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from playwright.sync_api import Page, expect, sync_playwright

import wheel_tools

CHROMIUM = "/usr/bin/chromium"
NOTEBOOK = "widget.ipynb"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"JupyterLab did not answer within {seconds} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def lab_venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A fresh venv with the wheel's ``nablab[notebook]``, JupyterLab and ipykernel."""
    venv = tmp_path_factory.mktemp("lab") / "venv"
    wheel_tools.fresh_venv(venv, f"{wheel}[notebook]", "jupyterlab", "ipykernel")
    return venv


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory, lab_venv: Path) -> Iterator[str]:
    """JupyterLab on 127.0.0.1 with a notebook that shows the widget; yields the notebook's URL."""
    home = tmp_path_factory.mktemp("jupyterlab")
    root = home / "root"
    root.mkdir()
    nb = new_notebook(cells=[
        new_code_cell('import nablab\nw = nablab.widget("x^2 y + sin(xy)", at={"x": 1, "y": 2})\nw'),
        new_code_cell('print("kernel:", w.function, "|", w.result["partials"][0]["echo"], "| η =", w.eta)'),
        new_code_cell('import os\nprint("nablab from", os.path.dirname(nablab.__file__))'),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}})
    nbformat.write(nb, root / NOTEBOOK)
    config = home / "config"
    (config / "labconfig").mkdir(parents=True)
    # no "news" pop-up over the notebook (and no request for it)
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "NABLAB_"))}
    env = {**env, "PATH": f"{lab_venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
           "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    port, token = free_port(), secrets.token_hex(16)
    log = home / "jupyterlab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(lab_venv / "bin" / "python"), "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
             "--LabApp.news_url=", "--LabApp.check_for_updates_class="
             "jupyterlab.NeverCheckForUpdate", "--ServerApp.terminals_enabled=False",
             # CI containers run as root; JupyterLab refuses that unless told
             *(["--allow-root"] if os.geteuid() == 0 else [])],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/status?token={token}", proc, log)
        yield f"{base}/lab/tree/{NOTEBOOK}?token={token}"
    finally:
        proc.terminate()  # SIGTERM: the server stops its kernels on the way out
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def page(jupyterlab: str) -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: the JupyterLab test must run"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.outside = []  # requests that leave the machine (the widget needs none)
        page.on("request", lambda r: r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                or page.outside.append(r.url))
        page.goto(jupyterlab)
        yield page
        browser.close()


def run_cell(page: Page, index: int) -> None:
    cell = page.locator(".jp-Notebook .jp-CodeCell").nth(index)
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")


def painted(page: Page) -> int:
    """How many pixels of the contour canvas are not background: a drawn plot has thousands."""
    return page.eval_on_selector(".nablab-widget .nw-contour", """c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) n++;
        return n;
    }""")


def test_widget_in_jupyterlab_reads_a_typed_function_and_draws_its_contours(page: Page,
                                                                          lab_venv: Path):
    expect(page.locator(".jp-Notebook .jp-CodeCell").first).to_be_visible(timeout=60_000)
    # a cell run before the kernel is connected is not run at all: wait for it
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=60_000)
    run_cell(page, 0)
    widget = page.locator(".nablab-widget")
    expect(widget).to_have_attribute("data-state", "ready", timeout=60_000)
    partials = widget.locator(".nw-partials li")
    expect(partials).to_have_count(2)
    expect(partials.nth(0)).to_have_attribute("data-text", "2*x*y + y*cos(x*y)")
    box = widget.bounding_box()
    assert box is not None and box["width"] <= 800 and box["height"] <= 600

    # the user types a function in the widget: the kernel works it out, the view shows it
    fn = widget.locator(".nw-fn")
    fn.fill("x*y^3")
    expect(partials.nth(0)).to_have_attribute("data-text", "y**3", timeout=20_000)
    expect(partials.nth(1)).to_have_attribute("data-text", "3*x*y**2")
    expect(widget.locator(".nw-partials math")).to_have_count(2)  # typeset (MathML)
    expect(widget.locator(".nw-echo")).to_have_text("read as x·y^3")
    expect(widget.locator(".nw-gradient mtable mtr")).to_have_count(2)
    canvas = widget.locator(".nw-contour")
    expect(canvas).to_have_attribute("data-function", "x*y^3")
    assert int(canvas.get_attribute("data-segments")) > 100
    assert int(canvas.get_attribute("data-arrows")) > 50
    assert painted(page) > 5000
    expect(widget.locator(".nw-point tbody tr")).to_have_count(2)

    # the steps open (typeset), and descent follows η
    widget.locator(".nw-steps details[data-var=x] summary").click()
    expect(widget.locator(".nw-steps details[data-var=x] .nw-step math").first).to_be_visible()
    widget.locator(".nw-eta").fill("0.01")
    expect(widget.locator(".nw-descent-note")).to_contain_text("η = 0.01", timeout=20_000)

    # the kernel's traits followed the view
    run_cell(page, 1)
    expect(page.locator(".jp-OutputArea-output").filter(has_text="kernel:")).to_have_text(
        "kernel: x*y^3 | y^3 | η = 0.01", timeout=20_000)
    run_cell(page, 2)  # the kernel's nablab is the wheel's, installed in the fresh venv
    expect(page.locator(".jp-OutputArea-output").filter(has_text="nablab from")).to_have_text(
        f"nablab from {lab_venv}/lib/python{sys.version_info.major}."
        f"{sys.version_info.minor}/site-packages/nablab", timeout=20_000)

    # bad input: the error at its column with the hint, the last good result stays
    fn.fill("x^2 +")
    error = widget.locator(".nw-error")
    expect(error).to_be_visible(timeout=20_000)
    expect(error.locator(".nw-caret")).to_have_attribute("data-column", "6")
    expect(error.locator(".nw-hint")).to_contain_text("complete the expression")
    expect(partials.nth(0)).to_have_attribute("data-text", "y**3")
    expect(widget.locator(".nw-echo")).to_contain_text("last good reading")
    assert page.outside == []
