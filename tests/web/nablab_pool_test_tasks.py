"""Tasks for exercising the worker pool itself (not the core): sleep, spin, hog memory, crash."""

from __future__ import annotations

import json
import os
import time


def run(task: str, payload: dict) -> tuple[int, bytes]:
    if task == "echo":
        return 200, json.dumps({"echo": payload, "pid": os.getpid()}).encode()
    if task == "sleep":
        time.sleep(float(payload["seconds"]))
        return 200, json.dumps({"slept": payload["seconds"], "pid": os.getpid()}).encode()
    if task == "spin":  # a runaway computation: pure CPU, never yields
        x = 0
        while True:
            x += 1
    if task == "burn":  # a request that is slow but ends: pure CPU for ``seconds`` of CPU
        end = time.process_time() + float(payload["seconds"])
        while time.process_time() < end:
            pass
        return 200, json.dumps({"burnt": payload["seconds"], "pid": os.getpid()}).encode()
    if task == "hog":  # asks for far more memory than the worker's budget
        block = bytearray(int(payload["mb"]) * 1024 * 1024)
        return 200, json.dumps({"allocated": len(block)}).encode()
    if task == "crash":
        os._exit(3)
    if task == "nice":
        return 200, json.dumps({"nice": os.getpriority(os.PRIO_PROCESS, 0)}).encode()
    return 404, b'{"error": {"message": "unknown task", "column": null, "hint": null}}'
