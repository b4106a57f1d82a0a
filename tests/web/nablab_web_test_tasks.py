"""Worker tasks for the HTTP-level tests: the real tasks, plus test hooks selected by the text.

``text`` of ``test:spin`` spins forever, ``test:crash`` kills the worker, ``test:sleep S`` sleeps,
``test:count`` returns how many requests this worker has run (to see cache hits skip the
worker). Any other text goes to the real ``nablab.interfaces.web.tasks``.
"""

from __future__ import annotations

import json
import os
import time

from nablab.interfaces.web import tasks as real

_count = 0


def run(task: str, payload: dict) -> tuple[int, bytes]:
    global _count
    _count += 1
    text = str(payload.get("text", ""))
    if text == "test:spin":
        while True:
            pass
    if text == "test:crash":
        os._exit(7)
    if text.startswith("test:sleep"):
        time.sleep(float(text.split()[1]))
        return 200, json.dumps({"slept": True, "pid": os.getpid()}).encode()
    if text.startswith("test:count"):
        return 200, json.dumps({"count": _count, "pid": os.getpid(), "task": task}).encode()
    return real.run(task, payload)
