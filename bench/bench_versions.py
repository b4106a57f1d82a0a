"""This tree against an earlier commit, side by side: what a user does, from the text they type.

    .venv/bin/python bench/bench_versions.py [--baseline d698d12] [--rounds 5]

The baseline's ``src/`` is taken with ``git archive`` into a temporary directory and imported
through ``PYTHONPATH`` with this venv's packages, so both sides run on the same interpreter and
libraries. Every workload runs in a fresh process per round, rounds alternate baseline/current
(a busy machine slows both alike), and each process reads new functions (a constant changes per
repetition), so neither side answers from a cache. Figures are medians in ms; ratio < 1 means
this tree is faster. Only the public API (``nablab.parse``, ``gradient``, ``descent``,
``regress``) and the ``nablab`` command are used, with arguments both versions accept.

The default baseline d698d12 is main before this round's issues (one pass, layers, notebook,
gates, optimizers): issue 11 asks that the layering leaves every figure unchanged or better.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "x^2 y + sin(xy)"

# Run in a child process: argv[1] is the workload, argv[2] the repetitions; prints the median
# wall and CPU ms (CPU time is what a machine shared with other work distorts least).
CHILD = r"""
import json, statistics, sys, time
import numpy as np
import nablab

work, reps, csv = sys.argv[1], int(sys.argv[2]), sys.argv[3]
CHAPTER = "x^2 y + sin(xy)"

def rosen(n, k):
    return " + ".join(f"100 (x{i + 1} - x{i}^2)^2 + ({k} - x{i})^2" for i in range(1, n))

def job(k):
    if work == "parse chapter":
        nablab.parse(f"{CHAPTER} + {k} x")
    elif work == "gradient chapter at a point":
        nablab.gradient(f"{CHAPTER} + {k} x", at={"x": 1, "y": 2})
    elif work == "gradient chapter with steps":
        nablab.gradient(f"{CHAPTER} + {k} x", steps=True)
    elif work == "parse Rosenbrock n=100":
        nablab.parse(rosen(100, k + 1))
    elif work == "gradient Rosenbrock n=100 (derived)":
        nablab.gradient(rosen(100, k + 1), form="derived")
    elif work == "descent 500 steps":
        nablab.descent(f"x^2 + 10y^2 + {k} x", {"x": 1, "y": 1}, 0.02, steps=500)
    elif work == "regress 10k rows, 100 epochs":
        nablab.regress(csv, ["a", "b"], "t", rate=0.1, epochs=100, scale=True)
    else:
        raise SystemExit(f"unknown workload {work!r}")

job(10_000)  # warm the code paths (first use imports lazily on both sides)
wall, cpu = [], []
for k in range(reps):
    t, c = time.perf_counter(), time.process_time()
    job(k)
    wall.append((time.perf_counter() - t) * 1000)
    cpu.append((time.process_time() - c) * 1000)
print(json.dumps([statistics.median(wall), statistics.median(cpu)]))
"""

WORKLOADS = {  # name → repetitions per process
    "parse chapter": 30,
    "gradient chapter at a point": 20,
    "gradient chapter with steps": 10,
    "parse Rosenbrock n=100": 5,
    "gradient Rosenbrock n=100 (derived)": 3,
    "descent 500 steps": 5,
    "regress 10k rows, 100 epochs": 3,
}
COLD = "nablab grad CHAPTER --at x=1,y=2 (cold process)"


def export(rev: str, into: Path) -> Path:
    """``src/`` of ``rev`` into ``into``; returns the directory to put on PYTHONPATH."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def env_for(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}


def run_child(src: Path, work: str, reps: int, csv: Path) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, work, str(reps), str(csv)],
                         env=env_for(src), capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"{work} failed under {src}:\n{out.stderr[-2000:]}")
    wall, cpu = json.loads(out.stdout.strip().splitlines()[-1])
    return float(wall), float(cpu)


def run_cold(src: Path) -> tuple[float, float]:
    code = "import sys; from nablab.interfaces.cli import main; sys.exit(main(sys.argv[1:]))"
    before = os.times()
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, "grad", CHAPTER, "--at", "x=1,y=2"],
                         env=env_for(src), capture_output=True, text=True, timeout=120)
    ms = (time.perf_counter() - t) * 1000
    after = os.times()
    cpu = (after.children_user + after.children_system
           - before.children_user - before.children_system) * 1000
    if out.returncode != 0:
        raise SystemExit(f"the command failed under {src}:\n{out.stderr[-2000:]}")
    return ms, cpu


def write_csv(path: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    X = rng.normal([4.0, -2.0], [3.0, 0.5], (10_000, 2))
    y = 0.5 + 1.5 * X[:, 0] - 2.0 * X[:, 1] + rng.normal(0, 0.3, len(X))
    path.write_text("a,b,t\n" + "".join(f"{u:.6f},{v:.6f},{w:.6f}\n"
                                        for (u, v), w in zip(X.tolist(), y.tolist(), strict=True)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="d698d12")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="nablab-versions-") as tmp:
        base = export(args.baseline, Path(tmp) / "baseline")
        here = ROOT / "src"
        csv = Path(tmp) / "data.csv"
        write_csv(csv)
        print(f"nablab versions: baseline {args.baseline} vs this tree ({head}, with any "
              f"uncommitted changes), {args.rounds} rounds, load average "
              f"{os.getloadavg()[0]:.1f} at start")
        rows: dict[str, tuple[list, list]] = {w: ([], []) for w in [*WORKLOADS, COLD]}
        for _ in range(args.rounds):
            for work, reps in WORKLOADS.items():
                for side, src in ((0, base), (1, here)):
                    rows[work][side].append(run_child(src, work, reps, csv))
            for side, src in ((0, base), (1, here)):
                rows[COLD][side].append(run_cold(src))
        print(f"\n{'work (medians, ms)':50} {'wall: baseline':>14} {'this':>8} {'ratio':>6}"
              f" {'CPU: baseline':>14} {'this':>8} {'ratio':>6}")
        slower = []
        for work, (b, h) in rows.items():
            (bw, bc), (hw, hc) = ([statistics.median(v) for v in zip(*side, strict=True)]
                                  for side in (b, h))
            print(f"{work:50} {bw:14.2f} {hw:8.2f} {hw / bw:6.2f} {bc:14.2f} {hc:8.2f}"
                  f" {hc / bc:6.2f}")
            if hc / bc > 1.10:
                slower.append(work)
        print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
        print("slower by more than 10% (CPU): " + (", ".join(slower) if slower else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
