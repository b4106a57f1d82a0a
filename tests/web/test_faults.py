"""Faults from outside: a worker killed mid-request, and the server told to stop (SIGTERM).

Servers here are their own (a fault must not disturb the shared ones): one worker, the test
tasks of ``nablab_web_test_tasks`` (``test:sleep S`` holds the worker, ``test:count`` says
which process answered).
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from live_servers import start_server

SETTINGS = {"workers": 1, "tasks_module": "nablab_web_test_tasks", "slow_after": 30.0,
            "time_limit": 20.0}


def worker_pid(client: httpx.Client, tag: str) -> int:
    r = client.post("/api/parse", json={"text": f"test:count {tag}"})
    assert r.status_code == 200, r.text
    return r.json()["pid"]


def test_a_worker_killed_mid_request_gives_a_clear_error_and_is_replaced():
    server = start_server(**SETTINGS)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client, ThreadPoolExecutor(1) as ex:
            pid = worker_pid(client, "before")
            t = time.perf_counter()
            pending = ex.submit(client.post, "/api/gradient", json={"text": "test:sleep 15"})
            time.sleep(0.8)  # the request is in the worker now
            os.kill(pid, signal.SIGKILL)
            r = pending.result(timeout=10)
            took = time.perf_counter() - t
            assert took < 5, "the request hung on its dead worker"
            assert r.status_code == 422, r.text
            err = r.json()["error"]
            assert "crashed" in err["message"] and err["hint"]
            # replaced: the next requests succeed, on another process
            after = [worker_pid(client, f"after {i}") for i in range(3)]
            assert pid not in after
            health = client.get("/api/health").json()
            assert health["alive"] == 1 and health["died"] >= 1 and health["replaced"] >= 1
            # the failure was not cached: the same request is tried again (and now answered)
            again = client.post("/api/gradient", json={"text": "test:sleep 0.1"})
            assert again.status_code == 200
    finally:
        server.stop()


def test_sigterm_finishes_in_flight_requests_refuses_new_ones_and_exits():
    server = start_server(**SETTINGS)
    try:
        with ThreadPoolExecutor(1) as ex:
            in_flight = ex.submit(httpx.post, server.url + "/api/parse",
                                  json={"text": "test:sleep 1.5"}, timeout=30)
            time.sleep(0.5)
            t = time.perf_counter()
            server.process.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            try:
                late = httpx.post(server.url + "/api/parse", json={"text": "x"}, timeout=3)
                refused = late.status_code == 503
            except httpx.TransportError:
                refused = True
            assert refused, "a new request was accepted after SIGTERM"
            r = in_flight.result(timeout=15)
            assert r.status_code == 200, r.text
            assert r.json()["slept"] is True
            server.process.wait(timeout=10)
            assert time.perf_counter() - t < 8  # uvicorn's graceful limit (2 s) + the pool
    finally:
        server.stop()
