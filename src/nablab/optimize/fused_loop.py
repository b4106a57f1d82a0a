"""The linear-model data pass as one compiled loop over the rows (numba), for large inputs.

The NumPy pass in :class:`nablab.optimize.kernels.FusedKernel` reads X and y from memory once,
but then walks each cache-sized block five or six times (gemv, add, subtract, sum, two dots).
With one feature those in-cache walks cost more than the memory read itself. Here the same
arithmetic — ρ = X v + const + a·y with v, const and a from the derived plan, then Σρ, Xᵀρ,
ρᵀρ — is one loop that touches every value once, so the pass runs at memory speed.

The loop is written out for the number of features d (one scalar accumulator per column, so
the compiler keeps them in registers and vectorises the row loop) and compiled by numba. The
source is generated here from the integer d alone — never from user text. Compiling takes
about a second, so it happens on a background thread: passes use the NumPy kernel until the
loop is ready (:func:`loop_for` with ``wait=False``), and small inputs (< :data:`MIN_ROWS`) never
ask for it. Without numba installed the NumPy pass is used throughout.

``fastmath`` lets the sums be reassociated (that is what vectorises them); they agree with the
NumPy pass to about 1e-14 relative, as NumPy's own pairwise sums differ from a plain loop.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

#: below this many rows the NumPy blocks are fast enough and compiling would not pay off
MIN_ROWS = 1 << 20
#: loops are written out per column up to this many features; above, a generic loop
MAX_UNROLLED = 64

_LOCK = threading.Lock()
_LOOPS: dict[int, Any] = {}
_BUILDING: dict[int, threading.Event] = {}


def available() -> bool:
    """True when numba can be imported (the compiled loop is then used for large inputs)."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def source(d: int) -> str:
    """Python source of the row loop for ``d`` features (scalar accumulators per column)."""
    if not isinstance(d, int) or not 1 <= d <= MAX_UNROLLED:
        raise ValueError(f"d must be an int in 1..{MAX_UNROLLED}, got {d!r}")
    cols = range(d)
    return "\n".join([
        "def loop(X, y, v, const, a, start, stop, loss):",
        *(f"    v{j} = v[{j}]" for j in cols),
        "    sum_r = 0.0",
        "    sq = 0.0",
        *(f"    s{j} = 0.0" for j in cols),
        "    for i in range(start, stop):",
        *(f"        x{j} = X[i, {j}]" for j in cols),
        "        r = const + a * y[i] + " + " + ".join(f"x{j} * v{j}" for j in cols),
        "        sum_r += r",
        *(f"        s{j} += x{j} * r" for j in cols),
        "        if loss:",
        "            sq += r * r",
        "    return sum_r, np.array([" + ", ".join(f"s{j}" for j in cols) + "]), sq",
    ])


def _generic() -> Any:
    import numba  # lazy: the optional `fast` extra, ~0.5 s to load

    @numba.njit(nogil=True, fastmath=True, cache=True)
    def loop(X, y, v, const, a, start, stop, loss):  # pragma: no cover - compiled
        d = X.shape[1]
        xr = np.zeros(d)
        sum_r = 0.0
        sq = 0.0
        for i in range(start, stop):
            r = const + a * y[i]
            for j in range(d):
                r += X[i, j] * v[j]
            sum_r += r
            for j in range(d):
                xr[j] += X[i, j] * r
            if loss:
                sq += r * r
        return sum_r, xr, sq

    return loop


def _build(d: int) -> Any:
    import numba  # lazy: the optional `fast` extra, ~0.5 s to load

    if d > MAX_UNROLLED:
        fn = _generic()
    else:
        namespace: dict[str, Any] = {"np": np}
        # the source is built from the integer d alone (see source): no user text is run
        exec(compile(source(d), f"<nablab fused loop d={d}>", "exec"), namespace)  # generated from d only
        fn = numba.njit(nogil=True, fastmath=True)(namespace["loop"])
    # compile now, for C-contiguous float64 X and y (the only layout the kernel passes)
    fn(np.zeros((2, d)), np.zeros(2), np.zeros(d), 0.0, -1.0, 0, 2, True)
    return fn


def _build_into(d: int, done: threading.Event) -> None:
    try:
        fn = _build(d)
    except Exception:  # pragma: no cover - a numba failure: keep the NumPy pass
        fn = False
    with _LOCK:
        _LOOPS[d] = fn
    done.set()


def loop_for(d: int, wait: bool = True) -> Any:
    """The compiled loop for ``d`` features, or None (not ready yet with ``wait=False``, or
    numba missing or failing). The first request starts the compile on a background thread."""
    with _LOCK:
        fn = _LOOPS.get(d)
        if fn is not None:
            return fn or None
        done = _BUILDING.get(d)
        if done is None:
            if not available():
                _LOOPS[d] = False
                return None
            done = _BUILDING[d] = threading.Event()
            threading.Thread(target=_build_into, args=(d, done), daemon=True,
                             name=f"nablab-jit-{d}").start()
    if not wait:
        return None
    done.wait()
    return _LOOPS.get(d) or None


def row_range(fn: Any, X: np.ndarray, y: np.ndarray, v: np.ndarray, const: float, a: float,
              start: int, stop: int, loss: bool) -> tuple[float, np.ndarray, float]:
    """Σρ, Xᵀρ and ρᵀρ over rows start:stop in one compiled pass (ρ = X v + const + a·y).

    Releases the GIL, so row ranges can be summed on several threads."""
    sum_r, xr, sq = fn(X, y, np.ascontiguousarray(v, dtype=float), float(const), float(a),
                       start, stop, loss)
    return float(sum_r), np.asarray(xr, dtype=float), float(sq)
