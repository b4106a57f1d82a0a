"""Benchmark of the HTTP API: latency of the chapter's example, load with 20 concurrent clients,
and the same load with hostile requests mixed in.

Starts a real server (``nablab serve`` on a free loopback port) and drives it with httpx.
Prints: the chapter's example through the API (fresh and cached) against the same facade call
in this process (the baseline, measured in the same run), p50/p95/p99 under load, and — with
runaway powers, huge inputs and simplification bombs mixed in — the ordinary requests' p99,
what the hostile ones got, and whether any worker was lost. All loops are bounded.

Then, every request a function not seen before (no cache hit anywhere), and the page's edit
under ``--clients`` users: one ``/api/lab`` request against the five requests the page sent
before (baseline, same run), p99 of the whole edit.

    python bench/bench_server.py [--workers N] [--clients 20] [--requests 30] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

import httpx

from nablab.render.json import to_json

CHAPTER = "x^2 y + sin(xy)"
ORDINARY = [
    "x^2 y + sin(xy)",
    "x^2 + y^2",
    "x^2 + 10 y^2",
    "x y",
    "(1 - x)^2 + 100 (y - x^2)^2",
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "exp(-(x^2 + y^2))",
    "log(x^2 + y^2 + 1)",
    "sin(x) cos(y)",
    "sqrt(x^2 + y^2 + 1)",
    "x^3 - 3 x y^2",
    "tanh(x y) + x",
    "sigmoid(x + 2 y)",
    "atan(y / (x^2 + 1))",
    "x exp(y) + y exp(x)",
    "abs(x) + max(0, y)",
]
HOSTILE = [
    ("runaway power", "(x + y + {k})^99999 (x - y)^99999", {"form": "expanded"}),
    ("huge exponent", "x^999999999{k} y", {}),
    ("expansion bomb", "(x + y + z + {k})^60 (x - y + 2 z)^60", {"form": "expanded"}),
    ("simplification bomb",
     "(sin(x)^2 + cos(x)^2)^{k}0 * ((x+1)^30 - (x-1)^30) / ((x+1)^15 - (x-1)^15)",
     {"form": "simplified"}),
    ("deep nesting", "sin(" * 60 + "x y + {k}" + ")" * 60, {}),
    ("huge input", " + ".join(f"x^{i} y^{{k}}" for i in range(1, 150)), {}),
]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))
    return s[k]


def start_server(workers: int) -> tuple[subprocess.Popen, str]:
    code = "import sys; from nablab.interfaces.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--port", "0", "--workers", str(workers)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    line = proc.stdout.readline().decode()
    match = re.search(r"http://[\d.]+:\d+", line)
    if not match:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    url = match.group(0)
    for _ in range(1200):  # bounded: 120 s
        try:
            health = httpx.get(url + "/api/health", timeout=2)
            if health.status_code == 200 and health.json()["status"] == "ok":  # workers up
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not become healthy")


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def body_for(endpoint: str, text: str, i: int, extra: dict | None = None) -> dict:
    """A request that misses the cache (the point varies with i) unless i repeats."""
    if endpoint == "gradient":
        return {"text": text, "at": {"x": 0.5 + i * 1e-3, "y": 1.25, "z": 0.5}
                if "z" in text else {"x": 0.5 + i * 1e-3, "y": 1.25}, **(extra or {})}
    return {"text": text + f" + {i}" if i else text}


class RawClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams. A full client (httpx) costs
    milliseconds of CPU per request in this process, which on a small machine would measure
    the client, not the server; this one costs tens of microseconds."""

    def __init__(self, url: str) -> None:
        parsed = httpx.URL(url)
        self.host, self.port = parsed.host, parsed.port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.head = b""  # the last answer's status line and headers

    async def post(self, path: str, body: dict) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            sock = self.writer.get_extra_info("socket")
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        data = json.dumps(body).encode()
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
        head = self.head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def timed(client: RawClient, endpoint: str, body: dict) -> tuple[float, int]:
    t = time.perf_counter()
    status, _ = await client.post(f"/api/{endpoint}", body)
    return time.perf_counter() - t, status


