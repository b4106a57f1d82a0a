"""Live servers for the web tests: a real uvicorn in a subprocess on a free loopback port.

``live_server`` (session-wide) yields the base URL of a server with the default settings; the
browser tests in ``tests/web/browser/`` use it too. ``strict`` is a client of one with
tiny limits (runaway and queue tests); ``live_servers.start_server(**settings)`` starts others.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_servers import ServerProcess, launch, wait_for_url

# The session's shared servers. Starting one takes seconds (SymPy is imported and warmed up in
# its forkserver), so when a run needs both they are launched together, right after collection.
SHARED = {
    "live_server": {"workers": 2},
    # one worker, 1 s time limit, a queue of 1, 4 KiB bodies, the test tasks (texts "test:…"
    # spin, crash, sleep or count; others go to the real tasks); demotion off so that the queue
    # bound is exact (demotion is tested in test_api_workers)
    "strict": {"workers": 1, "time_limit": 1.0, "queue_limit": 1, "memory_mb": 512,
               "tasks_module": "nablab_web_test_tasks", "max_body": 4096, "slow_after": 10.0},
}
_launched: dict[str, tuple[subprocess.Popen, Path]] = {}


def pytest_collection_modifyitems(session, config, items) -> None:
    # API tests first, browser tests last: the timing-sensitive worker tests then run before
    # chromium is started (it stays up, idle, for the rest of the session)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    wanted = {name for item in items for name in SHARED if name in item.fixturenames}
    if len(wanted) > 1:
        for name in sorted(wanted):
            _launched[name] = launch(**SHARED[name])


def pytest_sessionfinish(session, exitstatus) -> None:
    for process, log in _launched.values():  # launched but never used (e.g. deselected)
        ServerProcess(process, "", log).stop()
    _launched.clear()


def shared_server(name: str) -> ServerProcess:
    process, log = _launched.pop(name, None) or launch(**SHARED[name])
    return ServerProcess(process, wait_for_url(process, log), log)


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT``) of a real nablab server with default settings."""
    server = shared_server("live_server")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def api(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def strict() -> Iterator[httpx.Client]:
    """A client of the strict server (see SHARED): small enough to hit every limit quickly."""
    server = shared_server("strict")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            yield client
    finally:
        server.stop()
