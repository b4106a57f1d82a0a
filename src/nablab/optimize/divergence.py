"""Telling that a descent has blown up, and saying why.

Gradient descent with a fixed rate η on a quadratic with Hessian H converges exactly when
η < 2/L, L the largest eigenvalue of H (each eigen-direction is multiplied by 1 − ηλ per step).
So for a quadratic the explanation is exact; for anything else we quote the same bound with the
Hessian at the last finite point, as a local estimate.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy

# f must grow this many steps in a row (plain gradient descent) before we call it divergence:
# a few increases can happen with a rate just under 2/L on non-quadratic functions.
GROWTH_STEPS = 10
# momentum and Adam oscillate by design; they diverge when they leave every sane scale.
BLOWUP = 1e12


@dataclass(frozen=True)
class Curvature:
    """The largest Hessian eigenvalue L and the rate bound 2/L derived from it."""

    L: float
    smallest: float
    quadratic: bool
    at: tuple[float, ...] | None = None

    @property
    def max_stable_rate(self) -> float:
        return 2.0 / self.L if self.L > 0 else math.inf

    def to_dict(self) -> dict:
        return {
            "L": self.L,
            "smallest_eigenvalue": self.smallest,
            "quadratic": self.quadratic,
            "max_stable_rate": self.max_stable_rate if math.isfinite(self.max_stable_rate) else None,
            "at": list(self.at) if self.at is not None else None,
        }


def detect(values: Sequence[float], point: Sequence[float], start: Sequence[float],
           method: str, blowup: bool = True) -> str | None:
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
        from nablab.numeric import compile_numpy

        with np.errstate(all="ignore"):
            values = np.array(compile_numpy(H, variables)(*point), dtype=float)
        at = tuple(float(p) for p in point)
    if values.shape != (len(variables), len(variables)) or not np.all(np.isfinite(values)):
        return None
    eig = np.linalg.eigvalsh((values + values.T) / 2)
    return Curvature(L=float(eig[-1]), smallest=float(eig[0]), quadratic=quad, at=at)


def explain(curv: Curvature | None, rate: float, method: str) -> str:
    """Words for why a fixed-rate descent diverged (or a note when we cannot tell)."""
    if curv is None:
        return "the Hessian could not be evaluated where the run blew up; try a smaller rate"
    where = "" if curv.quadratic else (
        " at the last finite point (a local estimate: f is not quadratic)")
    if curv.smallest < 0 and curv.quadratic:
        return (f"f is a quadratic that is unbounded below (Hessian eigenvalue {curv.smallest:.6g} "
                "< 0): there is no minimum to converge to")
    if curv.L <= 0:
        return f"the Hessian{where} has no positive eigenvalue; f may be unbounded below"
    bound = curv.max_stable_rate
    text = (f"η = {rate:g} is {'above' if rate > bound else 'near'} 2/L = {bound:.6g}, where "
            f"L = {curv.L:.6g} is the largest eigenvalue of the Hessian{where}; ")
    if method == "gd":
        text += ("plain gradient descent multiplies the error along that direction by |1 − ηL| "
                 f"= {abs(1 - rate * curv.L):.6g} each step, so it diverges for η > 2/L; "
                 f"try η < {bound:.6g} (η = 1/L = {1 / curv.L:.6g} "
                 + ("is safe)" if curv.quadratic else "is a reasonable first try)"))
    else:
        text += f"{method} has its own stability limit, but a rate below {bound:.6g} is a safe start"
    return text
