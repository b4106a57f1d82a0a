"""Optimizer steps per second on a typed 2-variable f, against a hand-written NumPy loop.

For every method: ``nablab.descent(TEXT, start, η, method=…, steps=N)`` from the typed text
through the public API (reading, the derived gradient compiled once, the run with path, f and
‖∇f‖ recorded and the stop tests every step, the result with its advice) next to the same
update written by hand in NumPy with a hand-written gradient, recording the same path, f and
‖∇f‖. The "run only" column is an internal figure (``nablab.optimize.descent.run`` on the
already compiled problem), shown to separate the loop from the set-up. Target (issue 14):
≥ 1e5 steps/s per method and ≥ 0.8× the hand loop. Also: ``nablab.graph`` of the chapter's
example from its text (target ≤ 50 ms).

    .venv/bin/python bench/bench_optimizers.py [--steps 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time

import numpy as np

import nablab
from nablab.api import parse
from nablab.optimize.descent import problem, run
from nablab.optimize.methods import resolve

TEXT = "x^2 + 10y^2 + x y"
RATES = {"gd": 0.05, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.1, "rmsprop": 0.001,
         "adam": 0.001}


def hand(method: str, steps: int, rate: float) -> float:
    """The loop a person writes: NumPy vectors, the gradient by hand, path and f recorded."""
    def fg(v):
        x, y = v
        return x * x + 10 * y * y + x * y, np.array([2 * x + y, 20 * y + x])

    x = np.array([1.0, 1.0])
    f, g = fg(x)
    path, values, norms = [x], [f], [math.sqrt(g @ g)]
    v = np.zeros(2)
    s = np.zeros(2)
    b1, b2, eps, beta, rho = 0.9, 0.999, 1e-8, 0.9, 0.9
    t = time.perf_counter()
    for k in range(1, steps + 1):
        if method == "gd":
            x = x - rate * g
        elif method == "momentum":
            v = beta * v + g
            x = x - rate * v
        elif method == "nesterov":
            v = beta * v + g
            x = x - rate * (g + beta * v)
        elif method == "adagrad":
            s = s + g * g
            x = x - rate * g / (np.sqrt(s) + eps)
        elif method == "rmsprop":
            s = rho * s + (1 - rho) * (g * g)
            x = x - rate * g / (np.sqrt(s) + eps)
        else:
            v = b1 * v + (1 - b1) * g
            s = b2 * s + (1 - b2) * (g * g)
            x = x - rate * (v / (1 - b1**k)) / (np.sqrt(s / (1 - b2**k)) + eps)
        f, g = fg(x)
        path.append(x)
        values.append(f)
        norms.append(math.sqrt(g @ g))
    return steps / (time.perf_counter() - t)


def api(method: str, steps: int, rate: float) -> float:
    t = time.perf_counter()
    r = nablab.descent(TEXT, {"x": 1, "y": 1}, rate, method=method, steps=steps, tol=0.0)
    elapsed = time.perf_counter() - t
    assert r.steps == steps, r.reason
    return steps / elapsed


def run_only(prob, method: str, steps: int, rate: float) -> float:
    hyper = resolve([method], {})[method]
    t = time.perf_counter()
    r = run(prob, method, rate, steps=steps, tol=0.0, hyper=hyper)
    elapsed = time.perf_counter() - t
    assert r.steps == steps, r.reason
    return steps / elapsed


def graph_ms(repeat: int) -> float:
    times = []
    for k in range(repeat):  # a new function each time: nothing answered from a cache
        t = time.perf_counter()
        nablab.graph(f"x^2 y + sin(xy) + {k + 2} x", "x=1,y=2")
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    prob = problem(parse(TEXT), {"x": 1.0, "y": 1.0})
    print(f"f = {TEXT}, {args.steps:,} steps, median of {args.repeat} (machine shared)")
    print(f"{'method':10s} {'nablab.descent steps/s':>23s} {'hand NumPy':>11s} {'ratio':>6s}"
          f" {'(run only)':>11s}")
    for method, rate in RATES.items():
        a = statistics.median(api(method, args.steps, rate) for _ in range(args.repeat))
        b = statistics.median(hand(method, args.steps, rate) for _ in range(args.repeat))
        c = statistics.median(run_only(prob, method, args.steps, rate)
                              for _ in range(args.repeat))
        print(f"{method:10s} {a:23,.0f} {b:11,.0f} {a / b:6.2f} {c:11,.0f}")
    print(f"nablab.graph of x^2 y + sin(xy) at (1, 2) from its text: "
          f"{graph_ms(max(args.repeat, 5)):.1f} ms (median)")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
