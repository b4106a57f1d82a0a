"""The built wheel serves the page on its own: KaTeX, Plotly and Swagger UI travel inside it.

Builds the wheel from this checkout, installs it into a fresh venv (first the core alone: the
server must then name the missing extra; then with ``[web]``), starts ``nablab serve`` from an
unrelated directory and loads the page and its vendored files.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

import wheel_tools as tools

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"

pytestmark = pytest.mark.slow


def _get(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.read(), r.headers.get("content-type", "")


def test_wheel_installs_and_serves_the_page_from_elsewhere(tmp_path: Path, wheel: Path) -> None:
    uv = tools.uv()
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    vendor = "nablab/interfaces/web/vendor/"
    assert vendor + "katex/dist/katex.min.js" in names
    assert vendor + "plotly.js-dist-min/plotly.min.js" in names
    assert vendor + "swagger-ui-dist/swagger-ui-bundle.js" in names
    assert "nablab/interfaces/notebook/widget.js" in names
    assert "nablab/interfaces/notebook/widget.css" in names
    # only what the page loads: no KaTeX sources, no source maps, no dev-only axe-core
    assert not any(n.startswith(vendor) and (n.endswith(".map") or "/src/" in n) for n in names)
    assert not any("axe" in n for n in names)

    venv = tmp_path / "venv"
    assert tools.run(uv, "venv", "-q", "--python", sys.executable, str(venv)).returncode == 0
    py = venv / "bin" / "python"
    core = tools.run(uv, "pip", "install", "-q", "--python", str(py), str(wheel))
    assert core.returncode == 0, core.stderr[-2000:]
    away = tmp_path / "elsewhere"
    away.mkdir()
    nablab = str(venv / "bin" / "nablab")

    # the core alone: gradients work, the server names its extra
    grad = tools.run(nablab, "grad", "x^2 y", "--json", cwd=away)
    assert grad.returncode == 0, grad.stderr
    assert '"text": "2*x*y"' in grad.stdout
    no_web = tools.run(nablab, "serve", "--port", "0", cwd=away)
    assert no_web.returncode == 2
    assert "pip install 'nablab[web]'" in no_web.stderr
    assert "Traceback" not in no_web.stderr

    web = tools.run(uv, "pip", "install", "-q", "--python", str(py), f"{wheel}[web]")
    assert web.returncode == 0, web.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "NABLAB_"))}
    server = subprocess.Popen([nablab, "serve", "--port", "0", "--workers", "1"], cwd=away,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, (line, server.stderr.read() if server.poll() is not None else "")
        base = f"http://127.0.0.1:{m.group(1)}"
        deadline = time.monotonic() + 20
        while True:
            try:
                status, page, _ = _get(base + "/")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.2)
        assert status == 200
        assert b"/vendor/katex/katex.min.js" in page
        for url, npm in [("/vendor/katex/katex.min.js", "katex/dist/katex.min.js"),
                         ("/vendor/katex/fonts/KaTeX_Main-Regular.woff2",
                          "katex/dist/fonts/KaTeX_Main-Regular.woff2"),
                         ("/vendor/plotly/plotly.min.js", "plotly.js-dist-min/plotly.min.js"),
                         ("/vendor/swagger-ui/swagger-ui-bundle.js",
                          "swagger-ui-dist/swagger-ui-bundle.js")]:
            status, body, ctype = _get(base + url)
            assert status == 200, url
            assert body == (NODE_MODULES / npm).read_bytes(), url
            if url.endswith(".js"):
                assert "javascript" in ctype, (url, ctype)
        # the installed copy is the one served, not a checkout's node_modules
        site = tools.run(str(py), "-c", "import nablab, os; print(os.path.dirname(nablab.__file__))")
        assert str(venv) in site.stdout
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()
        server.stderr.close()
