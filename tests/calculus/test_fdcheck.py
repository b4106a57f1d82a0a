"""The finite-difference check: agrees with right gradients, flags wrong ones loudly."""

import math

import pytest
import sympy

from nablab.api import gradient
from nablab.calculus.fdcheck import check_gradient, richardson_derivative
from nablab.calculus.point import evaluate_at

x, y = sympy.symbols("x y", real=True)


def test_richardson_is_accurate():
    est, _ = richardson_derivative(lambda p: math.exp(p[0]) * math.sin(p[1]), [0.5, 1.2], 0)
    assert est == pytest.approx(math.exp(0.5) * math.sin(1.2), rel=1e-10)


def test_step_is_scaled_to_the_point():
    est, _ = richardson_derivative(lambda p: p[0] ** 3, [1e4], 0)
    assert est == pytest.approx(3e8, rel=1e-9)


def test_flags_a_deliberately_wrong_gradient():
    f = x**2 * y + sympy.sin(x * y)
    wrong = [2 * x * y + sympy.cos(x * y), x**2 + x * sympy.cos(x * y)]  # y missing in ∂/∂x
    r = evaluate_at(f, wrong, (x, y), (), [], {"x": sympy.Integer(1), "y": sympy.Integer(2)})
    assert [row.ok for row in r.check] == [False, True]
    assert r.check[0].abs_error > 0.1
    assert r.mismatch_note in r.notes and "MISMATCH" in r.mismatch_note


def test_wrong_sign_is_caught_everywhere():
    rows = check_gradient(lambda p: p[0] ** 2, [3.0], [-6.0], ["x"])
    assert not rows[0].ok and rows[0].numeric == pytest.approx(6.0)


def test_right_gradients_pass_with_stated_tolerance():
    r = gradient("exp(x) sin(y) + x^3 / (1 + y^2)", at="x=0.3,y=-1.1")
    assert all(row.ok for row in r.at.check)
    assert all(0 < row.tolerance < 1e-4 for row in r.at.check)


def test_large_values_do_not_cause_false_alarms():
    r = gradient("exp(x) + y", at="x=30,y=1")
    assert all(row.ok for row in r.at.check)


def test_fast_oscillation_at_the_point_is_not_a_false_mismatch():
    """Found by hypothesis: x/(sin(16z⁴) + 2) at z = 1.5 oscillates with frequency 64z³ = 216,
    so the first step (1.5e-3) is too coarse; the step must shrink until estimates agree."""
    import math

    from nablab.calculus.fdcheck import check_gradient

    def f(p):
        return p[0] / (math.sin(16 * p[2] ** 4) + 2)

    point = [1.0, 0.0, 1.5]
    dz = -point[0] * math.cos(16 * 1.5**4) * 64 * 1.5**3 / (math.sin(16 * 1.5**4) + 2) ** 2
    rows = check_gradient(f, point, [1 / (math.sin(81) + 2), 0.0, dz], ["x", "y", "z"])
    assert all(r.ok for r in rows), rows
    assert abs(rows[2].numeric - dz) < 1e-6 * abs(dz)
    # and a wrong value there is still caught
    bad = check_gradient(f, point, [1 / (math.sin(81) + 2), 0.0, dz * 1.001], ["x", "y", "z"])
    assert not bad[2].ok
