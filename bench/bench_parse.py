"""Benchmarks for reading text (issue 15 item 1): from the typed text through the public
``nablab.parse``, side by side with SymPy's ``parse_expr`` on the same function written in Python
syntax, in the same run (the baseline is bench-only: src/ never calls parse_expr on user text).

    .venv/bin/python bench/bench_parse.py [--quick]

Figures are medians of several runs with SymPy's cache emptied before each (so every run reads a
new function, as a user pasting it would). Targets: Rosenbrock n = 1000 (~38k characters) parse
≤ 50 ms; time per variable flat for n = 10 … 10 000.
"""

from __future__ import annotations

import statistics
import sys
import time

import sympy
from sympy.parsing.sympy_parser import parse_expr

import nablab

QUICK = "--quick" in sys.argv
CHAPTER = "x^2 y + sin(xy)"
CHAPTER_PY = "x**2*y + sin(x*y)"


def median_ms(fn, repeat: int) -> float:
    """Median wall time in ms, SymPy's cache emptied before every run."""
    fn()  # warm the code paths
    times = []
    for _ in range(repeat):
        sympy.core.cache.clear_cache()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def line(name: str, value: str, target: str = "", verdict: bool | None = None) -> None:
    mark = "" if verdict is None else ("  PASS" if verdict else "  MISS")
    print(f"{name:<60} {value:>12}  {target}{mark}")


def rosenbrock(n: int) -> tuple[str, str]:
    """The n-variable Rosenbrock function written out, typed and in Python syntax (compact,
    so that n = 10 000 stays inside the input limit)."""
    typed = "+".join(f"100(x{i + 1}-x{i}^2)^2+(1-x{i})^2" for i in range(1, n))
    python = "+".join(f"100*(x{i + 1}-x{i}**2)**2+(1-x{i})**2" for i in range(1, n))
    return typed, python


def chapter() -> None:
    n = 20 if QUICK else 100
    ours = median_ms(lambda: nablab.parse(CHAPTER), n)
    full = median_ms(lambda: nablab.parse(CHAPTER).expr, n)
    base = median_ms(lambda: parse_expr(CHAPTER_PY), n)
    line(f"chapter example '{CHAPTER}': nablab.parse", f"{ours:.3f} ms")
    line("  … and its SymPy form (.expr)", f"{full:.3f} ms")
    line(f"  baseline parse_expr('{CHAPTER_PY}')", f"{base:.3f} ms")
    line("  ratio parse_expr / nablab.parse (.expr included)", f"{base / full:.1f}×")


def growth() -> None:
    sizes = (10, 100, 1000) if QUICK else (10, 100, 1000, 10_000)
    print(f"\n{'n':>6} {'chars':>8} {'parse ms':>9} {'µs/var':>8} {'+expr ms':>9} "
          f"{'parse_expr ms':>14} {'ratio':>7}")
    per_var = {}
    for n in sizes:
        typed, python = rosenbrock(n)
        repeat = 3 if n >= 1000 else 7
        ours = median_ms(lambda typed=typed: nablab.parse(typed), repeat)
        with_expr = median_ms(lambda typed=typed: nablab.parse(typed).expr, repeat)
        if n <= 1000:  # parse_expr of n = 10 000 takes minutes
            base = median_ms(lambda python=python: parse_expr(python), 3 if n == 1000 else 5)
            base_s, ratio = f"{base:.1f}", f"{base / ours:.0f}×"
        else:
            base_s, ratio = "(skipped)", ""
        per_var[n] = ours * 1e3 / n
        print(f"{n:>6} {len(typed):>8} {ours:>9.1f} {per_var[n]:>8.1f} {with_expr:>9.1f} "
              f"{base_s:>14} {ratio:>7}")
    print()
    if 1000 in per_var:
        typed, _ = rosenbrock(1000)
        ms = per_var[1000] * 1000 / 1e3
        line("Rosenbrock n=1000 from text: nablab.parse", f"{ms:.1f} ms", "≤ 50 ms", ms <= 50)
    flat = max(per_var.values()) / min(per_var[n] for n in per_var if n >= 100)
    line("time per variable, largest / smallest (n ≥ 100)", f"{flat:.2f}", "≤ 1.5 (flat)",
         flat <= 1.5)


def main() -> None:
    print("bench_parse: medians; the machine may be shared with other work, so figures are "
          "noisy (run it 3× and compare)")
    chapter()
    growth()


if __name__ == "__main__":
    main()
