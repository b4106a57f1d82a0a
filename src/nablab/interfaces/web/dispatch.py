"""Which waiting request a free worker takes: affinity of functions to workers' warm caches.

Event-loop side only: the pool (``pool.py``) hands workers back with ``put`` and requests wait
for one with ``get``. Nothing here touches processes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict, deque
from typing import Protocol

#: functions whose worker the dispatcher remembers (each worker's symbolic cache keeps 256)
AFFINITY_MEMORY = 1024
#: how many waiting requests a free worker looks through for one it has a warm cache for,
#: and how often the longest-waiting request may be passed over that way
AFFINITY_LOOKAHEAD = 8
AFFINITY_MAX_SKIPS = 4


class Worker(Protocol):
    """What the dispatcher needs of a worker (``pool.Worker``): whether it still takes work."""

    retired: bool


class Dispatcher:
    """Hands free workers to waiting requests, so that each function's cold work is done once.

    Each worker process keeps its own cache of symbolic answers (and SymPy's), so a request
    about a function is cheap only on the worker that already worked on it: without care, two
    workers redo the same cold work (tens of ms for a simplification) side by side. A request
    names an *affinity key* (its function) and the dispatcher remembers which worker last took
    each key. A free worker takes, among the next ``AFFINITY_LOOKAHEAD`` waiting requests, the
    first about a function it knows; else the longest-waiting one, unless that one's function is
    being worked on by another worker, which will soon answer it warm — then the first request
    no other worker knows. The longest-waiting request is passed over at most
    ``AFFINITY_MAX_SKIPS`` times, so nobody waits long for the sake of a cache. Event-loop
    thread only.
    """

    def __init__(self) -> None:
        self.idle: list[Worker] = []
        self.waiters: deque[list] = deque()  # [key, future of a worker, times passed over]
        self.owner: OrderedDict[str, Worker] = OrderedDict()

    def empty(self) -> bool:
        return not self.idle

    def _owner(self, key: str | None) -> Worker | None:
        w = self.owner.get(key) if key is not None else None
        return None if w is None or w.retired else w

    def _hand(self, worker: Worker, key: str | None) -> Worker:
        if key is not None:
            self.owner[key] = worker
            self.owner.move_to_end(key)
            if len(self.owner) > AFFINITY_MEMORY:
                self.owner.popitem(last=False)
        return worker

    async def get(self, key: str | None) -> Worker:
        if self.idle and not self.waiters:
            owner = self._owner(key)
            worker = owner if owner in self.idle else self.idle[0]
            self.idle.remove(worker)
            return self._hand(worker, key)
        entry = [key, asyncio.get_running_loop().create_future(), 0]
        self.waiters.append(entry)
        try:
            return await entry[1]
        except asyncio.CancelledError:
            future = entry[1]
            if future.done() and not future.cancelled():  # handed a worker just as cancelled
                self.put(future.result())
            with contextlib.suppress(ValueError):
                self.waiters.remove(entry)
            raise

    def put(self, worker: Worker) -> None:
        while self.waiters and self.waiters[0][1].done():
            self.waiters.popleft()
        if not self.waiters:
            self.idle.append(worker)
            return
        head = self.waiters[0]
        chosen = head
        if head[2] < AFFINITY_MAX_SKIPS and self._owner(head[0]) is not worker:
            window = [e for e in list(self.waiters)[:AFFINITY_LOOKAHEAD] if not e[1].done()]
            mine = next((e for e in window if self._owner(e[0]) is worker), None)
            if mine is not None:
                chosen = mine
            elif self._owner(head[0]) is not None:  # another worker will answer it warm
                chosen = next((e for e in window if self._owner(e[0]) is None), head)
            if chosen is not head:
                head[2] += 1
        self.waiters.remove(chosen)
        chosen[1].set_result(self._hand(worker, chosen[0]))
