"""Benchmarks for the gradient core (issues 3 and 15): figures and ratios measured in the same run.

    .venv/bin/python bench/bench_gradient.py [--quick] [--text-only]

First what a user does (issue 15): from the typed text through the public API (``nablab.parse``,
``nablab.gradient(text, ...)``), parse included, with SymPy's ``parse_expr`` + ``diff`` on the
same function in the same run, and a growth table for Rosenbrock n = 10 … 10 000. Targets:
parse n = 1000 ≤ 50 ms; ∇f derived ≤ 0.1 s, default form ≤ 0.3 s; n = 10 000 derived ≤ 1.5 s
with a flat time per variable; chapter example fresh full answer ≤ 2 ms. ``--text-only`` runs
only that part.

Then the older figures (issue 3), some of them from an already-built expression (an internal
shortcut, labelled as such):

Targets: chapter example full answer ≤ 20 ms median warm and ≥ 3× faster than the naive
parse_expr + diff + simplify + latex pipeline; Rosenbrock n = 1000 full gradient ≤ 0.1 s; nested
depth 20 both partials ≤ 10 ms; ∇f on a 200×200 grid within 2× of hand-written NumPy;
``nablab grad`` cold start ≤ 1 s.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import sympy

from nablab.api import gradient
from nablab.calculus.partials import partials, symengine_partials
from nablab.expression import Expression
from nablab.numeric import compile_numpy
from nablab.render.latex import to_latex

QUICK = "--quick" in sys.argv
TEXT_ONLY = "--text-only" in sys.argv
CHAPTER = "x^2 y + sin(xy)"


def median_ms(fn, repeat: int, clear_cache: bool = False) -> float:
    """Median wall time in ms. nablab's own memos (symbolic answers and printed formulas, per
    process, for the server) are always emptied first, so every figure measures the work, not
    a lookup; ``clear_cache`` also empties SymPy's cache."""
    from nablab.api import clear_caches

    fn()  # warm
    times = []
    for _ in range(repeat):
        clear_caches()
        if clear_cache:
            sympy.core.cache.clear_cache()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def median_wall_cpu(fn, repeat: int) -> tuple[float, float]:
    """Median wall and CPU (this process) time in ms, nablab's memos and SymPy's cache emptied
    before each run. On a shared machine the wall time carries the other processes' load; the
    CPU time much less so (it is printed next to it, never instead of it)."""
    from nablab.api import clear_caches

    fn()  # warm
    walls, cpus = [], []
    for _ in range(repeat):
        clear_caches()
        sympy.core.cache.clear_cache()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls) * 1e3, statistics.median(cpus) * 1e3


def line(name: str, value: str, target: str = "", verdict: bool | None = None) -> None:
    mark = "" if verdict is None else ("  PASS" if verdict else "  MISS")
    print(f"{name:<58} {value:>14}  {target}{mark}")


def chapter() -> None:
    from sympy.parsing.sympy_parser import parse_expr

    def ours():
        r = gradient(CHAPTER, at="x=1,y=2")
        [to_latex(p) for p in r.partials]
        to_latex(r.gradient)
        return r

    def naive():  # the baseline, on our fixed text
        f = parse_expr("x**2*y + sin(x*y)")
        xs, ys = sympy.symbols("x y")
        parts = [sympy.simplify(sympy.diff(f, v)) for v in (xs, ys)]
        return [sympy.latex(p) for p in parts]

    n = 10 if QUICK else 40
    for clear in (False, True):
        tag = "SymPy cache cleared before each run" if clear else "warm SymPy cache"
        a = median_ms(ours, n, clear)
        b = median_ms(naive, n, clear)
        line(f"chapter example, full answer ({tag})", f"{a:.2f} ms", "≤ 20 ms", a <= 20)
        line(f"  naive parse_expr+diff+simplify+latex ({tag})", f"{b:.2f} ms")
        line("  speed-up over naive", f"{b / a:.1f}×", "≥ 3×", b / a >= 3)


