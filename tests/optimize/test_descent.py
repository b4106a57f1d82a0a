"""Gradient descent on functions: convergence on convex quadratics, divergence above 2/L."""

from __future__ import annotations

import gc
import math

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import nablab
from nablab.errors import DomainError, NablabError, ParseError
from nablab.optimize.descent import descent, partial
from nablab.optimize.divergence import curvature, is_quadratic
from nablab.render.json import to_json

x, y, z, a = sympy.symbols("x y z a")


def quadratic(A: np.ndarray, b: np.ndarray, syms):
    """½ vᵀAv − bᵀv with minimum at A⁻¹b and Hessian A."""
    v = sympy.Matrix(syms)
    Am = sympy.Matrix(A.tolist())
    return (v.T * Am * v)[0] / 2 - sum(float(bi) * s for bi, s in zip(b, syms, strict=True))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(0, 10_000))
def test_converges_to_known_minimum_of_convex_quadratic(dim, seed):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(dim, dim))
    A = M @ M.T + 0.5 * np.eye(dim)  # symmetric positive definite
    b = rng.normal(size=dim)
    syms = [x, y, z][:dim]
    f = quadratic(A, b, syms)
    L = np.linalg.eigvalsh(A)[-1]
    r = descent(f, dict(zip(["x", "y", "z"], rng.normal(size=dim), strict=False)), 1 / L,
                steps=20000, tol=1e-10)
    assert r.converged and not r.diverged
    np.testing.assert_allclose(r.point, np.linalg.solve(A, b), rtol=1e-7, atol=1e-8)
    assert r.curvature is not None and math.isclose(r.curvature.L, L, rel_tol=1e-9)


def test_chapter_style_bowl_records_path_values_and_norms():
    r = descent(x**2 + 10 * y**2, {"x": 1, "y": 1}, 0.05, steps=500)
    assert r.converged
    assert len(r.path) == len(r.values) == len(r.grad_norms) == r.steps + 1
    assert r.path[0] == [1.0, 1.0] and r.values[0] == 11.0
    # first step by hand: ∇f(1,1) = (2, 20); θ ← θ − 0.05·∇f
    assert r.path[1] == pytest.approx([0.9, 0.0])
    assert r.grad_norms[0] == pytest.approx(math.hypot(2, 20))
    assert all(b <= a for a, b in zip(r.values, r.values[1:], strict=False))
    d = to_json(r)
    for key in ("variables", "path", "values", "grad_norms", "converged", "diverged", "reason"):
        assert key in d
    assert d["variables"] == ["x", "y"]


@pytest.mark.parametrize("factor", [1.05, 1.5, 3.0])
def test_divergence_detected_above_two_over_L(factor):
    f = x**2 + 10 * y**2  # Hessian diag(2, 20): L = 20, 2/L = 0.1
    r = descent(f, {"x": 1, "y": 1}, factor * 0.1, steps=5000)
    assert r.diverged and not r.converged
    assert "2/L = 0.1" in r.reason and "L = 20" in r.reason
    assert r.steps < 5000


def test_just_below_two_over_L_converges():
    r = descent(x**2 + 10 * y**2, {"x": 1, "y": 1}, 0.099, steps=20000)
    assert r.converged and not r.diverged


def test_unbounded_quadratic_is_explained():
    r = descent(x**2 - y**2, {"x": 1, "y": 1}, 0.1, steps=2000)
    assert r.diverged
    assert "unbounded below" in r.reason


def test_overflow_on_non_quadratic_names_curvature_on_the_early_path():
    r = descent(x**4, {"x": 3}, 1.0, steps=100)
    assert r.diverged
    # f'' = 12x² is largest at the start (the path then heads for 0): L = 108, not the
    # astronomical curvature at the blown-up last point
    assert "an estimate: f is not quadratic" in r.reason and "L = 108 " in r.reason
    import json

    json.dumps(to_json(r), allow_nan=False)  # non-finite numbers become null, never NaN


@pytest.mark.parametrize("method", ["momentum", "adam"])
def test_momentum_and_adam_converge_on_quadratic(method):
    rate = 0.01 if method == "momentum" else 0.05
    r = descent((x - 1) ** 2 + 10 * (y + 2) ** 2, {"x": 0, "y": 0}, rate, steps=20000,
                method=method, tol=1e-7)
    assert r.converged, r.reason
    np.testing.assert_allclose(r.point, [1, -2], atol=1e-6)
    assert r.method == method


def test_leaving_the_domain_is_reported_not_a_nan_answer():
    r = descent(sympy.log(x) + x**2, {"x": 1}, 2.0, steps=50)
    assert not r.converged and "domain" in r.reason
    with pytest.raises(DomainError):
        descent(sympy.log(x), {"x": -1}, 0.1)


def test_parameters_need_values_and_are_used():
    with pytest.raises(NablabError, match="parameter a with no value") as err:
        descent((x - a) ** 2, {"x": 0}, 0.1, variables=["x"])
    assert "x=1, a=1" in err.value.hint
    with pytest.raises(NablabError, match=r"start point gives no value for a \(f depends on x, a\)"):
        descent((x - a) ** 2, {"x": 0}, 0.1)
    r = descent((x - a) ** 2, {"x": 0}, 0.25, params={"a": 3})
    assert r.converged and r.point[0] == pytest.approx(3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start": {"x": 1}}, "start point gives no value for y"),
        ({"start": [1.0]}, "2 variables"),
        ({"start": {"x": 1, "y": 1, "q": 2}}, "q is not a variable"),
        ({"start": {"x": "abc", "y": 1}}, "not a number"),
        ({"rate": -0.1}, "positive"),
        ({"method": "bfgs"}, "unknown method"),
        ({"steps": 10**9}, "at most"),
    ],
)
def test_bad_arguments_raise_nablab_errors(kwargs, match):
    args = {"start": {"x": 1, "y": 1}, "rate": 0.1} | kwargs
    rest = {k: v for k, v in args.items() if k not in ("start", "rate")}
    with pytest.raises(NablabError, match=match):
        descent(x**2 + y**2, args["start"], args["rate"], **rest)


