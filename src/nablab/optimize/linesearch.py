"""Step sizes along a descent direction p, as Nocedal & Wright teach them (Numerical
Optimization, 2nd ed., ch. 3).

With φ(α) = f(x + αp) and φ'(α) = ∇f(x + αp)·p:

* **Armijo backtracking** (algorithm 3.1): start at ᾱ, shrink α ← ρα until the sufficient
  decrease condition φ(α) ≤ φ(0) + c₁αφ'(0) holds.
* **strong Wolfe** (algorithms 3.5 and 3.6): sufficient decrease and the curvature condition
  |φ'(α)| ≤ c₂|φ'(0)|; the trial step grows until it brackets an acceptable step, then ``zoom``
  narrows the bracket by safeguarded quadratic interpolation.

Each search returns the accepted step and how many trial steps it evaluated (every trial is one
evaluation of f and ∇f), or the number of trials it gave up after.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Evaluate = Callable[[np.ndarray], tuple[float, np.ndarray]]

#: N&W's usual constants: c₁ = 1e-4; c₂ = 0.9 (Newton and quasi-Newton directions)
C1 = 1e-4
C2 = 0.9
CONTRACTION = 0.5
MAX_TRIALS = 60


@dataclass
class Accepted:
    """The accepted step α, the trial count, and x + αp with f and ∇f there."""

    alpha: float
    trials: int
    x: np.ndarray
    value: float
    grad: np.ndarray


@dataclass
class Failed:
    trials: int
    why: str


def armijo(evaluate: Evaluate, x: np.ndarray, f0: float, g0: np.ndarray, p: np.ndarray,
           alpha0: float, c1: float = C1, contraction: float = CONTRACTION,
           max_trials: int = MAX_TRIALS) -> Accepted | Failed:
    """Backtracking from ``alpha0`` until φ(α) ≤ φ(0) + c₁αφ'(0) (N&W algorithm 3.1)."""
    slope = float(g0 @ p)
    if not slope < 0:
        return Failed(0, f"p is not a descent direction (∇f·p = {slope:.3g} ≥ 0)")
    alpha = alpha0
    for trial in range(1, max_trials + 1):
        xn = x + alpha * p
        fn, gn = evaluate(xn)
        if math.isfinite(fn) and fn <= f0 + c1 * alpha * slope:
            return Accepted(alpha, trial, xn, fn, gn)
        alpha *= contraction
    return Failed(max_trials, f"no step met the Armijo condition in {max_trials} trials "
                              f"(smallest tried α = {alpha / contraction:.3g})")


def wolfe(evaluate: Evaluate, x: np.ndarray, f0: float, g0: np.ndarray, p: np.ndarray,
          alpha1: float, c1: float = C1, c2: float = C2, alpha_max: float | None = None,
          max_trials: int = MAX_TRIALS) -> Accepted | Failed:
    """A step satisfying the strong Wolfe conditions (N&W algorithm 3.5, zoom = 3.6)."""
    slope0 = float(g0 @ p)
    if not slope0 < 0:
        return Failed(0, f"p is not a descent direction (∇f·p = {slope0:.3g} ≥ 0)")
    amax = alpha_max if alpha_max is not None else alpha1 * 1e6
    trials = 0

    def phi(a: float) -> tuple[float, float, np.ndarray, np.ndarray]:
        nonlocal trials
        trials += 1
        xa = x + a * p
        fa, ga = evaluate(xa)
        da = float(ga @ p) if math.isfinite(fa) else math.nan
        return fa, da, xa, ga

    def zoom(lo: float, f_lo: float, d_lo: float, hi: float, f_hi: float
             ) -> Accepted | Failed:
        while trials < max_trials:
            width = hi - lo
            a = _interpolate(lo, f_lo, d_lo, hi, f_hi)
            fa, da, xa, ga = phi(a)
            if not math.isfinite(fa) or fa > f0 + c1 * a * slope0 or fa >= f_lo:
                hi, f_hi = a, fa
            else:
                if abs(da) <= -c2 * slope0:
                    return Accepted(a, trials, xa, fa, ga)
                if da * width >= 0:
                    hi, f_hi = lo, f_lo
                lo, f_lo, d_lo = a, fa, da
            if abs(hi - lo) <= 1e-16 * max(1.0, abs(lo)):
                break
        return Failed(trials, f"zoom found no step meeting the strong Wolfe conditions in "
                              f"{trials} trials (bracket [{min(lo, hi):.3g}, {max(lo, hi):.3g}])")

    a_prev, f_prev, d_prev = 0.0, f0, slope0
    a = alpha1
    first = True
    while trials < max_trials:
        fa, da, xa, ga = phi(a)
        if not math.isfinite(fa) or fa > f0 + c1 * a * slope0 or (not first and fa >= f_prev):
            return zoom(a_prev, f_prev, d_prev, a, fa)
        if abs(da) <= -c2 * slope0:
            return Accepted(a, trials, xa, fa, ga)
        if da >= 0:
            return zoom(a, fa, da, a_prev, f_prev)
        if a >= amax:
            break
        a_prev, f_prev, d_prev = a, fa, da
        a = min(2.0 * a, amax)
        first = False
    return Failed(trials, f"no step met the strong Wolfe conditions in {trials} trials "
                          f"(last α = {a:.3g})")


def _interpolate(lo: float, f_lo: float, d_lo: float, hi: float, f_hi: float) -> float:
    """The minimiser of the quadratic through φ(lo), φ'(lo), φ(hi), kept in the middle 80 % of
    the bracket; the midpoint when φ(hi) is not finite or the quadratic has no minimum."""
    mid = 0.5 * (lo + hi)
    if not (math.isfinite(f_hi) and math.isfinite(d_lo)):
        return mid
    h = hi - lo
    curv = f_hi - f_lo - d_lo * h
    if curv <= 0:
        return mid
    a = lo - d_lo * h * h / (2.0 * curv)
    left, right = min(lo, hi), max(lo, hi)
    margin = 0.1 * (right - left)
    return min(max(a, left + margin), right - margin)