def rosen_text(n: int) -> tuple[str, str]:
    """The n-variable Rosenbrock function as a user types it, and in Python syntax for the
    SymPy baseline (spaces around the terms' '+' only, so that n = 10 000 fits the input
    limit of 400 000 characters)."""
    typed = " + ".join(f"100(x{i + 1}-x{i}^2)^2 + (1-x{i})^2" for i in range(1, n))
    python = " + ".join(f"100*(x{i + 1}-x{i}**2)**2 + (1-x{i})**2" for i in range(1, n))
    return typed, python


def from_text() -> None:
    """What a user does: the typed text through the public API, parse included. Every run
    is a new function for nablab (its memos emptied) and for SymPy (its cache emptied)."""
    from sympy.parsing.sympy_parser import parse_expr

    import nablab

    print("-- from the typed text, through the public API (parse included) --")
    typed, python = rosen_text(1000)
    r = 3 if QUICK else 7
    print(f"{'(wall ms / CPU ms, medians)':>72}")
    t, c = median_wall_cpu(lambda: nablab.parse(typed), r)
    line(f"parse Rosenbrock n=1000 text ({len(typed)} chars)", f"{t:.0f} / {c:.0f}", "≤ 50 ms",
         t <= 50)
    t, c = median_wall_cpu(lambda: nablab.gradient(typed, form="derived"), r)
    line("nablab.gradient(text, form='derived'), n=1000", f"{t:.0f} / {c:.0f}", "≤ 100 ms",
         t <= 100)
    t, c = median_wall_cpu(lambda: nablab.gradient(typed), r)
    line("nablab.gradient(text) default form (simplified), n=1000", f"{t:.0f} / {c:.0f}",
         "≤ 300 ms", t <= 300)
    print("growth, Rosenbrock from text: nablab.gradient(text, form='derived') vs SymPy's "
          "parse_expr + diff for every variable (wall ms; CPU ms in brackets)")
    print(f"{'n':>7} {'chars':>8} {'nablab ms':>15} {'µs/var':>8} {'default ms':>15} "
          f"{'SymPy ms':>10} {'SymPy µs/var':>13}")
    per_var = {}
    for n in (10, 100, 1000, 10_000):
        typed, python = rosen_text(n)
        reps = (1 if QUICK else 3) if n == 10_000 else r
        ours, ours_cpu = median_wall_cpu(
            lambda typed=typed: nablab.gradient(typed, form="derived"), reps)
        default, default_cpu = median_wall_cpu(lambda typed=typed: nablab.gradient(typed), reps)
        per_var[n] = ours * 1e3 / n
        base = ""
        base_per = ""
        if n <= (10 if QUICK else 100):  # SymPy's diff is O(n²) here: n = 1000 takes minutes

            def sympy_way(python=python):
                f = parse_expr(python)
                xs = sorted(f.free_symbols, key=lambda s: int(s.name[1:]))
                return [sympy.diff(f, v) for v in xs]

            b = median_ms(sympy_way, 1 if n == 100 else 3, True)
            base, base_per = f"{b:10.1f}", f"{b * 1e3 / n:13.0f}"
        print(f"{n:>7} {len(typed):>8} {f'{ours:.1f} ({ours_cpu:.0f})':>15} {per_var[n]:>8.1f} "
              f"{f'{default:.1f} ({default_cpu:.0f})':>15} {base or '(minutes)':>10} "
              f"{base_per or '':>13}")
    big = per_var[10_000] * 10_000 / 1e3
    line("n=10000 derived from text", f"{big:.0f} ms", "≤ 1500 ms", big <= 1500)
    flat = per_var[10_000] / per_var[1000]
    line("  time per variable n=10000 / n=1000 (linear: about 1)", f"{flat:.2f}", "≤ 1.5",
         flat <= 1.5)

    def full():
        res = nablab.gradient(CHAPTER, at="x=1,y=2")
        [to_latex(p) for p in res.partials]
        to_latex(res.gradient)
        return res

    for clear in (False, True):
        tag = "SymPy cache cleared" if clear else "warm SymPy cache"
        t = median_ms(full, 10 if QUICK else 40, clear)
        line(f"chapter example fresh (memos cleared), full answer, {tag}", f"{t:.2f} ms",
             "≤ 2 ms", t <= 2)


