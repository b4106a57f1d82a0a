"""The pool of worker processes for the symbolic work behind the HTTP API (parent side).

A worker runs ``run(task, payload) -> (status, body bytes)`` of ``tasks_module`` (by default
``nablab.interfaces.web.tasks``; the tests plug in their own to exercise the pool itself).

Why processes: SymPy work cannot be interrupted inside a thread, so a runaway request
(``(x+y)^10000``, a simplification bomb) would hold the server forever. Here every request runs
in a worker process with a wall-clock time limit (the worker is killed when it passes it) and a
memory limit (``RLIMIT_AS``), and dead workers are replaced. The queue of requests waiting for a
worker is bounded: when it is full the caller gets :class:`PoolBusy` (HTTP 503) at once.

Slow requests must not starve ordinary ones: a request that has used ``slow_after`` seconds of
CPU is *demoted* — its process is reniced to the lowest CPU priority and a fresh worker is
started in its place (up to ``max_demoted`` at a time), so ordinary traffic keeps its full
capacity and nearly all the CPU. A demoted worker is retired when its request ends. When
``max_demoted`` heavy requests already run, a further one is stopped at that point with a 503
("busy with heavy requests, retry") instead of holding an ordinary worker.

Starting a worker takes a quarter of a second (its warm-up), during which ordinary capacity
would be one worker short, so the pool keeps ``spares`` started workers in reserve. A request
that has used ``suspect_after`` seconds of CPU (a third of ``slow_after``; ordinary requests
about a function a worker knows use a few ms) is *suspect*: a spare takes its worker's place at
once, while it carries on at full priority. If it ends before ``slow_after`` its worker becomes
the spare; if not, it is demoted (or shed) and a new spare is started in the background. So a
heavy request holds one of the ``size`` ordinary workers for ``suspect_after`` of CPU, not
``slow_after`` plus a start-up.

Workers are forked from a ``forkserver`` that has already imported SymPy, NumPy and nablab, so a
replacement is ready in milliseconds. The child side (its loop, the OS helpers) is in
``worker_child.py``; which waiting request a free worker takes is ``dispatch.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import multiprocessing
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from nablab.interfaces.web.dispatch import Dispatcher
from nablab.interfaces.web.errors import error_bytes
from nablab.interfaces.web.worker_child import cpu_seconds, worker_main

TASKS_MODULE = "nablab.interfaces.web.tasks"
PRELOAD = ["sympy", "numpy", TASKS_MODULE]
START_TIMEOUT = 60.0
# A request is heavy after slow_after seconds of CPU, or this many times that in wall time (on
# a machine busy with other work, CPU accrues slowly while the request holds a worker).
SLOW_WALL_FACTOR = 5


class PoolBusy(Exception):
    """Every worker is busy and the waiting queue is full."""


class PoolClosed(Exception):
    """The pool has been shut down."""


@dataclass(frozen=True)
class Outcome:
    """What a request produced: HTTP status and the JSON body, already encoded."""

    status: int
    body: bytes
    seconds: float = 0.0
    cacheable: bool = True
    waited: float = 0.0  # seconds spent waiting for a free worker


class Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: Any, memory_bytes: int | None, tasks_module: str,
                 cancelled: Any = lambda: False) -> None:
        parent, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=worker_main, args=(child, memory_bytes, tasks_module),
                                   daemon=True)
        self.process.start()
        child.close()
        self.conn: Connection = parent
        self.demoted = False
        self.retired = False  # killed, demoted for good, or a spare: takes no requests
        self.suspect = False  # its request passed suspect_after: a spare has taken its place
        self.arrived = False  # given a place or the reserve (not just started, still unplaced)
        self.cpu_at_send = 0.0
        # Wait until it has imported its tasks, so start-up never counts against a request.
        ready = False
        deadline = time.monotonic() + START_TIMEOUT
        with contextlib.suppress(EOFError, OSError):
            while not cancelled() and time.monotonic() < deadline:
                if parent.poll(0.1):
                    ready = parent.recv() == "ready"
                    break
        if not ready:
            self.kill()
            raise RuntimeError("a worker process failed to start")

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        self.retired = True
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.join(timeout=2)
        with contextlib.suppress(Exception):
            self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(None)
        self.process.join(timeout=1)
        if self.process.is_alive():
            self.kill()
        with contextlib.suppress(Exception):
            self.conn.close()

    def demote(self) -> None:
        pid = self.pid
        with contextlib.suppress(OSError, TypeError):
            if pid is not None:  # None: never started (nothing to renice)
                os.setpriority(os.PRIO_PROCESS, pid, 19)
        self.demoted = True
        self.retired = True


class WorkerPool:
    """A fixed number of worker processes, a bounded queue, a time and a memory limit."""

    def __init__(
        self,
        size: int = 2,
        time_limit: float = 10.0,
        memory_mb: int | None = 1024,
        queue_limit: int = 64,
        slow_after: float = 0.3,
        max_demoted: int | None = None,
        tasks_module: str = TASKS_MODULE,
        preload: list[str] | None = None,
        spares: int = 1,
        suspect_after: float | None = None,
    ) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self.time_limit = float(time_limit)
        self.memory_bytes = memory_mb * 1024 * 1024 if memory_mb else None
        self.queue_limit = queue_limit
        self.slow_after = slow_after
        self.max_demoted = max_demoted if max_demoted is not None else 4 * size
        self.spares = max(0, spares)
        self.suspect_after = suspect_after if suspect_after is not None else slow_after / 3
        self.tasks_module = tasks_module
        self._ctx = multiprocessing.get_context("forkserver")
        # The forkserver imports (and warms up) the tasks once; every worker forks from it. (Its
        # sys.path is Python's default, so a module found only through sys.path changes, like
        # the tests' task modules, is imported by each worker itself: keep those light.)
        self._ctx.set_forkserver_preload(
            list(dict.fromkeys([*PRELOAD, tasks_module])) if preload is None else list(preload))
        self._lock = threading.Lock()
        self._idle: Dispatcher[Worker] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._workers: set[Worker] = set()
        # event-loop thread only: started workers in reserve, ordinary places waiting for a
        # worker being started, workers being started
        self._spare: list[Worker] = []
        self._open = 0
        self._starting = 0
        self._waiting = 0
        self._busy = 0
        self._demoted = 0
        self._closed = False
        self.stats_counts = {"completed": 0, "killed": 0, "died": 0, "replaced": 0, "demoted": 0,
                             "shed": 0, "rejected": 0, "handed_off": 0}

    # -- life cycle -------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the workers (in a thread: the first one also starts the forkserver)."""
        self._loop = asyncio.get_running_loop()
        self._idle = Dispatcher()
        self._executor = ThreadPoolExecutor(
            max_workers=self.size + self.max_demoted + self.spares + 4,
            thread_name_prefix="nablab-worker"
        )
        workers = await asyncio.gather(*(self._loop.run_in_executor(self._executor, self._spawn)
                                         for _ in range(self.size)))
        for w in workers:
            w.arrived = True
            self._idle.put(w)
        self._top_up(replacing=False)  # the spares start in the background

    async def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for w in workers:
            w.kill()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def _spawn(self) -> Worker:
        w = Worker(self._ctx, self.memory_bytes, self.tasks_module, lambda: self._closed)
        with self._lock:
            closed = self._closed
            if not closed:
                self._workers.add(w)
        if closed:
            w.kill()
            raise PoolClosed("the worker pool was closed while a worker started")
        return w

    def _discard(self, w: Worker) -> None:
        with self._lock:
            self._workers.discard(w)
        w.kill()

    # -- requests ---------------------------------------------------------------------------
    async def run(self, task: str, payload: dict, affinity: str | None = None) -> Outcome:
        """Run ``task`` on a worker, preferably one that has served ``affinity`` (a function)
        before; raises :class:`PoolBusy` when the queue is full."""
        if self._closed or self._idle is None or self._loop is None:
            raise PoolClosed("the worker pool is not running")
        if self._idle.empty() and self._waiting >= self.queue_limit:
            self.stats_counts["rejected"] += 1
            raise PoolBusy(f"all {self.size} workers are busy and {self._waiting} requests wait")
        self._waiting += 1
        queued = time.perf_counter()
        try:
            worker = await self._idle.get(affinity)
            while not worker.alive():  # died while idle (e.g. killed from outside): replace it
                self._discard(worker)
                self.stats_counts["died"] += 1
                self._vacate()
                worker = await self._idle.get(affinity)
        finally:
            self._waiting -= 1
        waited = time.perf_counter() - queued
        self._busy += 1
        try:
            outcome, keep = await self._loop.run_in_executor(
                self._executor, self._call, worker, task, payload
            )
        except BaseException:
            # Cancelled (client gone) or executor shut down: the worker may be mid-request.
            self._discard(worker)
            if not worker.suspect:
                self._vacate()
            raise
        finally:
            self._busy -= 1
        if worker.suspect:  # its place has been taken already
            worker.suspect = False
            if keep:
                self._arrive(worker)
            else:
                self._top_up()
        elif keep:
            self._idle.put(worker)
        else:
            self._vacate()
        return dataclasses.replace(outcome, waited=waited)

    # -- keeping ``size`` ordinary workers and ``spares`` in reserve (event-loop thread) -----
    def _vacate(self) -> None:
        """An ordinary worker's place is free (its worker died, was killed, demoted or is
        suspect): a spare takes it at once, or the next worker started does."""
        while self._spare:
            w = self._spare.pop()
            if w.alive():
                w.retired = False
                self._idle_put(w)
                break
            self._discard(w)
            self.stats_counts["died"] += 1
        else:
            self._open += 1
        self._top_up()

    def _arrive(self, w: Worker) -> None:
        """A worker is free for a place: an open ordinary place, else the reserve, else it is
        one too many (a suspect request ended well while its replacement started) and goes."""
        w.arrived = True
        if self._closed:
            self._discard(w)
        elif self._open > 0:
            self._open -= 1
            w.retired = False
            self._idle_put(w)
        elif len(self._spare) < self.spares:
            w.retired = True  # a spare takes no requests (and owns no function's affinity)
            self._spare.append(w)
        else:
            self._discard(w)

    def _idle_put(self, w: Worker) -> None:
        if self._idle is not None:
            self._idle.put(w)

    def _top_up(self, replacing: bool = True) -> None:
        """Start (in the background) as many workers as open places and missing spares
        (``replacing``: in place of workers gone, counted as ``replaced``)."""
        loop, executor = self._loop, self._executor  # start() sets both before any request
        if self._closed or loop is None or executor is None:
            return
        missing = self._open + self.spares - len(self._spare) - self._starting

        def spawn_and_offer() -> None:
            w = None
            for attempt in range(3):
                try:
                    w = self._spawn()
                    break
                except Exception:
                    if self._closed:
                        break
                    time.sleep(0.5 * (attempt + 1))
            with contextlib.suppress(RuntimeError):  # the loop is closed: the pool is gone
                loop.call_soon_threadsafe(self._started, w)

        for _ in range(max(0, missing)):
            self._starting += 1
            self.stats_counts["replaced"] += replacing
            executor.submit(spawn_and_offer)

    def _started(self, w: Worker | None) -> None:
        self._starting -= 1
        if w is not None:
            self._arrive(w)

    def _hand_off(self, worker: Worker) -> None:
        """``worker``'s request passed ``suspect_after``: a ready spare takes its place (none
        ready: the request keeps the place until it is demoted)."""
        if worker.suspect or worker.retired or not any(w.alive() for w in self._spare):
            return
        worker.suspect = True
        self.stats_counts["handed_off"] += 1
        self._vacate()

    def _demoted_now(self, worker: Worker) -> None:
        """``worker`` was demoted: its place goes to a spare or a new worker."""
        if not worker.suspect:
            worker.suspect = True
            self._vacate()

    def _call(self, worker: Worker, task: str, payload: dict) -> tuple[Outcome, bool]:
        """Blocking: send the request, wait up to the time limit. Returns (outcome, keep worker)."""
        start = time.perf_counter()
        worker.cpu_at_send = cpu_seconds(worker.pid)
        try:
            worker.conn.send((task, payload))
        except (OSError, ValueError):
            self._discard(worker)
            return self._died(start), False
        # (most requests answer within suspect_after: one wait, no CPU readings)
        first = min(self.suspect_after if self.spares else self.slow_after, self.slow_after,
                    self.time_limit)
        ready: bool | str = worker.conn.poll(first)
        if not ready:
            ready = self._wait_demoting(worker, start)
        try:
            if ready == "overloaded":
                self._discard(worker)
                self.stats_counts["shed"] += 1
                return Outcome(
                    503,
                    error_bytes(
                        "the server is busy with other heavy requests, so this heavy one was "
                        "stopped; try again in a moment",
                        hint="smaller or simpler functions are answered right away",
                    ),
                    time.perf_counter() - start,
                    cacheable=False,
                ), False
            if not ready:
                self._discard(worker)
                self.stats_counts["killed"] += 1
                return Outcome(
                    422,
                    error_bytes(
                        f"the computation took longer than the limit of {self.time_limit:g} s "
                        "and was stopped",
                        hint="try a smaller or simpler function, or the 'derived' form "
                        "(no simplification)",
                    ),
                    time.perf_counter() - start,
                    cacheable=False,
                ), False
            try:
                status, body = worker.conn.recv()
            except (EOFError, OSError):
                self._discard(worker)
                return self._died(start), False
            self.stats_counts["completed"] += 1
            if worker.demoted:
                self._discard(worker)  # reniced for good: retire it, its replacement runs
                return Outcome(status, body, time.perf_counter() - start), False
            return Outcome(status, body, time.perf_counter() - start), True
        finally:
            if worker.demoted:
                with self._lock:
                    self._demoted -= 1

    def _wait_demoting(self, worker: Worker, start: float) -> bool | str:
        """Wait for the answer until the time limit. Once the request has used ``slow_after``
        seconds of CPU (CPU rather than wall time: under load ordinary requests wait for the CPU
        too and should not be demoted for that; but after SLOW_WALL_FACTOR x slow_after of wall
        time any request is heavy) the worker is demoted — or, when ``max_demoted``
        heavy requests already run, stopped (``"overloaded"``), so that heavy requests never
        hold the ordinary capacity. Returns whether an answer is ready, or "overloaded"."""
        cpu_start = worker.cpu_at_send
        suspected = False
        while True:
            remaining = self.time_limit - (time.perf_counter() - start)
            if remaining <= 0:
                return False
            if not worker.demoted and self.slow_after < self.time_limit:
                used = cpu_seconds(worker.pid) - cpu_start
                waited = time.perf_counter() - start
                if not suspected and used >= self.suspect_after:
                    suspected = True
                    self._call_in_loop(self._hand_off, worker)
                # only a request that has used the CPU is shed; one slow in wall time alone
                # (the machine is busy with other work) is demoted when a slot is free, else
                # left to finish where it is
                heavy = used >= self.slow_after
                slow = heavy or waited >= SLOW_WALL_FACTOR * self.slow_after
                if slow and not self._demote(worker) and heavy:
                    return "overloaded"
            if worker.demoted or self.slow_after >= self.time_limit:
                return worker.conn.poll(remaining)
            if worker.conn.poll(min(remaining, 0.05)):
                return True

    def _demote(self, worker: Worker) -> bool:
        """Renice the worker and start a fresh one in its place; False when no slot is free."""
        with self._lock:
            may_demote = self._demoted < self.max_demoted
            if may_demote:
                self._demoted += 1
        if not may_demote:
            return False
        worker.demote()
        self.stats_counts["demoted"] += 1
        self._call_in_loop(self._demoted_now, worker)
        return True

    def _call_in_loop(self, fn: Any, worker: Worker) -> None:
        """From a request's thread: run ``fn(worker)`` on the event loop (which owns the
        dispatcher and the reserve), before the request's own answer is handled there."""
        if self._loop is not None and not self._closed:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(fn, worker)

    def _died(self, start: float) -> Outcome:
        self.stats_counts["died"] += 1
        return Outcome(
            422,
            error_bytes(
                "the computation ran out of memory or crashed, and was stopped",
                hint="try a smaller or simpler function",
            ),
            time.perf_counter() - start,
            cacheable=False,
        )

    # -- introspection ----------------------------------------------------------------------
    def stats(self) -> dict:
        spare = set(self._spare)
        with self._lock:  # workers holding a place: not starting, suspect, spare or retired
            alive = sum(1 for w in self._workers  # (a spare is retired until it takes a place)
                        if w.alive() and w.arrived and not (w.suspect or w.retired))
            demoted = self._demoted
        return {
            "workers": self.size,
            "alive": alive,
            "spares": sum(1 for w in spare if w.alive()),
            "busy": self._busy,
            "queued": self._waiting,
            "queue_limit": self.queue_limit,
            "time_limit": self.time_limit,
            "demoted_now": demoted,
            **self.stats_counts,
        }

    def pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self._workers if w.pid is not None]
