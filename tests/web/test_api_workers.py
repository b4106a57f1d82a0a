"""The worker pool on its own: time limit kills, memory limit, crashes, queue bound, demotion.

These drive real worker processes with the test tasks in ``nablab_pool_test_tasks`` (sleep,
spin forever, allocate, crash), so the pool's guarantees are checked independently of how fast
or slow the symbolic core happens to be.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from nablab.interfaces.web.pool import PoolBusy, WorkerPool

TASKS = "nablab_pool_test_tasks"


def make_pool(**kw) -> WorkerPool:
    opts = {"size": 1, "time_limit": 1.0, "memory_mb": 256, "queue_limit": 4,
            "slow_after": 0.3, "tasks_module": TASKS, "preload": []}
    opts.update(kw)
    return WorkerPool(**opts)


def body(outcome) -> dict:
    return json.loads(outcome.body)


async def _with_pool(pool: WorkerPool, coro):
    await pool.start()
    try:
        return await coro(pool)
    finally:
        await pool.close()


def run_with(pool: WorkerPool, coro):
    """Run a scenario on its own event loop in a thread of its own: in a run with the browser
    tests, Playwright's sync API keeps an event loop running in the main thread, where
    ``asyncio.run`` refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as ex:
        return ex.submit(asyncio.run, _with_pool(pool, coro)).result()


def test_runaway_request_is_killed_and_the_pool_keeps_serving():
    async def scenario(pool):
        first = body(await pool.run("echo", {"n": 1}))["pid"]
        t = time.perf_counter()
        out = await pool.run("spin", {})
        elapsed = time.perf_counter() - t
        after = await pool.run("echo", {"n": 2})
        return first, out, elapsed, after, pool.stats()

    first, out, elapsed, after, stats = run_with(make_pool(), scenario)
    assert out.status == 422
    err = body(out)["error"]
    assert "longer than the limit of 1 s" in err["message"] and err["hint"]
    assert 0.9 <= elapsed < 3.0
    assert not out.cacheable
    assert after.status == 200 and body(after)["echo"] == {"n": 2}
    assert body(after)["pid"] != first  # the runaway worker was killed and replaced
    assert stats["killed"] == 1 and stats["alive"] == 1
    with pytest.raises(ProcessLookupError):
        os.kill(first, 0)


def test_memory_limit_stops_a_hog_without_losing_the_worker():
    async def scenario(pool):
        hog = await pool.run("hog", {"mb": 4096})
        small = await pool.run("hog", {"mb": 16})
        return hog, small, pool.stats()

    hog, small, stats = run_with(make_pool(memory_mb=200, time_limit=5.0), scenario)
    assert hog.status == 422
    assert "out of memory" in body(hog)["error"]["message"]
    assert small.status == 200 and body(small)["allocated"] == 16 * 1024 * 1024
    assert stats["alive"] == 1


def test_a_crashed_worker_is_replaced():
    async def scenario(pool):
        crash = await pool.run("crash", {})
        after = await pool.run("echo", {})
        return crash, after, pool.stats()

    crash, after, stats = run_with(make_pool(), scenario)
    assert crash.status == 422 and "crashed" in body(crash)["error"]["message"]
    assert after.status == 200
    assert stats["died"] == 1 and stats["alive"] == 1


def test_queue_is_bounded_and_rejects_at_once():
    async def scenario(pool):
        running = asyncio.create_task(pool.run("sleep", {"seconds": 0.6}))
        await asyncio.sleep(0.1)
        waiting = asyncio.create_task(pool.run("echo", {"n": "waits"}))
        await asyncio.sleep(0.05)
        t = time.perf_counter()
        with pytest.raises(PoolBusy, match="busy"):
            await pool.run("echo", {"n": "rejected"})
        rejected_after = time.perf_counter() - t
        return await running, await waiting, rejected_after, pool.stats()

    running, waiting, rejected_after, stats = run_with(
        make_pool(queue_limit=1, slow_after=5.0, time_limit=5.0), scenario)
    assert running.status == 200 and waiting.status == 200
    assert body(waiting)["echo"] == {"n": "waits"}
    assert rejected_after < 0.05
    assert stats["rejected"] == 1


