"""What the curvature and the partials say about a run.

* :func:`advice`: from the Hessian's eigenvalues λ at a point (exact for a quadratic, else the
  quadratic model there) — the largest stable fixed rate for gradient descent 2/λmax, the best
  fixed rate 2/(λmin + λmax), the condition number κ = λmax/λmin, and the heavy-ball momentum
  it suggests, β = ((√κ − 1)/(√κ + 1))² with η = 4/(√λmax + √λmin)² (Polyak 1964).
* :func:`sensitivity`: the spread of |∂f/∂xₖ| across the variables at a point (largest,
  smallest, which vanish, which dominate), and :func:`sensitivity_along` over a whole run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

#: a variable "vanishes" when its |∂f/∂xₖ| is this many times below the largest
VANISH_RATIO = 1e3


@dataclass
class Advice:
    """Eigenvalue advice for the quadratic neighbourhood of a point (or all of a quadratic f)."""

    eigenvalues: list[float]
    quadratic: bool
    at: list[float] | None
    max_stable_rate: float | None
    best_rate: float | None
    condition: float | None
    momentum: float | None
    momentum_rate: float | None
    note: str


def advice(eigenvalues: Sequence[float], quadratic: bool, at: Sequence[float] | None) -> Advice:
    """Given the Hessian eigenvalues at a point, the rates and momentum they imply."""
    lam = sorted(float(v) for v in eigenvalues)
    lo, hi = lam[0], lam[-1]
    where = "f is quadratic" if quadratic else (
        "near " + ", ".join(f"{c:.6g}" for c in at or []) + " (the quadratic model there)")
    if hi <= 0:
        return Advice(lam, quadratic, list(at) if at else None, None, None, None, None, None,
                      f"{where}: no positive curvature (λmax = {hi:.6g}), so no fixed rate has a "
                      "stable minimum to converge to")
    stable = 2.0 / hi
    if lo <= 0:
        return Advice(lam, quadratic, list(at) if at else None, stable, None, None, None, None,
                      f"{where}: λmin = {lo:.6g} ≤ 0, so this is not a minimum's neighbourhood; "
                      f"gradient descent is stable along the curved directions for η < 2/λmax "
                      f"= {stable:.6g}")
    kappa = hi / lo
    best = 2.0 / (lo + hi)
    sk = math.sqrt(kappa)
    beta = ((sk - 1) / (sk + 1)) ** 2
    eta_m = 4.0 / (math.sqrt(hi) + math.sqrt(lo)) ** 2
    note = (f"{where}: eigenvalues {lo:.6g} … {hi:.6g}; gradient descent is stable for "
            f"η < 2/λmax = {stable:.6g} and fastest at η = 2/(λmin + λmax) = {best:.6g}; "
            f"condition number κ = {kappa:.6g}, so heavy-ball momentum β = ((√κ − 1)/(√κ + 1))² "
            f"= {beta:.6g} with η = 4/(√λmax + √λmin)² = {eta_m:.6g}")
    return Advice(lam, quadratic, list(at) if at else None, stable, best, kappa, beta, eta_m,
                  note)


@dataclass
class Sensitivity:
    """|∂f/∂xₖ| per variable at one point, and how widely they spread."""

    variables: list[str]
    at: list[float]
    magnitudes: list[float]
    largest: str
    smallest: str
    spread: float | None  # largest / smallest (None when the smallest is 0)
    vanishing: list[str]
    dominant: list[str]


@dataclass
class RunSensitivity:
    """The spread of |∂f/∂xₖ| along a run: at its start, and over every step."""

    at_start: Sensitivity
    at_end: Sensitivity
    largest_spread: float | None
    largest_spread_step: int
    vanishing_steps: dict[str, int] = field(default_factory=dict)
    dominant_steps: dict[str, int] = field(default_factory=dict)
    steps: int = 0


def sensitivity(names: Sequence[str], point: Sequence[float], grad: Sequence[float]
                ) -> Sensitivity:
    """Which variables the gradient barely feels (vanishing) and which it is made of
    (dominant: within a factor 10 of the largest while some other variable vanishes)."""
    mag = [abs(float(v)) for v in grad]
    i_hi = int(np.argmax(mag))
    i_lo = int(np.argmin(mag))
    top = mag[i_hi]
    vanishing = [n for n, m in zip(names, mag, strict=True) if m <= top / VANISH_RATIO] \
        if top > 0 else list(names)
    dominant = [n for n, m in zip(names, mag, strict=True) if top > 0 and m >= top / 10] \
        if vanishing and top > 0 else []
    spread = top / mag[i_lo] if mag[i_lo] > 0 else None
    return Sensitivity(list(names), [float(c) for c in point], mag, names[i_hi], names[i_lo],
                       spread, vanishing, dominant)


def sensitivity_along(names: Sequence[str], path: np.ndarray, grads: np.ndarray
                      ) -> RunSensitivity:
    """:func:`sensitivity` at the start and the end, and per step counts (vectorised)."""
    mag = np.abs(np.asarray(grads, dtype=float))
    finite = np.all(np.isfinite(mag), axis=1)
    last = int(np.flatnonzero(finite)[-1]) if finite.any() else 0
    top = mag.max(axis=1)
    low = mag.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(finite & (low > 0), top / np.where(low > 0, low, 1.0), 0.0)
        vanish = (mag <= (top / VANISH_RATIO)[:, None]) & (top > 0)[:, None] & finite[:, None]
    dom = (mag >= (top / 10)[:, None]) & vanish.any(axis=1)[:, None] & ~vanish
    i = int(np.argmax(spread)) if len(spread) else 0
    return RunSensitivity(
        at_start=sensitivity(names, path[0], grads[0]),
        at_end=sensitivity(names, path[last], grads[last]),
        largest_spread=float(spread[i]) if len(spread) and spread[i] > 0 else None,
        largest_spread_step=i,
        vanishing_steps={n: int(vanish[:, k].sum()) for k, n in enumerate(names)},
        dominant_steps={n: int(dom[:, k].sum()) for k, n in enumerate(names)},
        steps=len(mag),
    )
