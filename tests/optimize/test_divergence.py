"""The advice given when descent diverges must work: the suggested η, run from the same start,
does not diverge; for a quadratic the threshold 2/L is exact; and a function that falls without
bound gets no rate advice at all (no rate would help)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from nablab.api import descent

STEPS = 2000  # the trial descent behind the advice covers this many steps (PROBE_STEPS)

NON_QUADRATIC = [
    # (f, start, a rate that blows up)
    ("(1 - x)^2 + 100 (y - x^2)^2", {"x": -1.5, "y": 2}, 0.003),
    ("(1 - x)^2 + 100 (y - x^2)^2", {"x": -1.5, "y": 2}, 0.1),
    ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", {"x": 0, "y": 0}, 0.05),  # start: Hessian < 0
    ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", {"x": 0, "y": 0}, 1.0),
    ("x^4 + y^4 + x y", {"x": 2, "y": -1}, 1.0),
    ("cosh(x) + y^2", {"x": 3, "y": 1}, 1.5),  # overflows to inf
]


def suggested_rate(reason: str) -> float:
    match = re.search(r"η = 1/L = ([0-9.eE+-]+)", reason)
    assert match, reason
    return float(match.group(1))


def diverges(f, start, rate) -> bool:
    return descent(f, start, rate, steps=STEPS).diverged


def critical_rate(f, start) -> float:
    """An independent estimate of the largest rate that does not diverge from ``start``:
    bisection (in log scale) on the outcome of real runs."""
    lo, hi = 1e-7, 10.0
    for _ in range(18):
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if diverges(f, start, mid) else (mid, hi)
    return lo


@pytest.mark.parametrize(("f", "start", "rate"), NON_QUADRATIC)
def test_suggested_rate_does_not_diverge_from_the_same_start(f, start, rate):
    r = descent(f, start, rate, steps=100)
    assert r.diverged
    eta = suggested_rate(r.reason)
    good = descent(f, start, eta, steps=STEPS)
    assert not good.diverged, good.reason
    assert good.values[-1] < good.values[0]
    assert "trial descent from this start at that rate stays stable" in r.reason


@pytest.mark.parametrize(("f", "start", "rate"), NON_QUADRATIC[::2])
def test_suggested_rate_is_the_right_order_of_magnitude(f, start, rate):
    # the old advice (Hessian at the blown-up point) said η ≈ 1e-57 on Rosenbrock
    eta = suggested_rate(descent(f, start, rate, steps=100).reason)
    critical = critical_rate(f, start)
    assert eta <= critical <= 10 * eta


def test_rosenbrock_curvature_is_the_one_at_the_start():
    """From (−1.5, 2) the run blows up at once; the Hessian at the start, by hand:
    [[2 − 400(y − x²) + 800x², −400x], [−400x, 200]] = [[1902, 600], [600, 200]]."""
    r = descent("(1 - x)^2 + 100 (y - x^2)^2", {"x": -1.5, "y": 2}, 0.003, steps=100)
    L = np.linalg.eigvalsh(np.array([[1902.0, 600.0], [600.0, 200.0]]))[-1]
    assert f"L = {L:.6g} " in r.reason
    assert suggested_rate(r.reason) == pytest.approx(1 / L, rel=1e-5)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([1.02, 1.3, 3.0]))
def test_quadratic_threshold_is_exactly_two_over_L(seed, factor):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(2, 2))
    A = M @ M.T + 0.3 * np.eye(2)
    L = np.linalg.eigvalsh(A)[-1]
    x, y = sympy.symbols("x y")
    f = A[0, 0] / 2 * x**2 + A[0, 1] * x * y + A[1, 1] / 2 * y**2  # Hessian A
    start = {"x": 1.0, "y": -1.0}
    above = descent(f, start, factor * 2 / L, steps=5000)
    assert above.diverged and f"2/L = {2 / L:.6g}," in above.reason
    assert suggested_rate(above.reason) == pytest.approx(1 / L, rel=1e-5)
    assert "is safe" in above.reason
    below = descent(f, start, 0.98 * 2 / L, steps=5000)
    assert not below.diverged
    assert not descent(f, start, suggested_rate(above.reason), steps=5000).diverged


@pytest.mark.parametrize("rate", [0.02, 0.3])
def test_chapter_example_falls_without_bound_and_gets_no_rate_advice(rate):
    """x²y + sin(xy) has no minimum (x²y → −∞ as y → −∞): the run blows up downhill, and no
    rate would help, so none is suggested."""
    r = descent("x^2 y + sin(xy)", {"x": 1, "y": -1}, rate, steps=200)
    assert r.diverged
    finite = [v for v in r.values if math.isfinite(v)]
    assert finite[-1] < finite[0] - 1e6
    assert "no minimum in that direction" in r.reason and "no learning rate converges" in r.reason
    assert "try η" not in r.reason
    # and indeed a 100× smaller rate runs off as well, only later
    slower = descent("x^2 y + sin(xy)", {"x": 1, "y": -1}, rate / 100, steps=200_000)
    assert slower.diverged and slower.steps > r.steps
