"""Which waiting request a free worker takes (``dispatch.Dispatcher``), and that the real pool
sends requests about one function to the worker whose caches already hold it."""

from __future__ import annotations

import asyncio
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).parent))

from nablab.interfaces.web import dispatch
from nablab.interfaces.web.dispatch import Dispatcher
from nablab.interfaces.web.pool import WorkerPool


def fake(name: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, retired=False)


def in_loop(scenario):
    """Run an async scenario on an event loop of its own thread (see test_api_workers)."""
    with ThreadPoolExecutor(max_workers=1) as ex:
        return ex.submit(asyncio.run, scenario()).result()


async def both_busy() -> tuple[Dispatcher, SimpleNamespace, SimpleNamespace]:
    """Two workers, a busy with function f and b with g."""
    d = Dispatcher()
    a, b = fake("a"), fake("b")
    d.put(a)
    d.put(b)
    assert await d.get("f") is a and await d.get("g") is b
    return d, a, b


async def queued(d: Dispatcher, keys: list[str | None]) -> list[asyncio.Task]:
    tasks = [asyncio.create_task(d.get(k)) for k in keys]
    await asyncio.sleep(0)  # let every request reach the queue, in order
    return tasks


def test_an_arriving_request_takes_the_idle_worker_that_knows_its_function():
    async def scenario():
        d = Dispatcher()
        a, b = fake("a"), fake("b")
        d.put(a)
        d.put(b)
        first = await d.get("f")  # nobody knows f: the first idle worker
        d.put(first)
        second = await d.get("g")  # nobody knows g: the first idle worker is now b
        d.put(second)
        third = await d.get("f")
        return first, second, third

    first, second, third = in_loop(scenario)
    assert first.name == "a" and second.name == "b"
    assert third is first


def test_a_free_worker_takes_a_waiting_request_it_knows_before_an_older_one():
    async def scenario():
        d = Dispatcher()
        a, b = fake("a"), fake("b")
        d.put(a)
        d.put(b)
        assert await d.get("f") is a and await d.get("g") is b  # both busy now
        tasks = await queued(d, ["h", "g", "f"])
        d.put(a)  # a knows f: it skips h and g
        d.put(b)  # b knows g
        d.put(a)  # only h is left
        return [await t for t in tasks]

    h, g, f = in_loop(scenario)
    assert (f.name, g.name, h.name) == ("a", "b", "a")


def test_a_request_another_busy_worker_knows_waits_for_it_while_others_are_served():
    async def scenario():
        d, a, b = await both_busy()
        tasks = await queued(d, ["f", "new"])
        d.put(b)  # the head (f) will be answered warm by a: b takes the new function
        d.put(a)
        return [await t for t in tasks]

    f, new = in_loop(scenario)
    assert f.name == "a" and new.name == "b"


def test_a_retired_worker_owns_nothing():
    async def scenario():
        d, a, b = await both_busy()
        a.retired = True  # killed or demoted: f is cold everywhere now
        tasks = await queued(d, ["f", "new"])
        d.put(b)
        return await tasks[0], tasks

    got, tasks = in_loop(scenario)
    assert got.name == "b"  # the head is served, not held back for a dead worker
    tasks[1].cancel()


def test_the_longest_waiting_request_is_passed_over_only_a_bounded_number_of_times():
    async def scenario():
        d = Dispatcher()
        a = fake("a")
        d.put(a)
        assert await d.get("known") is a
        n = dispatch.AFFINITY_MAX_SKIPS + 3
        tasks = await queued(d, ["cold"] + ["known"] * n)
        order = []
        for _ in range(n + 1):
            d.put(a)
            await asyncio.sleep(0)
            order.append(next(i for i, t in enumerate(tasks) if t.done() and i not in order))
        return order

    order = in_loop(scenario)
    # the cold head (0) is overtaken by requests a warm cache answers, but only MAX_SKIPS
    # times; the others keep their order among themselves
    k = dispatch.AFFINITY_MAX_SKIPS
    assert order == [*range(1, k + 1), 0, *range(k + 1, k + 4)]


def test_a_cancelled_waiter_gives_back_its_worker():
    async def scenario():
        d = Dispatcher()
        a = fake("a")
        d.put(a)
        assert await d.get("f") is a
        (t1, t2) = await queued(d, ["g", "h"])
        t1.cancel()
        await asyncio.sleep(0)
        d.put(a)
        return await t2

    assert in_loop(scenario).name == "a"


def test_the_pool_sends_a_function_back_to_the_worker_that_worked_on_it():
    pool = WorkerPool(size=2, time_limit=5.0, memory_mb=256, queue_limit=16, slow_after=5.0,
                      tasks_module="nablab_pool_test_tasks", preload=[])

    async def scenario():
        await pool.start()
        try:
            # both workers busy; f is a's (0.4 s), g is b's (0.1 s)
            fa = asyncio.create_task(pool.run("sleep", {"seconds": 0.4}, affinity="f"))
            await asyncio.sleep(0.02)
            gb = asyncio.create_task(pool.run("sleep", {"seconds": 0.1}, affinity="g"))
            await asyncio.sleep(0.02)
            f_again = asyncio.create_task(pool.run("echo", {"k": "f"}, affinity="f"))
            await asyncio.sleep(0.02)
            cold = asyncio.create_task(pool.run("sleep", {"seconds": 0.5}, affinity="cold"))
            outs = await asyncio.gather(fa, gb, f_again, cold)
            return [json.loads(o.body)["pid"] for o in outs], outs
        finally:
            await pool.close()

    (pid_f, pid_g, pid_f_again, pid_cold), outs = in_loop(scenario)
    assert pid_f != pid_g
    # when b is free, the older request about f is left for a, which knows f (and is free
    # again before b); b takes the newer request about a function nobody knows
    assert pid_cold == pid_g
    assert pid_f_again == pid_f
    assert outs[2].waited > outs[3].waited
