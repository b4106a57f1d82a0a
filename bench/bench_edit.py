"""The page's edit, timed in a real browser: type new functions one after another, as a user does.

Starts a nablab server on a free loopback port, drives Debian's chromium through Playwright
(``executable_path="/usr/bin/chromium"``, never ``playwright install``) and types a series of
functions into the Function box, key by key. For each edit it reports

* requests: the /api/ requests the page made for the final text (after the last key),
* first request → last answer: from the first of those requests to the end of the last answer
  (the browser's own resource timings),
* keystroke → everything shown: from the last key to the page saying every panel is shown
  (``<body data-state="ready">``: reading, partials, steps, point table, contour plot drawn),
  the debounce included.

Both flows in the same run: the one-request edit (``/api/lab``) and the old one (``?multi=1``:
parse, gradient, gradient with steps, gradient at the point, plot). Every function is new to
the server in every round (a coefficient that differs per round and flow), so no answer comes
from its cache.

    .venv/bin/python bench/bench_edit.py            # 3 rounds, 8 functions each
    .venv/bin/python bench/bench_edit.py --rounds 1 --delay 60
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# {c}: a coefficient unique to the round and flow, so each text is new to the server's cache
FUNCTIONS = [
    "x^2 y + {c} sin(xy)",
    "{c} x^2 + 3 y^2",
    "exp(-x^2 - y^2) + {c} x y",
    "(1 - x)^2 + {c} (y - x^2)^2",
    "(x^2 + y - 11)^2 + (x + y^2 - {c})^2",
    "x^3 - {c} x y + y^3",
    "sin(x) cos(y) + x/{c}",
    "ln(1 + x^2 + y^2) + {c} y",
    "sqrt(x^2 + y^2 + {c})",
    "x e^y - {c} y^2",
]

_SERVER = r"""
import socket, sys
import uvicorn
from nablab.interfaces.web.app import Settings, create_app
app = create_app(Settings(workers=2))
sock = socket.socket()
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
sock.bind(("127.0.0.1", 0))
print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
"""

# Runs before the page's scripts: the time of the last key, seen by the page.
_WATCH_KEYS = """
window.__lastKey = 0;
document.addEventListener('keydown', () => { window.__lastKey = performance.now(); }, true);
"""


def start_server() -> tuple[subprocess.Popen, str]:
    """A server of our own on loopback (its own process group, so it is stopped with all its
    workers); returns it and its URL once /api/health says the workers are up."""
    log = tempfile.NamedTemporaryFile(prefix="bench-edit-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-c", _SERVER], stdout=subprocess.PIPE, stderr=log,
                               cwd=REPO, start_new_session=True)
    url = process.stdout.readline().decode().strip()
    if not url.startswith("http://127.0.0.1:"):
        stop_server(process)
        raise SystemExit(f"the server did not start: {Path(log.name).read_text()}")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/api/health", timeout=5).json().get("status") == "ok":
                return process, url
        time.sleep(0.3)
    stop_server(process)
    raise SystemExit("the server's workers did not start within 180 s")


def stop_server(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def wait_ready(page: Page) -> None:
    page.wait_for_function("() => document.body.dataset.state === 'ready'", timeout=120_000)


def one_edit(page: Page, text: str, delay: int) -> dict:
    """Select the function box's text, type ``text`` over it key by key, wait until every panel
    is shown; the figures of this edit."""
    page.click("#fn")
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    wait_ready(page)
    page.evaluate("performance.clearResourceTimings()")
    page.keyboard.type(text, delay=delay)
    wait_ready(page)
    return page.evaluate(
        """() => {
          const key = window.__lastKey, shown = window.__nablabReadyAt;
          const api = performance.getEntriesByType('resource')
            .filter((e) => e.name.includes('/api/') && e.startTime >= key);
          const first = Math.min(...api.map((e) => e.startTime));
          const last = Math.max(...api.map((e) => e.responseEnd));
          return { requests: api.length, endpoints: api.map((e) => new URL(e.name).pathname),
                   server: api.length ? last - first : null, shown: shown - key };
        }""")


def run_flow(context, url: str, multi: bool, round_no: int, count: int, delay: int) -> list[dict]:
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.add_init_script(_WATCH_KEYS)
    page.goto(url + ("/?multi=1" if multi else "/"), wait_until="domcontentloaded")
    wait_ready(page)
    page.wait_for_function("() => !!window.Plotly", timeout=120_000)
    out = []
    try:
        one_edit(page, "x^2 + y^2 + 0.5", delay)  # warm-up: the first drawing
        for i, template in enumerate(FUNCTIONS[:count]):
            c = 1 + i + 100 * round_no + (50 if multi else 0)
            out.append({"text": template.format(c=c), **one_edit(page, template.format(c=c), delay)})
    finally:
        page.close()
    return out


def summary(rows: list[dict]) -> dict:
    server = [r["server"] for r in rows if r["server"] is not None]
    shown = [r["shown"] for r in rows]
    return {
        "edits": len(rows),
        "requests per edit": statistics.median(r["requests"] for r in rows),
        "requests max": max(r["requests"] for r in rows),
        "first request → last answer median ms": round(statistics.median(server), 1),
        "first request → last answer max ms": round(max(server), 1),
        "keystroke → shown median ms": round(statistics.median(shown), 1),
        "keystroke → shown max ms": round(max(shown), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--functions", type=int, default=8, help=f"functions per round (≤ {len(FUNCTIONS)})")
    parser.add_argument("--delay", type=int, default=60, help="ms between keys")
    parser.add_argument("--only", choices=("lab", "multi"), default=None)
    parser.add_argument("--json", action="store_true", help="print every edit as JSON too")
    args = parser.parse_args()
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing (apt-get install chromium)"
    flows = [args.only] if args.only else ["lab", "multi"]
    process, url = start_server()
    results: dict[str, list[dict]] = {f: [] for f in flows}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context()
            for r in range(args.rounds):
                for flow in flows:  # interleaved, so both see the same machine load
                    results[flow] += run_flow(context, url, flow == "multi", r, args.functions, args.delay)
            browser.close()
    finally:
        stop_server(process)
    print(f"bench_edit: {args.rounds} round(s) × {args.functions} new functions typed at {args.delay} ms/key, "
          f"chromium {CHROMIUM}, server {url} (2 workers); the machine may be shared")
    names = {"lab": "one request (/api/lab)", "multi": "old flow (?multi=1)"}
    for flow in flows:
        s = summary(results[flow])
        print(f"\n{names[flow]}:")
        for key, value in s.items():
            print(f"  {key:<40} {value}")
        endpoints = sorted({tuple(r["endpoints"]) for r in results[flow]})
        print(f"  {'endpoints per edit':<40} {[list(e) for e in endpoints][:3]}")
    print("\ntargets: first request → last answer ≤ 60 ms median / ≤ 150 ms max; keystroke → shown ≤ 300 ms median")
    if args.json:
        print(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