def baseline(endpoint: str, rounds: int) -> float:
    """The same work in this process through the facade (no HTTP, no workers): median s."""
    import nablab.api as api

    times = []
    for i in range(rounds):
        t = time.perf_counter()
        if endpoint == "gradient":
            to_json(api.gradient(CHAPTER, None, at={"x": 0.5 + i * 1e-3, "y": 1.25}))
        else:
            from nablab.render.json import expression_dict

            expression_dict(api.parse(CHAPTER + (f" + {i}" if i else "")))
        times.append(time.perf_counter() - t)
    return statistics.median(times[1:])


async def chapter_example(url: str, endpoint: str, rounds: int) -> tuple[float, float]:
    client = RawClient(url)
    fresh = [(await timed(client, endpoint, body_for(endpoint, CHAPTER, 1000 + i)))[0]
             for i in range(rounds)]
    cached = [(await timed(client, endpoint, body_for(endpoint, CHAPTER, 1000)))[0]
              for _ in range(rounds)]
    await client.close()
    return statistics.median(fresh), statistics.median(cached)


POINTS = [(0.5, 1.25), (1.0, 2.0), (-1.0, 0.5), (2.0, -1.0)]


async def load(url: str, endpoint: str, clients: int, per_client: int, hostile_every: int,
               seed: int, fresh: bool) -> dict:
    """``clients`` concurrent clients, each sending ``per_client`` requests one after another.
    ``fresh``: every ordinary request is new (worst case, never cached); otherwise they come from
    the set ORDINARY x POINTS (what a class using the page sends; repeats hit the cache).
    Hostile requests are always new, so the cache never absorbs them."""
    rng = random.Random(seed)
    ordinary: list[float] = []
    statuses: dict[int, int] = {}
    hostile: list[tuple[str, float, int]] = []
    counter = iter(range(10**9))

    def ordinary_body() -> dict:
        text = rng.choice(ORDINARY)
        if fresh:
            return body_for(endpoint, text, 2000 + next(counter))
        px, py = rng.choice(POINTS)
        if endpoint == "gradient":
            return {"text": text, "at": {"x": px, "y": py}}
        return {"text": text}

    async def client_loop(c: int) -> None:
        client = RawClient(url)
        for j in range(per_client):
            if hostile_every and (c * per_client + j) % hostile_every == hostile_every - 1:
                name, text, extra = rng.choice(HOSTILE)
                k = next(counter) + 2
                body = {"text": text.replace("{k}", str(k)), **extra} \
                    if endpoint == "gradient" else {"text": text.replace("{k}", str(k))}
                dt, status = await timed(client, endpoint, body)
                hostile.append((name, dt, status))
                continue
            dt, status = await timed(client, endpoint, ordinary_body())
            ordinary.append(dt)
            statuses[status] = statuses.get(status, 0) + 1
        await client.close()

    t = time.perf_counter()
    await asyncio.gather(*(client_loop(c) for c in range(clients)))
    wall = time.perf_counter() - t
    return {"ordinary": ordinary, "statuses": statuses, "hostile": hostile, "wall": wall}


def new_function(rng: random.Random, k: int) -> str:
    """A function no request has used before (so no cache at any level holds it)."""
    return f"{rng.choice(ORDINARY)} + {k} x y"


async def all_new(url: str, endpoint: str, clients: int, per_client: int, seed: int) -> dict:
    """Every request a function not seen before (worst case: no cache hit anywhere)."""
    rng = random.Random(seed)
    counter = iter(range(10**6, 10**9))
    times: list[float] = []
    statuses: dict[int, int] = {}

    async def client_loop() -> None:
        client = RawClient(url)
        for _ in range(per_client):
            body = {"text": new_function(rng, next(counter))}
            if endpoint == "gradient":
                body["at"] = {"x": 0.5, "y": 1.25}
            dt, status = await timed(client, endpoint, body)
            times.append(dt)
            statuses[status] = statuses.get(status, 0) + 1
        await client.close()

    t = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(clients)))
    return {"ordinary": times, "statuses": statuses, "hostile": [],
            "wall": time.perf_counter() - t}


