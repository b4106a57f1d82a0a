"""From a validated request to its answer: the cache, shared in-flight work, the worker pool.

An API request is answered from the LRU cache when it can be; an identical request already
running shares that one's answer; otherwise the work runs in the pool (never in the server
process). Only the pool's own answers carry ``Server-Timing``.
"""

from __future__ import annotations

import asyncio
import json

from fastapi.responses import Response

from nablab.interfaces.web.cache import ResponseCache
from nablab.interfaces.web.errors import error_response
from nablab.interfaces.web.pool import START_TIMEOUT, PoolBusy, PoolClosed, WorkerPool


def affinity(payload: dict) -> str | None:
    """The function a request is about: requests about the same one go to the worker whose
    caches already hold it (see ``dispatch.Dispatcher``)."""
    text = payload.get("text")
    if not isinstance(text, str):
        return None
    return json.dumps([text, payload.get("variables"), payload.get("latex")])


class Runner:
    """Answers API requests through the cache and the worker pool (event-loop thread only)."""

    def __init__(self, pool: WorkerPool, cache: ResponseCache) -> None:
        self.pool = pool
        self.cache = cache
        self.ready = asyncio.Event()
        self.inflight: dict[str, asyncio.Future] = {}

    async def run(self, endpoint: str, payload: dict) -> Response:
        """The answer to ``endpoint`` for ``payload`` (the validated body as a worker task's
        dict), with ``X-Nablab-Cache`` saying where it came from."""
        if not self.ready.is_set():
            try:
                await asyncio.wait_for(self.ready.wait(), timeout=START_TIMEOUT)
            except TimeoutError:
                return error_response(503, "the workers are still starting; try again shortly",
                                      headers={"Retry-After": "2"})
        key = self.cache.key(endpoint, payload)
        hit = self.cache.get(key)
        if hit is not None:
            return Response(hit.body, status_code=hit.status, media_type="application/json",
                            headers={"X-Nablab-Cache": "hit"})
        pending = self.inflight.get(key)
        if pending is not None:  # the same request is already running: share its answer
            status, data = await asyncio.shield(pending)
            return Response(data, status_code=status, media_type="application/json",
                            headers={"X-Nablab-Cache": "shared"})
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self.inflight[key] = future
        try:
            response = await self._compute(endpoint, payload, key)
            future.set_result((response.status_code, response.body))
            return response
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc if isinstance(exc, Exception) else RuntimeError("gone"))
                future.exception()  # retrieved: no "never retrieved" warning if nobody waits
            raise
        finally:
            self.inflight.pop(key, None)

    async def _compute(self, endpoint: str, payload: dict, key: str) -> Response:
        try:
            outcome = await self.pool.run(endpoint, payload, affinity=affinity(payload))
        except PoolBusy as exc:
            return error_response(503, f"the server is busy ({exc}); try again in a moment",
                                  hint="the queue of waiting requests is full",
                                  headers={"Retry-After": "1"})
        except PoolClosed:
            return error_response(503, "the server is shutting down",
                                  headers={"Retry-After": "2"})
        if outcome.cacheable and outcome.status in (200, 422):
            self.cache.put(key, outcome.status, outcome.body)
        return Response(outcome.body, status_code=outcome.status, media_type="application/json",
                        headers={"X-Nablab-Cache": "miss",
                                 "Server-Timing": f"queue;dur={outcome.waited * 1000:.1f}, "
                                                  f"work;dur={outcome.seconds * 1000:.1f}"})
