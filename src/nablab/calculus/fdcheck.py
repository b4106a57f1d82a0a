"""Finite-difference check of a symbolic gradient: an independent numerical opinion.

Per component: central differences D(h) = (f(x+h) − f(x−h)) / 2h with the step scaled to the
point, h = 10⁻³·max(1, |xₖ|), improved by one Richardson extrapolation (4·D(h/2) − D(h)) / 3, whose
error is O(h⁴). The step adapts: while two successive estimates (h, h/8) disagree by more than
their own noise, the step shrinks, down to h/8⁴ — so a function that oscillates fast at the
point (sin(16z⁴) at z = 1.5) is not reported as a false mismatch; estimates that never settle
give no opinion ("not checked"), never a verdict. The tolerance is stated, not
hidden: 10⁻⁶·max(1, |symbolic|) plus the rounding noise of the differences at the step used,
100·ε·max|f| / h. Only f is evaluated here, never the partials.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

EPS = 2.220446049250313e-16
RTOL = 1e-6


@dataclass(frozen=True)
class CheckRow:
    """One line of the check table."""

    variable: str
    symbolic: float
    numeric: float
    abs_error: float
    rel_error: float
    ok: bool
    tolerance: float
    #: False when f is not finite a step away (overflow, domain edge): no opinion, not a
    #: mismatch; ``ok`` is then False too (nothing was verified)
    checked: bool = True


UNCHECKED = ("not checked: finite differences did not settle near the point (f overflows, "
             "leaves its domain, or varies too fast there)")


def richardson_derivative(f: Callable[[list[float]], float], point: Sequence[float], k: int
                          ) -> tuple[float, float]:
    """(estimate of ∂f/∂xₖ at ``point``, largest |f| seen), by Richardson-extrapolated central
    differences with an adaptive step (see the module docstring)."""
    estimate, fmax, _h = richardson_with_step(f, point, k)
    return estimate, fmax


#: how many times the step may shrink by 8 when successive estimates disagree
MAX_REFINEMENTS = 4


def richardson_with_step(f: Callable[[list[float]], float], point: Sequence[float], k: int
                         ) -> tuple[float, float, float]:
    """(estimate, largest |f| seen, the step h it was made with)."""
    seen = [0.0]

    def at(delta: float) -> float:
        p = list(point)
        p[k] = point[k] + delta
        v = f(p)
        seen[0] = max(seen[0], abs(v))
        return v

    def estimate(h: float) -> float:
        d1 = (at(h) - at(-h)) / (2 * h)
        d2 = (at(h / 2) - at(-h / 2)) / h
        return (4 * d2 - d1) / 3

    h = 1e-3 * max(1.0, abs(point[k]))
    previous = estimate(h)
    for _ in range(MAX_REFINEMENTS):
        current = estimate(h / 8)
        noise = 100 * EPS * seen[0] / (h / 8)
        if abs(current - previous) <= 1e-8 * max(1.0, abs(current)) + noise:
            return current, seen[0], h  # the larger step agreed: its error is the smaller
        h, previous = h / 8, current
    # the estimates never settled (f overflows a step away, or varies faster than any step we
    # can take without rounding noise): no opinion rather than a false mismatch
    return math.nan, seen[0], h


def check_gradient(
    f: Callable[[list[float]], float],
    point: Sequence[float],
    symbolic: Sequence[float],
    names: Sequence[str],
) -> list[CheckRow]:
    """Compare each symbolic ∂f/∂xₖ with the finite-difference estimate."""
    rows = []
    for k, name in enumerate(names):
        h = 1e-3 * max(1.0, abs(point[k]))
        try:
            numeric, fmax, h = richardson_with_step(f, point, k)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            numeric, fmax = math.nan, math.inf  # f not defined a step away: say so, not ok
        sym = float(symbolic[k])
        tol = RTOL * max(1.0, abs(sym)) + 100 * EPS * fmax / h
        err = abs(sym - numeric)
        rel = err / abs(sym) if sym != 0 else err
        ok = bool(math.isfinite(err) and err <= tol)
        checked = math.isfinite(numeric) or not math.isfinite(sym)
        rows.append(CheckRow(name, sym, float(numeric), float(err), float(rel), ok, float(tol),
                             checked))
    return rows