def edit_requests(text: str) -> list[tuple[str, dict]]:
    """What the page sent per edit before /api/lab: five requests, each reading the text."""
    at = {"x": 0.5, "y": 1.25}
    plot = {"n": 61, "arrows": 15}
    return [("parse", {"text": text}), ("gradient", {"text": text}),
            ("gradient", {"text": text, "steps": True}),
            ("gradient", {"text": text, "at": at}), ("plot", {"text": text, **plot})]


async def edits(url: str, clients: int, per_client: int, seed: int, one_request: bool) -> dict:
    """``clients`` users each making ``per_client`` edits (every one a new function): with
    ``one_request`` one /api/lab request per edit, else the five requests at once (the page
    sent them concurrently, so the edit waits for the slowest). Times are whole edits."""
    rng = random.Random(seed)
    counter = iter(range(10**6, 10**9))
    times: list[float] = []
    statuses: dict[int, int] = {}

    async def user() -> None:
        conns = [RawClient(url) for _ in range(1 if one_request else 5)]
        for _ in range(per_client):
            text = new_function(rng, next(counter))
            t = time.perf_counter()
            if one_request:
                answers = [await conns[0].post("/api/lab", {
                    "text": text, "at": {"x": 0.5, "y": 1.25}, "steps": True,
                    "plot": {"n": 61, "arrows": 15}})]
            else:
                answers = await asyncio.gather(*(c.post(f"/api/{e}", b) for c, (e, b) in
                                                 zip(conns, edit_requests(text), strict=True)))
            times.append(time.perf_counter() - t)
            for status, _ in answers:
                statuses[status] = statuses.get(status, 0) + 1
        for c in conns:
            await c.close()

    t = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(clients)))
    return {"ordinary": times, "statuses": statuses, "hostile": [],
            "wall": time.perf_counter() - t}