def rosenbrock(n: int) -> Expression:
    xs = sympy.symbols(f"x1:{n + 1}")
    f = sympy.Add(*[100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2
                    for i in range(n - 1)])
    return Expression(f"rosenbrock({n})", f, tuple(xs))


def rosen() -> None:
    """From an already-built SymPy expression (an internal shortcut, not the user's path).
    Three figures per n: SymEngine alone (differentiate, no conversion); partials() (the
    same plus converting every partial back to SymPy, which printing needs); gradient()
    (partials plus the tree-size guard, domain and the result object, form=derived)."""
    for n in (10, 100, 1000):
        e = rosenbrock(n)
        real = e.expr.xreplace({s: sympy.Symbol(s.name, real=True) for s in e.variables})
        rv = sorted(real.free_symbols, key=lambda s: int(s.name[1:]))
        raw = median_ms(lambda real=real, rv=rv: symengine_partials(real, rv), 5)
        # SymPy caches constructed nodes: clear it so every run is like a new function
        core = median_ms(lambda real=real, rv=rv: partials(real, rv), 3 if n == 1000 else 5,
                         True)
        line(f"Rosenbrock n={n}: ∇f in SymEngine only (terms with xₖ only)", f"{raw:.1f} ms",
             target := ("≤ 100 ms" if n == 1000 else ""), raw <= 100 if target else None)
        line(f"Rosenbrock n={n}: … plus conversion to SymPy (partials(), cold cache)",
             f"{core:.1f} ms")
        if n == 1000:
            slow = median_ms(lambda real=real, rv=rv: _partials_evaluated(real, rv), 3, True)
            line("  same with SymPy's evaluating constructors (before round 2)",
                 f"{slow:.1f} ms")
            line("  speed-up of the direct conversion", f"{slow / core:.1f}×")
        full = median_ms(lambda e=e: gradient(e, form="derived"), 3 if n == 1000 else 5, True)
        line(f"Rosenbrock n={n}: gradient(pre-built Expression), derived, cold cache", f"{full:.1f} ms",
             "(target above is for ∇f)" if n == 1000 else "")
        if n <= 100:
            base = median_ms(lambda real=real, rv=rv: [sympy.diff(real, v) for v in rv], 1,
                             True)
            line(f"  baseline sympy.diff on every variable, n={n}", f"{base:.1f} ms")
            line("  speed-up of partials() over it", f"{base / core:.0f}×")


def _partials_evaluated(expr, variables):
    from nablab.calculus.partials import _Engine

    engine = _Engine(variables)
    engine.direct = False
    index = engine.terms_by_symbol(expr)
    return [engine.diff(expr, v, index) for v in variables]


