"""Soak test of the HTTP API: minutes of mixed traffic, one request in five hostile.

Starts a real server (``nablab serve`` on a free loopback port), runs ``--clients`` keep-alive
clients for ``--minutes`` (default 10), each sending requests one after another: four in five
ordinary (the page's edit, ``/api/lab``, and the separate endpoints, over a set of functions
and ever-new points), one in five hostile (the inputs of tests/web/test_api.py's hostile test
and bench_server.py's runaway powers, bombs, deep nesting, huge inputs). Prints per minute the
ordinary p50/p99, and at the end: server and worker RSS after warm-up and at the end (growth
%), workers lost, answers lost (no HTTP answer, or a 5xx other than the documented 503).

    python bench/bench_soak.py [--minutes 10] [--clients 20] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_server import (  # a sibling script (bench/ is not a package)
    HOSTILE,
    ORDINARY,
    RawClient,
    percentile,
    start_server,
    stop_server,
)

#: tests/web/test_api.py::test_hostile_input_answers_or_refuses_clearly_within_the_limit
TEST_HOSTILE = [
    "(x + y + {k})^40 (x - y + 2)^40",
    "x^999999999{k} y",
    "sin(" * 40 + "x y + {k}" + ")" * 40,
    " + ".join(f"x^{i} y^{i}" for i in range(1, 120)) + " + {k}",
]
TEST_HOSTILE_NAMES = ["test: power 40", "test: huge exponent", "test: 40 nested sin",
                      "test: 119-term sum"]


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def group_pids(pgid: int) -> list[int]:
    """Processes in the server's process group (the server, its forkserver and workers)."""
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
                if int(fields[2]) == pgid:
                    out.append(int(name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def memory(server_pid: int) -> tuple[int, int, int]:
    """(server RSS, largest worker RSS, workers' total RSS) in KiB; the forkserver (the
    server's direct child with children of its own) counts with the workers."""
    others = [p for p in group_pids(server_pid) if p != server_pid]
    sizes = [rss_kb(p) for p in others]
    return rss_kb(server_pid), max(sizes, default=0), sum(sizes)


def ordinary(rng: random.Random, i: int) -> tuple[str, dict]:
    text = rng.choice(ORDINARY)
    at = {"x": round(rng.uniform(-2, 2), 3), "y": round(rng.uniform(-2, 2), 3)}
    kind = rng.random()
    if kind < 0.4:
        return "lab", {"text": text, "at": at, "steps": True, "plot": {"n": 31, "arrows": 9}}
    if kind < 0.6:
        return "gradient", {"text": text, "at": at}
    if kind < 0.8:
        return "parse", {"text": text + f" + {i % 50}"}
    return "plot", {"text": text, "n": 31, "arrows": 9}


def hostile(rng: random.Random, k: int) -> tuple[str, dict, str]:
    """(endpoint, body, name of the kind of hostile input)."""
    if rng.random() < 0.5:
        i = rng.randrange(len(TEST_HOSTILE))
        return "gradient", {"text": TEST_HOSTILE[i].replace("{k}", str(k))}, \
            TEST_HOSTILE_NAMES[i]
    name, text, extra = rng.choice(HOSTILE)
    return "gradient", {"text": text.replace("{k}", str(k)), **extra}, name


def server_timing(head: bytes) -> tuple[str, float, float]:
    """(X-Nablab-Cache, queue s, work s) of an answer (0 where the header is absent)."""
    cache = re.search(rb"(?i)x-nablab-cache: *(\w+)", head)
    queue = re.search(rb"queue;dur=([\d.]+)", head)
    work = re.search(rb"work;dur=([\d.]+)", head)
    return (cache.group(1).decode() if cache else "none",
            float(queue.group(1)) / 1e3 if queue else 0.0,
            float(work.group(1)) / 1e3 if work else 0.0)


async def soak(url: str, clients: int, seconds: float, warm: float, seed: int) -> dict:
    start = time.perf_counter()
    per_minute: dict[int, list[float]] = {}
    counts = {"ordinary": 0, "hostile": 0, "lost": 0, "5xx": 0, "503": 0}
    statuses: dict[int, int] = {}
    by_class: dict[str, dict[int, int]] = {"ordinary": {}, "hostile": {}}
    # ordinary answers: (endpoint, cache, total s, queue s, work s); hostile: (name, status, s)
    split: list[tuple[str, str, float, float, float]] = []
    hostile_log: list[tuple[str, int, float]] = []
    counter = iter(range(10**9))

    async def client_loop(c: int) -> None:
        rng = random.Random(seed * 1000 + c)
        client = RawClient(url)
        j = 0
        while time.perf_counter() - start < seconds:
            j += 1
            is_hostile = j % 5 == 0
            k = next(counter)
            if is_hostile:
                endpoint, body, name = hostile(rng, k)
            else:
                endpoint, body = ordinary(rng, k)
            t = time.perf_counter()
            try:
                status, _ = await asyncio.wait_for(client.post(f"/api/{endpoint}", body), 60)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
                counts["lost"] += 1
                await client.close()
                client = RawClient(url)
                continue
            dt = time.perf_counter() - t
            statuses[status] = statuses.get(status, 0) + 1
            kind = by_class["hostile" if is_hostile else "ordinary"]
            kind[status] = kind.get(status, 0) + 1
            if is_hostile:
                hostile_log.append((name, status, dt))
            else:
                cache, queue, work = server_timing(client.head)
                split.append((endpoint, cache, dt, queue, work))
            if status == 503:
                counts["503"] += 1
            elif status >= 500:
                counts["5xx"] += 1
            if is_hostile:
                counts["hostile"] += 1
            else:
                counts["ordinary"] += 1
                per_minute.setdefault(int((t - start) // 60), []).append(dt)
        await client.close()

    await asyncio.gather(*(client_loop(c) for c in range(clients)))
    return {"per_minute": per_minute, "counts": counts, "statuses": statuses,
            "wall": time.perf_counter() - start, "by_class": by_class, "split": split,
            "hostile": hostile_log}


def report_split(res: dict) -> None:
    """Where the ordinary requests' time went (Server-Timing: waiting for a worker, the work on
    it; the rest is the server and the client), and what each kind of hostile input got."""
    print(f"\nstatuses: ordinary {dict(sorted(res['by_class']['ordinary'].items()))}, "
          f"hostile {dict(sorted(res['by_class']['hostile'].items()))}")
    print("\nordinary by endpoint and cache   n   total p50/p99 ms   queue p50/p99 ms   "
          "work p50/p99 ms   mean total/queue/work ms")
    groups: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for endpoint, cache, dt, queue, work in res["split"]:
        groups.setdefault((endpoint, cache), []).append((dt, queue, work))
        groups.setdefault(("all", cache), []).append((dt, queue, work))
    for (endpoint, cache), rows in sorted(groups.items()):
        cols = list(zip(*rows, strict=True))
        ms = [f"{percentile(list(col), 50) * 1e3:6.1f}/{percentile(list(col), 99) * 1e3:6.1f}"
              for col in cols]
        means = "/".join(f"{sum(col) / len(col) * 1e3:.1f}" for col in cols)
        print(f"  {endpoint:9s} {cache:7s}  {len(rows):6d}   {ms[0]:>16s}   {ms[1]:>16s}   "
              f"{ms[2]:>15s}   {means}")
    print("\nhostile kind            n   statuses                 mean s   max s")
    kinds: dict[str, list[tuple[int, float]]] = {}
    for name, status, dt in res["hostile"]:
        kinds.setdefault(name, []).append((status, dt))
    for name, rows in sorted(kinds.items()):
        sts: dict[int, int] = {}
        for status, _ in rows:
            sts[status] = sts.get(status, 0) + 1
        times = [dt for _, dt in rows]
        print(f"  {name:20s} {len(rows):5d}   {dict(sorted(sts.items()))!s:24s} "
              f"{sum(times) / len(times):6.2f}  {max(times):6.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    seconds = args.minutes * 60
    warm = min(60.0, max(5.0, seconds / 10))
    proc, url = start_server(args.workers)
    try:
        print(f"nablab soak: {url}, {args.workers} workers, {args.clients} clients, "
              f"{args.minutes:g} min, 1 in 5 hostile, {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f} (other processes share the machine)", flush=True)
        load_start = os.getloadavg()
        h0 = httpx.get(url + "/api/health").json()

        samples: list[tuple[float, int, int, int, float]] = []
        warm_up: dict = {}

        async def monitor(t0: float) -> None:
            """Every 5 s: server RSS, the response cache's entries and bytes, load average. The
            warm-up ends at ``warm`` seconds or, later, when the response cache is full (it
            evicts): until then the server's memory grows by the cache, as designed."""
            async with httpx.AsyncClient() as http:
                while True:
                    await asyncio.sleep(5)
                    cache = (await http.get(url + "/api/health")).json()["cache"]
                    t = time.perf_counter() - t0
                    mem = memory(proc.pid)
                    samples.append((t, mem[0], cache["size"], cache["bytes"],
                                    os.getloadavg()[0]))
                    if t >= warm and "fallback" not in warm_up:
                        warm_up["fallback"] = (t, mem)
                    if t >= warm and "full" not in warm_up and cache.get("evictions", 0) > 0:
                        warm_up["full"] = (t, mem)

        async def run() -> dict:
            task = asyncio.create_task(soak(url, args.clients, seconds, warm, args.seed))
            watch = asyncio.create_task(monitor(time.perf_counter()))
            out = await task
            watch.cancel()
            return out

        res = asyncio.run(run())
        warm_at, mem_warm = warm_up.get("full") or warm_up.get("fallback") or (0.0, (0, 0, 0))
        cache_full = "full" in warm_up
        load_end = os.getloadavg()
        time.sleep(1.0)  # let replacements of killed workers come up
        mem_end = memory(proc.pid)
        h1 = httpx.get(url + "/api/health").json()
    finally:
        stop_server(proc)
    print("\nload average (1, 5, 15 min): at the start " + ", ".join(f"{x:.1f}" for x in load_start)
          + "; at the end " + ", ".join(f"{x:.1f}" for x in load_end)
          + " (the soak's own processes count: demoted workers run at nice 19)")
    print("\nminute  ordinary  p50 ms  p99 ms")
    worst = 0.0
    for minute, times in sorted(res["per_minute"].items()):
        p99 = percentile(times, 99)
        worst = max(worst, p99)
        print(f"{minute:6d}  {len(times):8d}  {percentile(times, 50) * 1e3:6.1f}  "
              f"{p99 * 1e3:6.1f}")
    report_split(res)
    print(f"\n  time s  server RSS MiB  cache entries  cache MiB  load (cache bound "
          f"{h1['cache']['max_entries']} entries, {h1['cache']['max_bytes'] / 2**20:.0f} MiB)")
    for t, rss, size, nbytes, load in samples[5::6]:
        print(f"  {t:6.0f}  {rss / 1024:14.0f}  {size:13d}  {nbytes / 2**20:9.1f}  {load:4.1f}")
    c = res["counts"]
    print(f"\nrequests: {c['ordinary']} ordinary, {c['hostile']} hostile in {res['wall']:.0f} s; "
          f"statuses {dict(sorted(res['statuses'].items()))}")
    print(f"ordinary p99 worst minute: {worst * 1e3:.0f} ms (target <= 1000 ms: "
          f"{'met' if worst <= 1.0 else 'NOT met'})")

    def growth(a: int, b: int) -> str:
        return f"{(b - a) / a * 100:+.1f}%" if a else "n/a"

    print(f"warm-up: {warm_at:.0f} s ("
          + ("the response cache full, evicting" if cache_full else
             f"the response cache NOT full yet: {h1['cache']['bytes'] / 2**20:.0f} MiB, "
             f"{h1['cache']['size']} entries; growth below includes its filling") + ")")
    print(f"server RSS: {mem_warm[0] / 1024:.0f} MiB after warm-up ({warm_at:.0f} s), "
          f"{mem_end[0] / 1024:.0f} MiB at the end ({growth(mem_warm[0], mem_end[0])})")
    print(f"largest worker RSS: {mem_warm[1] / 1024:.0f} → {mem_end[1] / 1024:.0f} MiB "
          f"({growth(mem_warm[1], mem_end[1])}); workers + forkserver total "
          f"{mem_warm[2] / 1024:.0f} → {mem_end[2] / 1024:.0f} MiB "
          f"({growth(mem_warm[2], mem_end[2])})")
    keys = ("completed", "killed", "died", "replaced", "demoted", "shed", "rejected",
            "handed_off")
    print("pool: " + ", ".join(f"{k} {h1.get(k, 0) - h0.get(k, 0)}" for k in keys))
    lost_workers = max(0, h1["workers"] - h1["alive"])
    print(f"workers lost: {lost_workers} (alive {h1['alive']} of {h1['workers']})")
    print(f"answers lost: {c['lost'] + c['5xx']} ({c['lost']} without an HTTP answer, "
          f"{c['5xx']} 5xx other than 503; {c['503']} documented 503 busy)")
    return 0 if lost_workers == 0 and c["lost"] + c["5xx"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
