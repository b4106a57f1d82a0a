"""Telling that a descent has blown up, and saying why.

Gradient descent with a fixed rate η on a quadratic with Hessian H converges exactly when
η < 2/L, L the largest eigenvalue of H (each eigen-direction is multiplied by 1 − ηλ per step).
So for a quadratic the explanation is exact. For anything else the curvature that matters is
the one the descent meets on its way down, not at the blown-up last point (whose Hessian is
astronomically large and gives absurd advice): we take the largest eigenvalue over the early
iterates that still had f ≤ f(start), then follow a trial descent at η = 1/L from the start and
raise L to the largest curvature met there, so the rate we suggest has been tried. When f fell
without bound while the point ran off, no rate helps and we say so instead.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy

from nablab.numeric import compile_numpy

# f must grow this many steps in a row (plain gradient descent) before we call it divergence:
# a few increases can happen with a rate just under 2/L on non-quadratic functions.
GROWTH_STEPS = 10
# momentum and Adam oscillate by design; they diverge when they leave every sane scale.
BLOWUP = 1e12
# the trial descent that checks a suggested rate: at most this many steps, this many rounds.
PROBE_STEPS = 2000
PROBE_ROUNDS = 8

Evaluate = Callable[[np.ndarray], tuple[float, np.ndarray]]  # x ↦ (f(x), ∇f(x))


@dataclass(frozen=True)
class Curvature:
    """The largest Hessian eigenvalue L and the rate bound 2/L derived from it."""

    L: float
    smallest: float
    quadratic: bool
    at: tuple[float, ...] | None = None
    # True when a trial descent from the start at η = 1/L stayed finite and below f(start)
    checked: bool = False

    @property
    def max_stable_rate(self) -> float:
        return 2.0 / self.L if self.L > 0 else math.inf



def detect(values: Sequence[float], point: Sequence[float] | np.ndarray,
           start: Sequence[float] | np.ndarray, method: str, blowup: bool = True) -> str | None:
    """Given f per step so far and the current point, return why the run diverged, or None.
    ``blowup=False`` skips the scale test (regression: θ may legitimately be huge)."""
    f = values[-1]
    if not math.isfinite(f) or not all(math.isfinite(v) for v in point):
        return "f became non-finite (overflow)"
    scale = 1.0 + max(abs(v) for v in start) if len(start) else 1.0
    if blowup and max(abs(v) for v in point) > BLOWUP * scale:
        return f"the point left every reasonable scale (|x| > {BLOWUP:g}·(1 + |start|))"
    if method == "gd" and len(values) > GROWTH_STEPS:
        tail = values[-GROWTH_STEPS - 1:]
        if all(b > a for a, b in itertools.pairwise(tail)) and f > values[0]:
            return f"f grew for {GROWTH_STEPS} steps in a row and is above its starting value"
    return None


def hessian(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> sympy.Matrix:
    """The symbolic Hessian (real variables, as everywhere in calculus)."""
    return sympy.hessian(expr, list(variables))


def is_quadratic(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> bool:
    """True when expr is a polynomial of total degree ≤ 2 in the variables (constant Hessian)."""
    if not expr.free_symbols <= set(variables):
        return False
    try:
        poly = sympy.Poly(expr, *variables)
    except sympy.PolynomialError:
        return False
    return poly.total_degree() <= 2 and all(c.is_number for c in poly.coeffs())


def curvature(expr: sympy.Expr, variables: Sequence[sympy.Symbol],
              point: Sequence[float] | None = None) -> Curvature | None:
    """L = largest Hessian eigenvalue: exact for a quadratic, at ``point`` otherwise.
    None when the Hessian cannot be evaluated to finite numbers there."""
    quad = is_quadratic(expr, variables)
    H = hessian(expr, variables)
    if quad:
        values = np.array(H.evalf(), dtype=float)
        at = None
    else:
        if point is None:
            return None
        with np.errstate(all="ignore"):
            values = np.array(compile_numpy(H, variables)(*point), dtype=float)
        at = tuple(float(p) for p in point)
    if values.shape != (len(variables), len(variables)) or not np.all(np.isfinite(values)):
        return None
    eig = np.linalg.eigvalsh((values + values.T) / 2)
    return Curvature(L=float(eig[-1]), smallest=float(eig[0]), quadratic=quad, at=at)


def sane_points(path: Sequence[Sequence[float]], values: Sequence[float]) -> list[list[float]]:
    """The iterates before the blow-up: finite and with f no higher than at the start, the
    region a stable descent from there stays in."""
    f0 = values[0]
    return [list(p) for p, v in zip(path, values, strict=True)
            if math.isfinite(v) and v <= f0 and all(math.isfinite(c) for c in p)]


def fell_without_bound(values: Sequence[float]) -> bool:
    """True when the run blew up going downhill (last finite f below f(start)): f has no minimum
    that way, and a smaller rate only delays the run-off."""
    finite = [v for v in values if math.isfinite(v)]
    return values[-1] == -math.inf or (len(finite) > 1 and finite[-1] < finite[0])


def _largest(hess: Callable, points: Sequence[Sequence[float]]) -> Curvature | None:
    """The point of ``points`` with the largest Hessian eigenvalue (None if none is finite)."""
    best: Curvature | None = None
    for p in points:
        with np.errstate(all="ignore"):
            values = np.array(hess(*p), dtype=float)
        if values.ndim != 2 or not np.all(np.isfinite(values)):
            continue
        eig = np.linalg.eigvalsh((values + values.T) / 2)
        if best is None or eig[-1] > best.L:
            best = Curvature(L=float(eig[-1]), smallest=float(eig[0]), quadratic=False,
                             at=tuple(float(c) for c in p))
    return best


def _trial(evaluate: Evaluate, start: Sequence[float], rate: float,
           tol: float) -> tuple[list[list[float]], bool]:
    """Plain descent at ``rate`` from ``start``: the points visited, and whether f stayed finite
    and no higher than f(start) for PROBE_STEPS steps (or until ‖∇f‖ < tol)."""
    x = np.array(start, dtype=float)
    f0, g = evaluate(x)
    points = [x.tolist()]
    for _ in range(PROBE_STEPS):
        if float(np.linalg.norm(g)) < tol:
            break
        x = x - rate * g
        f, g = evaluate(x)
        if not (math.isfinite(f) and np.all(np.isfinite(g))) or f > f0:
            return points, False
        points.append(x.tolist())
    return points, True


def curvature_along(expr: sympy.Expr, variables: Sequence[sympy.Symbol],
                    path: Sequence[Sequence[float]], values: Sequence[float],
                    evaluate: Evaluate, tol: float = 1e-8) -> Curvature | None:
    """L for a non-quadratic f whose descent blew up: the largest Hessian eigenvalue over the
    run's early iterates, raised until a trial descent at η = 1/L from the start stays stable
    (``checked``). None when the Hessian is not finite anywhere on the early path."""
    hess = compile_numpy(hessian(expr, variables), variables)
    curv = _largest(hess, sane_points(path, values))
    if curv is None:
        return None
    scale = max(curv.L, abs(curv.smallest))  # no positive curvature yet: probe at |λ| scale
    for _ in range(PROBE_ROUNDS):
        if scale <= 0:
            break
        points, stable = _trial(evaluate, path[0], 1.0 / scale, tol)
        met = _largest(hess, points)
        if met is not None and met.L > curv.L:
            curv = met
        if stable and scale >= curv.L:
            return Curvature(curv.L, curv.smallest, False, curv.at, checked=curv.L > 0)
        # a larger curvature on the way, or a blow-up between sampled points: slow down
        scale = max(curv.L, 2 * scale)
    return curv


def explain_runaway(values: Sequence[float]) -> str:
    """Words for a run that blew up downhill (no rate can fix that)."""
    last = next((v for v in reversed(values) if math.isfinite(v)), -math.inf)
    return (f"f kept falling (from {values[0]:.6g} to {last:.6g}) as the point ran off: f has no "
            "minimum in that direction (it is unbounded below, or only approaches its lowest "
            "value at infinity), so no learning rate converges from here; a smaller η only "
            "delays the run-off")


def explain(curv: Curvature | None, rate: float, method: str) -> str:
    """Words for why a fixed-rate descent diverged (or a note when we cannot tell)."""
    if curv is None:
        return "the Hessian could not be evaluated along the run; try a much smaller rate"
    where = "" if curv.quadratic else (
        " met along the descent from the start (an estimate: f is not quadratic)")
    if curv.smallest < 0 and curv.quadratic:
        return (f"f is a quadratic that is unbounded below (Hessian eigenvalue {curv.smallest:.6g} "
                "< 0): there is no minimum to converge to")
    if curv.L <= 0:
        return (f"the Hessian{where} has no positive eigenvalue; f may be unbounded below; "
                "try a much smaller rate or another start")
    bound = curv.max_stable_rate
    text = (f"η = {rate:g} is {'above' if rate > bound else 'near'} 2/L = {bound:.6g}, where "
            f"L = {curv.L:.6g} is the largest eigenvalue of the Hessian{where}; ")
    if curv.quadratic:
        first = "is safe)"
    elif curv.checked:
        first = "is a good first try: a trial descent from this start at that rate stays stable)"
    else:
        first = "is a reasonable first try)"
    if method == "gd":
        text += ("plain gradient descent multiplies the error along that direction by |1 − ηL| "
                 f"= {abs(1 - rate * curv.L):.6g} each step, so it diverges for η > 2/L; "
                 f"try η < {bound:.6g} (η = 1/L = {1 / curv.L:.6g} {first}")
    else:
        text += f"{method} has its own stability limit, but a rate below {bound:.6g} is a safe start"
    return text