def test_start_values_as_text_are_numbers_only():
    from nablab.api import descent as run_descent

    with pytest.raises(ParseError):
        run_descent(x**2, {"x": "__import__('os')"}, 0.1)
    with pytest.raises(NablabError, match="not a number"):
        descent(x**2, {"x": "1"}, 0.1)  # the optimizer takes values: reading is the facade's
    r = run_descent(x**2, {"x": "-2.5e0"}, 0.25)
    assert r.start == [-2.5]


@settings(max_examples=20, deadline=None)
@given(st.floats(0.2, 2.0), st.floats(-1.5, 1.5))
def test_gradient_used_by_descent_matches_finite_differences(px, py):
    f = sympy.sin(x * y) + x**2 * y + sympy.exp(x / 3)
    fn = sympy.lambdify((x, y), f)
    for var, (dx, dy) in ((x, (1, 0)), (y, (0, 1))):
        g = float(partial(f, var).subs({x: px, y: py}))
        h = 1e-5
        fd = (fn(px + h * dx, py + h * dy) - fn(px - h * dx, py - h * dy)) / (2 * h)
        assert g == pytest.approx(fd, rel=1e-6, abs=1e-7)


def test_partial_of_abs_is_real():
    assert partial(abs(x), x) == sympy.sign(x)


def test_quadratic_detection_and_curvature():
    assert is_quadratic(x**2 + 3 * x * y + y, [x, y])
    assert not is_quadratic(x**3, [x])
    assert not is_quadratic(sympy.sin(x), [x])
    c = curvature(3 * x**2 + y**2, [x, y])
    assert pytest.approx(6) == c.L and c.max_stable_rate == pytest.approx(1 / 3)


def test_text_input_through_the_parser_and_public_api():
    r = nablab.descent("x^2 + 10y^2", {"x": 1, "y": 1}, 0.05)
    assert r.converged and r.variables == ["x", "y"] and r.function == "x^2 + 10y^2"
    assert [sympy.sympify(g) for g in r.gradient] == [2 * x, 20 * y]
    from nablab.parse import parse

    r = descent(parse("(x - 2)^2 + (y + 1)^2"), [0, 0], 0.25)
    assert r.point == pytest.approx([2, -1])


def test_missing_start_value_is_worded_for_every_interface():
    """The page, the CLI and Python all show this message: it names what is missing and gives a
    complete start point, in no interface's syntax (no params={…}, no --set)."""
    from nablab.api import descent as run_descent

    with pytest.raises(NablabError) as err:
        run_descent("x^2 y + sin(xy)", {"x": 1}, 0.1)
    text = f"{err.value} {err.value.hint}"
    assert "no value for y" in text and "x=1, y=1" in text
    for syntax in ("params=", "--set", "CLI", "{"):
        assert syntax not in text


def test_start_and_parameters_may_spell_names_as_the_function_does():
    from nablab.api import descent as run_descent

    r = run_descent("(x_1 - a_0)^2 + x_2^2", {"x_1": 0, "x_{2}": 1}, 0.25, steps=60,
                    params={"a_0": 2})
    assert r.path[1] == pytest.approx([1.0, 0.5])  # x ← x − η·2(x − a): halfway each step
    assert r.converged and r.path[-1] == pytest.approx([2.0, 0.0], abs=1e-6)


def test_descent_through_a_jump_is_not_an_internal_error():
    from nablab.api import descent as run_descent

    # for x > 0, f = y + x² + y² and δ(x) = 0: descent heads to (0⁺, −1/2) without crossing
    r = run_descent("sign(x) y + x^2 + y^2", {"x": 1, "y": 1}, 0.1, steps=2000)
    assert r.converged and r.path[-1] == pytest.approx([0.0, -0.5], abs=1e-4)


@pytest.mark.parametrize("params", [None, {"N": 3}])
def test_descent_on_a_function_summing_over_data_says_to_fit_it_to_data(params):
    """The chapter's J(θ) has a value only for a data set: descent says so (it was a NumPy
    printer error with N given, found by the widget's author)."""
    from nablab.api import descent as run_descent

    with pytest.raises(NablabError, match="sums over data") as info:
        run_descent("(1/N) sum((y_n - (t0 + t1 x_n))^2, n, 1, N)", {"t0": 0, "t1": 0}, 0.1,
                    params=params)
    assert "nablab regress" in info.value.hint


def test_a_run_pauses_the_garbage_collector_only_while_it_runs():
    """The run pauses the cyclic collector (its 2e5 stored lists made it rescan) and leaves it
    as it found it: on after the run, off if the caller had it off, on after an error too."""
    assert gc.isenabled()
    seen = []
    r = nablab.descent("x^2 + y^2", {"x": 1, "y": 1}, 0.1, steps=5,
                       progress=lambda k, n, f: seen.append(gc.isenabled()))
    assert r.steps == 5 and seen and not any(seen) and gc.isenabled()
    gc.disable()
    try:
        nablab.descent("x^2 + y^2", {"x": 1, "y": 1}, 0.1, steps=5)
        assert not gc.isenabled()
    finally:
        gc.enable()

    def fails(k, n, f):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        nablab.descent("x^2 + y^2", {"x": 1, "y": 1}, 0.1, steps=5, progress=fails)
    assert gc.isenabled()
