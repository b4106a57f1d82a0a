"""The HTTP server's own guarantees, whatever the core answers: error shape, limits, runaway
requests, the queue bound, the cache, security headers, offline page and docs.

The server here runs the real worker tasks wrapped by ``nablab_web_test_tasks`` (texts starting
with ``test:`` spin, crash, sleep or count), so that killing and queueing are tested for real
without depending on which inputs the core happens to find hard.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import httpx
import pytest

ERROR_KEYS = {"message", "column", "hint"}


def assert_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


# -- error shape for FastAPI's own validation ----------------------------------------------
@pytest.mark.parametrize(("body", "needle"), [
    ({}, "text: this field is required"),
    ({"text": "x", "bogus": 1}, "bogus: unknown field"),
    ({"text": 5}, "text:"),
    ({"text": ""}, "the function is empty"),
    ({"text": "x" * 3000}, "the function is too long (3,000 characters; the limit is 2,000)"),
    ([1, 2], "must be a JSON object"),
])
def test_validation_errors_have_the_cli_error_shape(strict, body, needle):
    err = assert_error(strict.post("/api/parse", json=body), 422)
    assert needle in err["message"]


def test_invalid_json_and_nan_are_422(strict):
    err = assert_error(strict.post("/api/parse", content=b'{"text": "x"',
                                   headers={"content-type": "application/json"}), 422)
    assert "not valid JSON" in err["message"]
    err = assert_error(strict.post("/api/plot", content=b'{"text": "x", "x_range": [NaN, 1]}',
                                   headers={"content-type": "application/json"}), 422)
    assert "x_range" in err["message"]


def test_bounds_are_enforced_before_any_work(strict):
    assert "n:" in assert_error(strict.post("/api/plot", json={"text": "x*y", "n": 5000}),
                                422)["message"]
    assert "arrows" in assert_error(strict.post("/api/plot", json={"text": "x", "arrows": 99}),
                                    422)["message"]
    assert "rate" in assert_error(strict.post("/api/descent", json={
        "text": "x^2", "start": "x=1", "rate": -1}), 422)["message"]
    assert "start" in assert_error(strict.post("/api/descent", json={
        "text": "x^2", "start": "x1", "rate": 0.1}), 422)["message"]


def test_oversized_body_is_413(strict):
    err = assert_error(strict.post("/api/parse", json={"text": "x" * 5000}), 413)
    assert "4096 bytes" in err["message"]

    def chunks():  # no content-length: the limit still holds
        yield b'{"text": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    err = assert_error(strict.post("/api/parse", content=chunks(),
                                   headers={"content-type": "application/json"}), 413)


def test_unknown_path_and_method_use_the_error_shape(strict):
    assert_error(strict.get("/api/nothing"), 404)
    assert_error(strict.get("/api/parse"), 405)


# -- runaway work, crashes, queue ------------------------------------------------------------
def test_runaway_request_is_killed_and_the_server_keeps_serving(strict):
    before = strict.get("/api/health").json()
    t = time.perf_counter()
    err = assert_error(strict.post("/api/gradient", json={"text": "test:spin"}), 422)
    elapsed = time.perf_counter() - t
    assert "longer than the limit of 1 s" in err["message"]
    assert err["hint"]
    assert elapsed < 3
    ok = strict.post("/api/parse", json={"text": "test:count"})
    assert ok.status_code == 200
    after = strict.get("/api/health").json()
    assert after["killed"] == before["killed"] + 1
    assert after["alive"] == 1  # replaced: no worker lost
    # a time-out is not cached: the same request is tried again (and killed again)
    again = strict.post("/api/gradient", json={"text": "test:spin"})
    assert again.headers["x-nablab-cache"] == "miss"
    assert strict.get("/api/health").json()["killed"] == before["killed"] + 2


def test_crashed_worker_gives_an_error_and_is_replaced(strict):
    err = assert_error(strict.post("/api/parse", json={"text": "test:crash"}), 422)
    assert "crashed" in err["message"]
    assert strict.post("/api/parse", json={"text": "test:count crash"}).status_code == 200
    assert strict.get("/api/health").json()["alive"] == 1


def test_full_queue_gets_503_at_once(strict):
    def post(text):
        return strict.post("/api/parse", json={"text": text})

    with ThreadPoolExecutor(4) as pool:
        running = pool.submit(post, "test:sleep 0.8")
        time.sleep(0.2)
        waiting = pool.submit(post, "test:sleep 0.01")
        time.sleep(0.2)
        t = time.perf_counter()
        rejected = post("test:sleep 0.02")
        rejected_in = time.perf_counter() - t
        assert running.result().status_code == 200
        assert waiting.result().status_code == 200
    err = assert_error(rejected, 503)
    assert "busy" in err["message"]
    assert rejected.headers["retry-after"] == "1"
    assert rejected_in < 0.5
    # and afterwards the same request is served normally
    assert post("test:sleep 0.02").status_code == 200


def test_repeated_request_is_served_from_the_cache(strict):
    first = strict.post("/api/parse", json={"text": "test:count cache", "variables": "x, y"})
    second = strict.post("/api/parse", json={"variables": ["x", "y"], "text": "test:count cache"})
    third = strict.post("/api/parse", json={"text": "test:count other"})
    assert first.headers["x-nablab-cache"] == "miss"
    assert second.headers["x-nablab-cache"] == "hit"
    assert second.content == first.content  # not recomputed: the worker's counter did not move
    assert third.json()["count"] > first.json()["count"]
    assert strict.get("/api/health").json()["cache"]["hits"] >= 1


def test_identical_concurrent_requests_share_one_computation(strict):
    body = {"text": "test:sleep 0.6", "variables": "x"}
    before = strict.get("/api/health").json()["completed"]
    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(strict.post, "/api/parse", json=body) for _ in range(3)]
        responses = [f.result() for f in futures]
    assert all(r.status_code == 200 for r in responses)
    assert len({r.content for r in responses}) == 1
    assert sorted(r.headers["x-nablab-cache"] for r in responses)[0] in ("hit", "miss", "shared")
    assert "miss" in {r.headers["x-nablab-cache"] for r in responses}
    # one worker run for three requests (the queue of 1 would have refused a third otherwise)
    assert strict.get("/api/health").json()["completed"] == before + 1


# -- security headers, offline page and docs ------------------------------------------------
def test_csp_and_security_headers(strict):
    for path in ("/", "/api/health", "/docs", "/openapi.json"):
        r = strict.get(path)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-eval" not in csp and "http" not in csp
        assert "frame-ancestors 'self'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "SAMEORIGIN"
    embed = strict.get("/embed?f=x%5E2")
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    assert embed.content == strict.get("/").content


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key):
                self.refs.append(a[key])
        if tag == "script" and not a.get("src"):
            self._in_script = True
        if any(k.startswith("on") for k in a):
            self.inline_scripts += 1

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def _same_origin_assets(client: httpx.Client, path: str) -> list[str]:
    """Every src/href of the HTML at ``path`` is on this server and loads; returns them."""
    page = client.get(path)
    assert page.status_code == 200
    parser = _Refs()
    parser.feed(page.text)
    assert parser.inline_scripts == 0, "inline script would be blocked by the CSP"
    base = str(client.base_url) + path
    loaded = []
    for ref in parser.refs:
        url = urljoin(base, ref)
        if ref.startswith(("#", "data:")):  # no request at all
            continue
        assert urlparse(url).netloc == urlparse(str(client.base_url)).netloc, ref
        assert client.get(url).status_code == 200, ref
        loaded.append(urlparse(url).path)
    return loaded


def test_page_has_no_external_urls_and_its_assets_load(strict):
    loaded = _same_origin_assets(strict, "/")
    assert loaded, "the page loads no assets?"
    for path in loaded:
        text = strict.get(path).text if path.endswith((".js", ".css", ".html")) else ""
        if path.startswith("/static/"):
            # our own files name no other origin (vendor libraries only mention URLs in comments)
            assert not re.search(r"""["'(]\s*(https?:)?//(?!127\.0\.0\.1|localhost)""", text), path


