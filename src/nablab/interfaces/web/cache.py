"""An LRU cache of API request → response, so repeated requests skip the workers.

The key is the endpoint and the validated request body in canonical JSON; the value is the
status and the encoded body. Only deterministic answers are stored (results and user errors),
never time-outs, crashes or busy responses, which depend on load.

The cache is what the server's memory grows by: every request at a new point is a new entry
(a page edit's answer is ~40 KiB), so it fills up to its bound — ``max_bytes`` of keys and
bodies, or ``max_entries`` — within minutes of steady use and then evicts the least recently
used; ``stats()["evictions"]`` says it has reached its bound.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedResponse:
    status: int
    body: bytes


class ResponseCache:
    """Least-recently-used cache bounded by entry count and total bytes."""

    def __init__(self, max_entries: int = 2048, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._data: OrderedDict[str, CachedResponse] = OrderedDict()
        self._bytes = 0  # keys and bodies
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    @staticmethod
    def key(endpoint: str, payload: dict) -> str:
        return endpoint + "\0" + json.dumps(payload, sort_keys=True, separators=(",", ":"),
                                            ensure_ascii=False)

    def get(self, key: str) -> CachedResponse | None:
        value = self._data.get(key)
        if value is None:
            self.misses += 1
            return None
        self._data.move_to_end(key)
        self.hits += 1
        return value

    def put(self, key: str, status: int, body: bytes) -> None:
        size = len(key) + len(body)
        if self.max_entries <= 0 or size > self.max_bytes // 8:
            return
        old = self._data.pop(key, None)
        if old is not None:
            self._bytes -= len(key) + len(old.body)
        self._data[key] = CachedResponse(status, body)
        self._bytes += size
        while self._data and (len(self._data) > self.max_entries or self._bytes > self.max_bytes):
            dropped_key, dropped = self._data.popitem(last=False)
            self._bytes -= len(dropped_key) + len(dropped.body)
            self.evictions += 1

    def __len__(self) -> int:
        return len(self._data)

    def stats(self) -> dict:
        return {"size": len(self._data), "bytes": self._bytes, "hits": self.hits,
                "misses": self.misses, "max_entries": self.max_entries,
                "max_bytes": self.max_bytes, "evictions": self.evictions}