async def _until_demoted(pool: WorkerPool) -> None:
    """Wait (bounded: 5 s) until a spinning request has used slow_after CPU and was demoted."""
    for _ in range(100):
        await asyncio.sleep(0.05)
        if pool.stats()["demoted"]:
            return
    raise AssertionError("the spinning request was not demoted within 5 s")


def test_slow_request_is_demoted_and_ordinary_ones_keep_flowing():
    """A request past ``slow_after`` CPU seconds is reniced and a fresh worker serves the others."""

    async def scenario(pool):
        # the spare is up (on a loaded machine a start-up takes seconds, and the five ordinary
        # requests waiting for one would let the runaway reach its time limit first)
        await _until(pool, "spares")
        slow = asyncio.create_task(pool.run("spin", {}))
        await _until_demoted(pool)
        fast = [await pool.run("nice", {}) for _ in range(5)]
        slow_still_running = not slow.done()
        demoted_pids = [p for p in pool.pids() if os.getpriority(os.PRIO_PROCESS, p) == 19]
        out = await slow
        await asyncio.sleep(0.2)
        return fast, slow_still_running, demoted_pids, out, pool.stats()

    fast, slow_still_running, demoted_pids, out, stats = run_with(make_pool(time_limit=6.0),
                                                                  scenario)
    # ordinary requests run at the test's own priority (0 in CI; higher if pytest runs under nice)
    own = os.getpriority(os.PRIO_PROCESS, 0)
    assert all(f.status == 200 and body(f)["nice"] == own for f in fast)
    assert slow_still_running  # served by the replacement while the runaway still runs
    assert len(demoted_pids) == 1
    assert out.status == 422  # the runaway still hits the time limit
    assert stats["demoted"] == 1 and stats["alive"] == 1 and stats["killed"] == 1


def test_heavy_requests_beyond_the_demotion_slots_are_shed():
    """With every demotion slot taken, the next heavy request is stopped (503, retry) instead
    of holding one of the ordinary workers for the whole time limit."""

    async def scenario(pool):
        first = asyncio.create_task(pool.run("spin", {}))
        await _until_demoted(pool)
        t = time.perf_counter()
        second = await pool.run("spin", {})
        second_time = time.perf_counter() - t
        ordinary = await pool.run("echo", {"after": True})
        first_still_running = not first.done()
        first.cancel()  # it would run into the 20 s limit; closing the pool kills it
        return first_still_running, second, second_time, ordinary, pool.stats()

    first_still_running, second, second_time, ordinary, stats = run_with(
        make_pool(time_limit=20.0, max_demoted=1), scenario)
    assert first_still_running  # holding the one demotion slot
    assert second.status == 503 and "busy with other heavy requests" in \
        body(second)["error"]["message"]
    assert second_time < 10.0 and not second.cacheable  # stopped long before the time limit
    assert ordinary.status == 200
    # the demoted one still runs beside the ordinary worker (which alone holds a place)
    assert stats["shed"] == 1 and stats["demoted_now"] == 1 and stats["alive"] == 1


async def _until(pool: WorkerPool, key: str) -> None:
    """Wait (bounded: 30 s; a worker's start-up takes seconds on a loaded machine) until the
    pool's ``key`` count is non-zero."""
    for _ in range(600):
        await asyncio.sleep(0.05)
        if pool.stats()[key]:
            return
    raise AssertionError(f"no {key} within 30 s")


