"""Real servers for the web tests: uvicorn in a subprocess on a free loopback port.

``start_server(**settings)`` starts one and waits until it is healthy; ``ServerProcess.stop()``
ends it and every process it started (its own process group). A module of its own (not
``conftest``) so that tests can import it: two ``conftest`` modules (``tests/web`` and
``tests/web/browser``) would shadow each other under one name.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent

# Runs create_app(Settings(**json)) under uvicorn on port 0 and prints the URL it got.
_SERVER_CODE = r"""
import json, socket, sys
sys.path.insert(0, sys.argv[2])
import uvicorn
from nablab.interfaces.web.app import Settings, create_app
app = create_app(Settings(**json.loads(sys.argv[1])))
sock = socket.socket()
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as `nablab serve` does
sock.bind(("127.0.0.1", 0))
print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
try:
    uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2)).run(
        sockets=[sock])
except KeyboardInterrupt:  # the fixture stops it with SIGINT, like Ctrl+C
    pass
"""


@dataclass
class ServerProcess:
    process: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        # Anything left in the server's own process group (workers, forkserver) goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=5)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


def wait_for_url(process: subprocess.Popen, log: Path, timeout: float = 120.0,
                 workers_ready: bool = True) -> str:
    """Read the server's first stdout line (its URL) and wait until /api/health answers (with
    ``workers_ready``: until it says the workers are up, status "ok")."""
    deadline = time.monotonic() + timeout
    line = process.stdout.readline().decode()
    match = re.search(r"http://[\w.\[\]:]+/?", line)
    if not match:
        process.kill()
        raise RuntimeError(f"server did not print its URL: {line!r}\n{log.read_text()}")
    url = match.group(0).rstrip("/")
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            health = httpx.get(url + "/api/health", timeout=2)
            if health.status_code == 200 and (not workers_ready
                                              or health.json()["status"] == "ok"):
                return url
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server at {url} did not become healthy:\n{log.read_text()}")


def launch(**settings) -> tuple[subprocess.Popen, Path]:
    """Start a server process (not waiting for it)."""
    log = Path(tempfile.mkstemp(prefix="nablab-server-", suffix=".log")[1])
    with open(log, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-c", _SERVER_CODE, json.dumps(settings), str(HERE)],
            stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return process, log


def start_server(**settings) -> ServerProcess:
    process, log = launch(**settings)
    return ServerProcess(process, wait_for_url(process, log), log)