def cpu_seconds(pid: int) -> float:
    """CPU time used by a process (Linux /proc), to show the server's own cost per request."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def pool_delta(before: dict, after: dict) -> str:
    keys = ("completed", "demoted", "shed", "killed", "died", "rejected")
    return ", ".join(f"{k} {after[k] - before[k]}" for k in keys)


def report_load(title: str, res: dict) -> None:
    o = res["ordinary"]
    n = len(o) + len(res["hostile"])
    print(f"\n{title}")
    print(f"  ordinary requests: {len(o)}  statuses {res['statuses']}  "
          f"throughput {n / res['wall']:.0f} req/s")
    print(f"  ordinary latency ms: p50 {percentile(o, 50) * 1e3:.1f}  "
          f"p95 {percentile(o, 95) * 1e3:.1f}  p99 {percentile(o, 99) * 1e3:.1f}  "
          f"max {max(o) * 1e3:.1f}")
    if res["hostile"]:
        by: dict[str, list] = {}
        for name, dt, status in res["hostile"]:
            by.setdefault(name, []).append((dt, status))
        for name, items in sorted(by.items()):
            sts = sorted({s for _, s in items})
            print(f"  hostile {name:20s} x{len(items):2d}: statuses {sts}  "
                  f"max {max(d for d, _ in items):.2f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=30, help="requests per client per phase")
    ap.add_argument("--quick", action="store_true", help="fewer requests (smoke run)")
    args = ap.parse_args()
    if args.quick:
        args.requests = 8
    proc, url = start_server(args.workers)
    try:
        health = httpx.get(url + "/api/health").json()
        endpoint = "gradient"
        print(f"nablab HTTP API benchmark: {url}, {args.workers} workers, endpoint /api/{endpoint}"
              f", {os.cpu_count()} CPUs, time limit {health['time_limit']} s, load average "
              f"{os.getloadavg()[0]:.1f} (other processes share the machine)")
        base = baseline(endpoint, 30)
        fresh, cached = asyncio.run(chapter_example(url, endpoint, 30))
        print(f"\nchapter example {CHAPTER!r}:")
        print(f"  in-process facade (baseline): median {base * 1e3:.2f} ms")
        print(f"  API, fresh (cache miss):      median {fresh * 1e3:.2f} ms  "
              f"({fresh / base:.1f}x baseline)")
        print(f"  API, repeated (cache hit):    median {cached * 1e3:.2f} ms  "
              f"({cached / base:.2f}x baseline)")

        n = args.requests
        c = args.clients
        h0 = httpx.get(url + "/api/health").json()
        cpu0 = cpu_seconds(proc.pid)
        set_load = asyncio.run(load(url, endpoint, c, n, 0, 1, fresh=False))
        cpu1 = cpu_seconds(proc.pid)
        report_load(f"{c} concurrent clients x {n} requests from a set of "
                    f"{len(ORDINARY)} functions x {len(POINTS)} points:", set_load)
        h1 = httpx.get(url + "/api/health").json()
        print(f"  pool: {pool_delta(h0, h1)}")
        print(f"  server process (HTTP, validation, cache; no symbolic work) CPU per request: "
              f"{(cpu1 - cpu0) / len(set_load['ordinary']) * 1e3:.2f} ms")
        p99 = percentile(set_load["ordinary"], 99)
        print(f"  target p99 <= 200 ms: {'met' if p99 <= 0.2 else 'NOT met'} ({p99 * 1e3:.0f} ms)")

        fresh_load = asyncio.run(load(url, endpoint, c, n, 0, 2, fresh=True))
        report_load(f"{c} concurrent clients x {n} requests, every one new (never cached):",
                    fresh_load)
        print(f"  pool: {pool_delta(h1, httpx.get(url + '/api/health').json())}")
        p99 = percentile(fresh_load["ordinary"], 99)
        print(f"  p99 {p99 * 1e3:.0f} ms (target 200 ms: {'met' if p99 <= 0.2 else 'NOT met'})")

        new_load = asyncio.run(all_new(url, endpoint, c, n, 4))
        report_load(f"{c} concurrent clients x {n} requests, every one a function not seen "
                    "before (no cache hit anywhere):", new_load)
        p99 = percentile(new_load["ordinary"], 99)
        print(f"  p99 {p99 * 1e3:.0f} ms")

        per = max(2, n // 5)
        five = asyncio.run(edits(url, c, per, 5, one_request=False))
        report_load(f"page edits, {c} users x {per} edits, all-new functions, 5 requests per "
                    "edit (baseline; times are whole edits):", five)
        lab = asyncio.run(edits(url, c, per, 6, one_request=True))
        report_load(f"page edits, {c} users x {per} edits, all-new functions, 1 request "
                    "(/api/lab) per edit:", lab)
        p5, p1 = percentile(five["ordinary"], 99), percentile(lab["ordinary"], 99)
        print(f"  edit p99: 5 requests {p5 * 1e3:.0f} ms, /api/lab {p1 * 1e3:.0f} ms "
              f"(target <= 100 ms: {'met' if p1 <= 0.1 else 'NOT met'})")

        before = httpx.get(url + "/api/health").json()
        mixed = asyncio.run(load(url, endpoint, c, n, 10, 3, fresh=False))
        report_load("the set load again with 1 in 10 requests hostile (each one new):", mixed)
        time.sleep(0.5)
        after = httpx.get(url + "/api/health").json()
        p99 = percentile(mixed["ordinary"], 99)
        print(f"  target ordinary p99 <= 1 s: {'met' if p99 <= 1.0 else 'NOT met'} "
              f"({p99 * 1e3:.0f} ms)")
        print(f"  pool: {pool_delta(before, after)}")
        print(f"  workers alive before/after: {before['alive']}/{after['alive']} of "
              f"{after['workers']}")
        print("  no worker lost" if after["alive"] >= after["workers"] else "  WORKER LOST")
    finally:
        stop_server(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
