"""The optimizers side by side: first steps computed by hand, known minima, the line searches'
conditions re-checked with a hand-written gradient, Newton's failures, advice, sensitivity."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nablab.api import descent
from nablab.errors import NablabError
from nablab.optimize.descent import DescentRuns, Stop
from nablab.render.json import to_json

BOWL = "x^2 + 10y^2"  # ∇f(1, 1) = (2, 20)
START = {"x": 1, "y": 1}


@pytest.mark.parametrize(
    ("method", "rate", "opts", "first", "second"),
    [
        ("gd", 0.05, {}, [0.9, 0.0], None),
        # v = g; x ← x − ηv, then v = 0.9·(2, 20) + (1.96, 16) = (3.76, 34)
        ("momentum", 0.01, {"beta": 0.9}, [0.98, 0.8], [0.9424, 0.46]),
        # v = g; x ← x − η(g + μv) = x − 0.01·1.9·(2, 20)
        ("nesterov", 0.01, {"mu": 0.9}, [0.962, 0.62], None),
        # G = g²; x ← x − ηg/√G: a step of η in every coordinate
        ("adagrad", 0.1, {}, [0.9, 0.9], None),
        # E = 0.1·g²; x ← x − ηg/√E = x − η·√10
        ("rmsprop", 0.01, {"rho": 0.9}, [1 - 0.01 * math.sqrt(10)] * 2, None),
        # bias-corrected first step is η·sign(g)
        ("adam", 0.01, {}, [0.99, 0.99], None),
    ],
)
def test_first_steps_by_hand(method, rate, opts, first, second):
    r = descent(BOWL, START, rate, method=method, steps=3, **opts)
    assert r.method == method and r.path[0] == [1.0, 1.0]
    assert r.path[1] == pytest.approx(first, rel=1e-7)
    if second:
        assert r.path[2] == pytest.approx(second, rel=1e-7)


@pytest.mark.parametrize(
    ("method", "rate"),
    [("gd", 0.05), ("momentum", 0.02), ("nesterov", 0.02), ("adagrad", 0.5), ("rmsprop", 0.01),
     ("adam", 0.05), ("newton", None)],
)
def test_every_method_finds_the_known_minimum(method, rate):
    r = descent("(x - 1)^2 + 10(y + 2)^2 + x y", {"x": 0, "y": 0}, rate, method=method,
                steps=200_000, tol=1e-7)
    # ∇f = 0: 2(x − 1) + y = 0, 20(y + 2) + x = 0  →  solved by hand below
    want = np.linalg.solve([[2, 1], [1, 20]], [2, -40])
    assert r.status is Stop.CONVERGED, r.reason
    np.testing.assert_allclose(r.point, want, atol=1e-5 if method != "rmsprop" else 1e-3)


def test_newton_solves_a_quadratic_in_one_step():
    r = descent("(x - 1)^2 + 10(y + 2)^2", {"x": 5, "y": 5}, method="newton")
    assert r.steps == 1 and r.path[1] == pytest.approx([1.0, -2.0]) and r.converged


def rosenbrock(v):
    x, y = v
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def rosen_grad(v):
    x, y = v
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


@pytest.mark.parametrize(("method", "search", "rate"),
                         [("newton", "armijo", None), ("newton", "wolfe", None),
                          ("gd", "armijo", 1.0), ("gd", "wolfe", 0.001)])
def test_line_searches_meet_their_conditions_on_rosenbrock(method, search, rate):
    r = descent("(1 - x)^2 + 100 (y - x^2)^2", {"x": -1.2, "y": 1}, rate, method=method,
                line_search=search, steps=50_000, tol=1e-6)
    assert r.converged, r.reason
    assert r.point == pytest.approx([1.0, 1.0], abs=1e-5)
    assert len(r.step_sizes) == len(r.trials) == r.steps and min(r.trials) >= 1
    path = np.array(r.path)
    for k, alpha in enumerate(r.step_sizes):
        x, x_new = path[k], path[k + 1]
        p = (x_new - x) / alpha
        slope = rosen_grad(x) @ p
        assert slope < 0
        assert rosenbrock(x_new) <= rosenbrock(x) + 1e-4 * alpha * slope + 1e-12  # Armijo
        if search == "wolfe":
            assert abs(rosen_grad(x_new) @ p) <= 0.9 * abs(slope) + 1e-9  # strong curvature
    if method == "newton":
        assert r.steps < 60


def test_armijo_accepts_the_first_trial_when_it_decreases_enough_and_counts_backtracks():
    # f = x², p = −2x; α = 0.25 halves x (accepted at once); α = 4 needs 4 halvings to 0.25
    once = descent("x^2", {"x": 1}, 0.25, line_search="armijo", steps=1)
    assert once.trials == [1] and once.step_sizes == [0.25]
    back = descent("x^2", {"x": 1}, 4.0, line_search="armijo", steps=1)
    # α = 4, 2, 1 fail (f(1 − 2α) ≥ 1 − 1e-4·2α·2), α = 0.5 reaches 0 exactly
    assert back.trials == [4] and back.step_sizes == [0.5] and back.path[1] == [0.0]


def test_newton_says_when_the_hessian_is_singular_or_indefinite():
    r = descent("x^4 + y^2", {"x": 0, "y": 1}, method="newton")
    assert r.status is Stop.HESSIAN and "singular" in r.reason and r.steps == 0
    r = descent("x^2 - y^2 + y^4", {"x": 1, "y": 0.1}, method="newton")
    assert r.status is Stop.HESSIAN and "indefinite" in r.reason and "saddle" in r.reason


def test_non_finite_values_stop_and_say_at_which_step():
    r = descent("x^4", {"x": 3}, 1.0, steps=100)
    assert r.status is Stop.DIVERGED and r.diverged
    assert f"at step {r.stopped_at}" in r.reason and "non-finite" in r.reason
    assert r.stopped_at == r.steps and not math.isfinite(r.grad_norms[-1])
    json.dumps(to_json(r), allow_nan=False)


def test_eigenvalue_advice_for_a_quadratic():
    a = descent(BOWL, START, 0.05, steps=5).advice
    assert a.quadratic and a.eigenvalues == pytest.approx([2, 20])
    assert a.max_stable_rate == pytest.approx(0.1) and a.best_rate == pytest.approx(2 / 22)
    assert a.condition == pytest.approx(10)
    assert a.momentum == pytest.approx(((math.sqrt(10) - 1) / (math.sqrt(10) + 1)) ** 2)
    assert a.momentum_rate == pytest.approx(4 / (math.sqrt(20) + math.sqrt(2)) ** 2)
    # the suggested heavy ball is faster than the best plain rate
    fast = descent(BOWL, START, a.momentum_rate, method="momentum", beta=a.momentum)
    plain = descent(BOWL, START, a.best_rate)
    assert fast.converged and plain.converged and fast.steps < plain.steps


def test_advice_at_a_non_quadratic_minimum_uses_the_hessian_there():
    r = descent("(1 - x)^2 + 100 (y - x^2)^2", {"x": -1.2, "y": 1}, method="newton",
                line_search="armijo")
    a = r.advice
    assert not a.quadratic and a.at == pytest.approx([1, 1], abs=1e-6)
    # Hessian at (1, 1) is [[802, −400], [−400, 200]]
    assert a.eigenvalues == pytest.approx(np.linalg.eigvalsh([[802, -400], [-400, 200]]))


def test_sensitivity_names_vanishing_and_dominant_variables():
    r = descent("x + 0.000001 y^2", {"x": 1, "y": 1}, 0.1, steps=3)
    s = r.sensitivity.at_start
    assert s.magnitudes == pytest.approx([1.0, 2e-6])
    assert s.largest == "x" and s.smallest == "y" and s.spread == pytest.approx(5e5)
    assert s.vanishing == ["y"] and s.dominant == ["x"]
    assert r.sensitivity.vanishing_steps == {"x": 0, "y": 4}
    even = descent(BOWL, START, 0.05, steps=3).sensitivity.at_start
    assert even.vanishing == [] and even.dominant == [] and even.spread == pytest.approx(10)


def test_several_methods_one_run_each_in_order():
    runs = descent(BOWL, START, 0.02, method="adam,gd,nesterov", steps=50)
    assert isinstance(runs, DescentRuns)
    assert [r.method for r in runs.runs] == ["adam", "gd", "nesterov"]
    assert all(r.start == [1.0, 1.0] for r in runs.runs)
    d = to_json(runs)
    assert d["methods"] == ["adam", "gd", "nesterov"] and len(d["runs"]) == 3
    lists = descent(BOWL, START, 0.02, method=["gd"], steps=5)
    assert isinstance(lists, DescentRuns)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "bfgs"}, "the methods are gd, momentum, nesterov, adagrad, rmsprop, adam"),
        ({"method": "adam", "gamma": 0.5}, r"adam takes η \(rate\) and β1 \(beta1\), β2"),
        ({"method": "momentum", "beta": 1.0}, r"must be in \[0, 1\)"),
        ({"method": "adam", "β1": 1.5}, r"β1 \(beta1\) = 1.5 is out of range"),
        ({"rate": 0.0}, r"\(0, ∞\)"),
        ({"rate": -1.0}, "positive"),
        ({"method": "adam", "line_search": "wolfe"}, "for gd and newton"),
        ({"line_search": "exact"}, "fixed, armijo, wolfe"),
        ({"method": "gd", "rho": 0.5}, "gd takes η"),
    ],
)
def test_bad_input_names_the_known_ones(kwargs, match):
    args = {"rate": 0.1} | kwargs
    rate = args.pop("rate")
    with pytest.raises(NablabError) as err:
        descent(BOWL, START, rate, **args)
    assert __import__("re").search(match, f"{err.value} {err.value.hint}")


def test_greek_and_ascii_parameter_names_are_the_same():
    a = descent(BOWL, START, 0.01, method="adam", β1=0.8, steps=5)
    b = descent(BOWL, START, 0.01, method="adam", beta1=0.8, steps=5)
    assert a.path == b.path and a.hyper["beta1"] == 0.8


