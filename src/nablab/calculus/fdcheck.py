"""Finite-difference check of a symbolic gradient: an independent numerical opinion.

Per component: central differences D(h) = (f(x+h) − f(x−h)) / 2h with the step scaled to the
point, h = 10⁻³·max(1, |xₖ|), improved by one Richardson extrapolation (4·D(h/2) − D(h)) / 3, whose
error is O(h⁴). The tolerance is stated, not hidden: 10⁻⁶·max(1, |symbolic|) plus the rounding
noise of the differences, 100·ε·max|f| / h. Only f is evaluated here, never the partials.
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

    def to_dict(self) -> dict:
        return {"variable": self.variable, "symbolic": self.symbolic, "numeric": self.numeric,
                "abs_error": self.abs_error, "rel_error": self.rel_error, "ok": self.ok,
                "tolerance": self.tolerance}


def richardson_derivative(f: Callable[[list[float]], float], point: Sequence[float], k: int
                          ) -> tuple[float, float]:
    """(estimate of ∂f/∂xₖ at ``point``, largest |f| seen), by Richardson-extrapolated central
    differences."""
    h = 1e-3 * max(1.0, abs(point[k]))
    seen = [0.0]

    def at(delta: float) -> float:
        p = list(point)
        p[k] = point[k] + delta
        v = f(p)
        seen[0] = max(seen[0], abs(v))
        return v

    d1 = (at(h) - at(-h)) / (2 * h)
    d2 = (at(h / 2) - at(-h / 2)) / h
    return (4 * d2 - d1) / 3, seen[0]


def check_gradient(
    f: Callable[[list[float]], float],
    point: Sequence[float],
    symbolic: Sequence[float],
    names: Sequence[str],
) -> list[CheckRow]:
    """Compare each symbolic ∂f/∂xₖ with the finite-difference estimate."""
    rows = []
    for k, name in enumerate(names):
        try:
            numeric, fmax = richardson_derivative(f, point, k)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            numeric, fmax = math.nan, math.inf  # f not defined a step away: say so, not ok
        sym = float(symbolic[k])
        h = 1e-3 * max(1.0, abs(point[k]))
        tol = RTOL * max(1.0, abs(sym)) + 100 * EPS * fmax / h
        err = abs(sym - numeric)
        rel = err / abs(sym) if sym != 0 else err
        ok = bool(math.isfinite(err) and err <= tol)
        rows.append(CheckRow(name, sym, float(numeric), float(err), float(rel), ok, float(tol)))
    return rows