def nested() -> None:
    """A shared-subexpression DAG (e = sin(e)·cos(e) + x, ``depth`` times) as a practitioner
    has it in hand: a SymPy expression through the public API, ``nablab.gradient(f,
    form="derived")``, both partials (the caller's SymPy cache as they left it: their own
    construction of f is in it). SymPy's ``diff`` on the same object beside it (its tree
    doubles per level; from depth 12 it takes too long to run here)."""
    import nablab

    x, y = sympy.symbols("x y")
    print("-- DAG depth from a SymPy expression: nablab.gradient(f, [x, y], form='derived') "
          "vs sympy.diff, both partials --")
    print(f"{'depth':>7} {'nablab ms':>10} {'sympy.diff ms':>14}")
    for depth in (5, 10, 20, 40, 80):
        e = x * y
        for _ in range(depth):
            e = sympy.sin(e) * sympy.cos(e) + x
        ours = median_ms(lambda e=e: nablab.gradient(e, [x, y], form="derived"), 5)
        base = ""
        if depth <= 10:
            b = median_ms(lambda e=e: [sympy.diff(e, v) for v in (x, y)], 1)
            base = f"{b:14.1f}"
        print(f"{depth:>7} {ours:>10.2f} {base or '(too long)':>14}")
        if depth == 20:
            line("nested depth 20 from a SymPy expression: both partials", f"{ours:.2f} ms",
                 "≤ 10 ms", ours <= 10)
    xr, yr = sympy.symbols("x y", real=True)
    e = xr * yr
    for _ in range(20):
        e = sympy.sin(e) * sympy.cos(e) + xr
    t = median_ms(lambda: partials(e, [xr, yr]), 10, clear_cache=True)
    line("  (internal shortcut: calculus.partials, SymPy cache cleared) depth 20", f"{t:.2f} ms")


def grid() -> None:
    r = gradient(CHAPTER, form="derived")
    xs, ys = r.variables
    fn = compile_numpy(r.partials, [xs, ys])
    X, Y = np.meshgrid(np.linspace(-2, 2, 200), np.linspace(-2, 2, 200))

    def hand():
        xy = X * Y
        c = np.cos(xy)
        return [2 * xy + Y * c, X**2 + X * c]

    a = median_ms(lambda: fn(X, Y), 50)
    b = median_ms(hand, 50)
    ok = np.allclose(fn(X, Y), hand())
    line("∇f on a 200×200 grid (compile_numpy)", f"{a:.3f} ms")
    line("  hand-written NumPy", f"{b:.3f} ms")
    line(f"  ratio ours / hand-written (same values: {ok})", f"{a / b:.2f}", "≤ 2",
         a / b <= 2)


def cold_start() -> None:
    """Wall time of fresh processes. Most of it is importing SymPy, so it depends on SymPy's
    bytecode being compiled: ./dev installs with --compile-bytecode, because with
    PYTHONDONTWRITEBYTECODE=1 (set in some sessions and containers) Python would otherwise
    recompile SymPy on every start (seconds, not ms)."""
    import importlib.util

    exe = str(Path(sys.executable).with_name("nablab"))
    env = dict(os.environ)
    spec = importlib.util.find_spec("sympy")
    pyc = Path(spec.origin).parent / "__pycache__"
    compiled = pyc.is_dir() and any(pyc.glob("__init__.*.pyc"))
    print(f"cold start conditions: SymPy bytecode compiled: {compiled}; "
          f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')}")

    def wall(cmd):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        return time.perf_counter() - t0

    n = 3 if QUICK else 5
    py = statistics.median(wall([sys.executable, "-c", "pass"]) for _ in range(n))
    sp = statistics.median(wall([sys.executable, "-c", "import sympy"]) for _ in range(n))
    helps = statistics.median(wall([exe, "--help"]) for _ in range(n))
    full = statistics.median(wall([exe, "grad", CHAPTER, "--at", "x=1,y=2"]) for _ in range(n))
    line("cold start: python -c pass", f"{py * 1e3:.0f} ms")
    line("cold start: python -c 'import sympy' (the floor for any answer)", f"{sp * 1e3:.0f} ms")
    line("cold start: nablab --help", f"{helps * 1e3:.0f} ms")
    line("cold start: nablab grad CHAPTER --at x=1,y=2", f"{full * 1e3:.0f} ms", "≤ 1000 ms",
         full <= 1.0)
    line("  of which beyond importing sympy", f"{(full - sp) * 1e3:.0f} ms")


def main() -> None:
    print(f"nablab gradient benchmarks (load average {os.getloadavg()[0]:.1f}, "
          f"{os.cpu_count()} CPUs)")
    parts = (from_text,) if TEXT_ONLY else (from_text, chapter, rosen, nested, grid, cold_start)
    for part in parts:
        part()


if __name__ == "__main__":
    main()