def test_docs_work_offline(strict):
    loaded = _same_origin_assets(strict, "/docs")
    assert any(p.endswith(".js") for p in loaded)
    spec = strict.get("/openapi.json").json()
    for path in ("/api/parse", "/api/gradient", "/api/check", "/api/descent", "/api/regress",
                 "/api/plot", "/api/health"):
        assert path in spec["paths"]
    schema = spec["components"]["schemas"]["GradientRequest"]["properties"]
    assert {"text", "variables", "at", "direction", "form", "hessian", "steps"} <= set(schema)


def test_vendor_files_are_served(strict):
    assert strict.get("/vendor/katex/katex.min.js").status_code == 200
    assert strict.get("/vendor/katex/katex.min.css").status_code == 200
    assert strict.get("/vendor/plotly/plotly.min.js").status_code == 200
    assert_error(strict.get("/vendor/katex/../../package.json"), 404)


def test_missing_vendor_files_fail_clearly_at_start_up(tmp_path):
    from nablab.interfaces.web.app import AssetsMissing, Settings, create_app

    with pytest.raises(AssetsMissing, match=r"katex/dist.*plotly.*npm ci"):
        create_app(Settings(node_modules=tmp_path / "node_modules",
                            package_vendor=tmp_path / "vendor"))


def test_health(strict):
    h = strict.get("/api/health").json()
    assert h["status"] == "ok" and h["workers"] == 1 and h["alive"] == 1
    assert set(h["endpoints"]) == {"parse", "gradient", "check", "descent", "regress", "plot",
                                  "lab"}