def test_a_suspect_request_hands_its_place_to_the_spare_at_once():
    """Past suspect_after of CPU (long before slow_after), a request's place goes to the ready
    spare: ordinary requests are answered by another process while it still runs, at full
    priority, and no worker had to be started for them."""

    async def scenario(pool):
        await _until(pool, "spares")
        spare_pid = pool.pids()
        slow = asyncio.create_task(pool.run("spin", {}))
        await _until(pool, "handed_off")
        fast = [await pool.run("echo", {"n": i}) for i in range(3)]
        still_running = not slow.done()
        niced = [p for p in pool.pids() if os.getpriority(os.PRIO_PROCESS, p) == 19]
        stats = pool.stats()
        slow.cancel()
        return spare_pid, fast, still_running, niced, stats

    spare_pid, fast, still_running, niced, stats = run_with(
        make_pool(time_limit=20.0, slow_after=10.0, suspect_after=0.1), scenario)
    assert still_running and not niced  # not demoted: slow_after is far off
    assert stats["handed_off"] == 1 and stats["demoted"] == 0
    assert all(f.status == 200 for f in fast)
    assert {body(f)["pid"] for f in fast} <= set(spare_pid)  # the spare, started beforehand


def test_a_suspect_request_that_ends_leaves_its_worker_in_reserve():
    """A request that passes suspect_after but ends before slow_after is answered; its worker
    becomes the spare, so the pool is back to one ordinary worker and one spare."""

    async def scenario(pool):
        await _until(pool, "spares")
        out = await pool.run("burn", {"seconds": 0.4})
        for _ in range(100):  # the spare started after the hand-off arrives, and goes
            await asyncio.sleep(0.05)
            if not pool._starting:
                break
        after = await pool.run("echo", {"n": 1})
        return out, after, pool.stats()

    out, after, stats = run_with(
        make_pool(time_limit=5.0, slow_after=3.0, suspect_after=0.1), scenario)
    assert out.status == 200 and after.status == 200
    assert stats["handed_off"] == 1 and stats["demoted"] == 0 and stats["killed"] == 0
    assert stats["alive"] == 1 and stats["spares"] == 1


def test_a_request_slow_only_in_wall_time_is_never_shed():
    """On a machine busy with other work a request accrues CPU slowly: past the wall-time
    threshold it is demoted when a slot is free, but with none free it is left to finish —
    the 503 "busy with heavy requests" is for requests that used the CPU."""

    async def scenario(pool):
        out = await pool.run("sleep", {"seconds": 0.8})  # 5 x slow_after = 0.5 s of wall time
        return out, pool.stats()

    out, stats = run_with(make_pool(time_limit=4.0, slow_after=0.1, max_demoted=0), scenario)
    assert out.status == 200 and body(out)["slept"] == 0.8
    assert stats["shed"] == 0 and stats["demoted"] == 0


def test_waiting_without_cpu_is_not_demoted():
    """Demotion looks at CPU used, not wall time: a request that waits is left alone."""

    async def scenario(pool):
        out = await pool.run("sleep", {"seconds": 0.8})
        return out, pool.stats()

    out, stats = run_with(make_pool(time_limit=4.0), scenario)
    assert out.status == 200 and stats["demoted"] == 0 and stats["replaced"] == 0


def test_many_concurrent_requests_all_answered_in_order_of_payload():
    async def scenario(pool):
        outs = await asyncio.gather(*(pool.run("echo", {"i": i}) for i in range(40)))
        return outs

    outs = run_with(make_pool(size=2, queue_limit=64), scenario)
    assert [body(o)["echo"]["i"] for o in outs] == list(range(40))
    assert len({body(o)["pid"] for o in outs}) == 2


def test_a_worker_killed_while_idle_is_replaced_before_it_gets_a_request():
    async def scenario(pool):
        first = body(await pool.run("echo", {}))["pid"]
        os.kill(first, 9)
        await asyncio.sleep(0.2)
        after = await pool.run("echo", {"n": 1})
        return first, after, pool.stats()

    first, after, stats = run_with(make_pool(), scenario)
    assert after.status == 200 and body(after)["pid"] != first
    assert stats["died"] == 1 and stats["alive"] == 1