# -- the command line starts the same server ------------------------------------------------
def test_nablab_serve_console_script_prints_the_url_and_serves(tmp_path):
    from live_servers import wait_for_url

    script = [sys.executable, "-c", "import sys; from nablab.interfaces.cli import entry; "
              "sys.argv[0] = 'nablab'; entry()"]
    import shutil

    exe = shutil.which("nablab", path=str(__import__("pathlib").Path(sys.executable).parent))
    cmd = [exe] if exe else script
    log = tmp_path / "serve.log"
    with open(log, "wb") as err:
        process = subprocess.Popen([*cmd, "serve", "--port", "0", "--workers", "1"],
                                   stdout=subprocess.PIPE, stderr=err, start_new_session=True)
    # The page is served at once; the workers warm up in the background.
    try:
        url = wait_for_url(process, log, workers_ready=False)
        assert url.startswith("http://127.0.0.1:")
        h = httpx.get(url + "/api/health").json()
        assert h["workers"] == 1 and h["status"] in ("starting", "ok")
        assert httpx.get(url + "/").status_code == 200
    finally:
        # Stopped hard: it may still be warming up its workers (graceful SIGINT stops are
        # exercised by every fixture server).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_serve_refuses_a_port_in_use(capsys):
    import socket

    from nablab.interfaces.cli import main

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    try:
        code = main(["serve", "--port", str(sock.getsockname()[1]), "--workers", "1"])
    finally:
        sock.close()
    assert code == 2
    assert "cannot listen" in capsys.readouterr().err


def test_error_bodies_are_json_never_tracebacks(strict):
    r = strict.post("/api/parse", content=b"\xff\xfe", headers={"content-type": "application/json"})
    assert_error(r, 422)
    assert "Traceback" not in r.text
    assert json.loads(r.text)


@pytest.mark.filterwarnings("ignore::starlette.exceptions.StarletteDeprecationWarning")
def test_docs_fall_back_to_the_self_hosted_reader_without_swagger_ui(tmp_path):
    """With swagger-ui-dist installed (package.json pins it) /docs is Swagger UI; a checkout
    without it still documents the API with the self-hosted reader."""
    from starlette.testclient import TestClient

    from nablab.interfaces.web.app import Settings, create_app
    from nablab.interfaces.web.assets import find_node_modules

    real = find_node_modules()
    assert (real / "swagger-ui-dist" / "swagger-ui-bundle.js").is_file(), "run npm ci"
    assert "swagger-ui-bundle.js" in TestClient(create_app(Settings())).get("/docs").text
    partial = tmp_path / "node_modules"
    partial.mkdir()
    for name in ("katex", "plotly.js-dist-min"):
        (partial / name).symlink_to(real / name)
    client = TestClient(create_app(Settings(node_modules=partial)))
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" not in docs.text and "/apidocs/apidocs.js" in docs.text
    assert client.get("/apidocs/apidocs.js").status_code == 200
    assert client.get("/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 404
