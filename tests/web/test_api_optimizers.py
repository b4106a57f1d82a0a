"""``/api/descent`` with every optimizer of issue 14 and ``graph: true`` on ``/api/gradient`` and
``/api/lab``: the request shapes, the errors (in the core's words, as the error object), and the
values — runs equal to the Python API's own, first steps equal to the update rules written out
here, line-search steps that satisfy the Armijo condition, the Hessian advice equal to NumPy's
eigenvalues, graph adjoints equal to SymPy's ∇f at the point."""

from __future__ import annotations

import json
import math
from typing import get_args

import numpy as np
import pytest
import sympy

from nablab import api as nablab_api
from nablab.interfaces.cli import main
from nablab.interfaces.web import schemas
from nablab.optimize.methods import LINE_SEARCHES, METHODS
from nablab.render.json import to_json

VALLEY = "x^2 + 10 y^2"
START = {"x": 1, "y": 1}
ERROR_KEYS = {"message", "column", "hint"}


def strict_json(response) -> dict:
    def bad(constant):
        raise AssertionError(f"{constant} in JSON")
    return json.loads(response.text, parse_constant=bad)


def assert_error(response, status: int = 422) -> dict:
    assert response.status_code == status, response.text
    body = strict_json(response)
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    return body["error"]


def as_json(obj) -> dict:
    """The Python API's result as the wire carries it (non-finite numbers are null)."""
    def clean(v):
        if isinstance(v, float):
            return v if math.isfinite(v) else None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        return v
    return clean(json.loads(json.dumps(to_json(obj), default=str)))


def descent(api, **body):
    return api.post("/api/descent", json={"text": VALLEY, "start": START, **body})


def test_the_schema_lists_the_cores_methods_and_line_searches():
    assert get_args(schemas.MethodName) == METHODS
    assert get_args(schemas.LineSearch) == LINE_SEARCHES


def test_several_methods_give_one_run_each_in_the_order_given_equal_to_the_python_api(api):
    r = descent(api, rate=0.05, method="adam,gd,momentum", opt={"beta": 0.8}, iterations=300)
    assert r.status_code == 200, r.text
    body = strict_json(r)
    assert body["methods"] == ["adam", "gd", "momentum"]
    assert [run["method"] for run in body["runs"]] == ["adam", "gd", "momentum"]
    assert body["variables"] == ["x", "y"] and body["start"] == [1.0, 1.0]
    own = nablab_api.descent(VALLEY, {"x": 1, "y": 1}, 0.05, method="adam,gd,momentum",
                             steps=300, beta=0.8)
    assert body == as_json(own)
    assert body["runs"][2]["hyper"] == {"beta": 0.8}
    # a list is the same request as the comma-separated string
    listed = strict_json(descent(api, rate=0.05, method=["adam", "gd", "momentum"],
                                 opt={"beta": 0.8}, iterations=300))
    assert listed == body


def test_several_methods_match_the_command_line(api, capsys):
    body = strict_json(descent(api, rate=0.05, method="gd,nesterov,adam", iterations=200))
    capsys.readouterr()
    assert main(["descent", VALLEY, "--from", "x=1,y=1", "--rate", "0.05", "--steps", "200",
                 "--method", "gd,nesterov,adam", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == body


def _first_step(method: str, eta: float, g: np.ndarray) -> np.ndarray:
    """x₁ − x₀ for each update rule at its default parameters, written out by hand."""
    eps = 1e-8
    return {
        "gd": -eta * g,
        "momentum": -eta * g,                      # v₁ = g₀
        "nesterov": -eta * (g + 0.9 * g),          # v₁ = g₀, step g + μv
        "adagrad": -eta * g / (np.abs(g) + eps),   # G₁ = g₀²
        "rmsprop": -eta * g / (np.sqrt(0.1) * np.abs(g) + eps),  # E₁ = (1 − ρ)g₀²
        "adam": -eta * g / (np.abs(g) + eps),      # bias-corrected m̂ = g, ŝ = g²
    }[method]


@pytest.mark.parametrize("method", [m for m in METHODS if m != "newton"])
def test_every_first_order_method_takes_the_step_its_rule_says(api, method):
    r = descent(api, rate=0.01, method=method, iterations=50)
    assert r.status_code == 200, r.text
    run = strict_json(r)
    assert run["method"] == method and "runs" not in run
    x0 = np.array([1.0, 1.0])
    g0 = np.array([2.0, 20.0])
    np.testing.assert_allclose(np.array(run["path"][1]) - x0, _first_step(method, 0.01, g0),
                               rtol=1e-12)
    assert run["status"] in ("converged", "limit") and run["stopped_at"] == run["steps"]


def test_newton_needs_no_rate_and_reaches_a_quadratics_minimum_in_one_step(api):
    run = strict_json(descent(api, method="newton"))
    assert run["status"] == "converged" and run["stopped_at"] == 1
    assert run["path"][1] == pytest.approx([0.0, 0.0], abs=1e-12)
    assert run["hyper"] == {"alpha": 1.0}


def test_newton_on_a_saddle_stops_and_says_the_hessian_is_indefinite(api):
    run = strict_json(api.post("/api/descent", json={"text": "x^2 - y^2", "start": "x=1,y=1",
                                                     "method": "newton"}))
    assert run["status"] == "hessian" and run["stopped_at"] == 0
    assert "indefinite" in run["reason"]


def test_a_line_search_per_method_runs_gd_with_armijo_and_adam_at_a_fixed_rate(api):
    r = descent(api, rate=0.5, method=["gd", "adam"], line_search={"gd": "armijo"},
                iterations=100)
    assert r.status_code == 200, r.text
    gd, adam = strict_json(r)["runs"]
    assert (gd["line_search"], adam["line_search"]) == ("armijo", "fixed")
    assert adam["step_sizes"] == [] and adam["trials"] == []
    k = gd["steps"]
    assert len(gd["step_sizes"]) == len(gd["trials"]) == k > 0
    assert max(gd["trials"]) > 1  # η = 0.5 > 2/20 is too long across the valley: it backtracks
    for i in range(k):
        x, y = gd["path"][i]
        g = np.array([2 * x, 20 * y])
        alpha = gd["step_sizes"][i]
        # the step is x − α∇f, and it meets sufficient decrease f(x⁺) ≤ f(x) − c₁α‖∇f‖²
        np.testing.assert_allclose(gd["path"][i + 1], [x, y] - alpha * g, rtol=1e-12, atol=1e-15)
        assert gd["values"][i + 1] <= gd["values"][i] - 1e-4 * alpha * float(g @ g) + 1e-15
    # the same gd run as the Python API's armijo run on its own
    alone = as_json(nablab_api.descent(VALLEY, {"x": 1, "y": 1}, 0.5, method="gd",
                                       line_search="armijo", steps=100))
    assert gd == alone
    # one line search for every method is the CLI's --line-search
    both = strict_json(descent(api, rate=0.5, method="gd,newton", line_search="wolfe"))
    assert [run["line_search"] for run in both["runs"]] == ["wolfe", "wolfe"]


def test_each_run_says_why_it_stopped_and_at_which_step(api):
    body = strict_json(descent(api, rate=0.2, method="gd,adam", iterations=30))
    gd, adam = body["runs"]
    # η = 0.2 > 2/λmax = 0.1: gd diverges, and says at which step
    assert gd["status"] == "diverged" and gd["diverged"] is True
    assert f"diverged at step {gd['stopped_at']}" in gd["reason"]
    assert adam["status"] == "limit" and adam["stopped_at"] == 30 and "step limit" in adam["reason"]
    good = strict_json(descent(api, rate=0.05))
    assert good["status"] == "converged" and good["stopped_at"] == good["steps"]


def test_advice_and_sensitivity_come_from_the_hessian_and_the_partials(api):
    run = strict_json(descent(api, rate=0.05, method="momentum"))
    lam = np.linalg.eigvalsh(np.array([[2.0, 0.0], [0.0, 20.0]]))
    a = run["advice"]
    assert a["quadratic"] is True and a["eigenvalues"] == pytest.approx(lam.tolist())
    assert a["max_stable_rate"] == pytest.approx(2 / lam[-1])
    kappa = lam[-1] / lam[0]
    assert a["condition"] == pytest.approx(kappa)
    assert a["momentum"] == pytest.approx(((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2)
    assert a["momentum_rate"] == pytest.approx(4 / (math.sqrt(lam[-1]) + math.sqrt(lam[0])) ** 2)
    s = run["sensitivity"]["at_start"]
    assert s["magnitudes"] == [2.0, 20.0] and s["largest"] == "y" and s["smallest"] == "x"
    assert s["spread"] == pytest.approx(10.0)


@pytest.mark.parametrize("method", ["lbfgs", "gd,lbfgs", ["gd", "lbfgs"]])
def test_an_unknown_method_is_refused_naming_the_known_ones(api, method):
    err = assert_error(descent(api, rate=0.1, method=method))
    assert err["message"] == "unknown method 'lbfgs'"
    assert err["hint"] == "the methods are " + ", ".join(METHODS)


def test_an_unknown_parameter_is_refused_naming_the_ones_the_methods_take(api):
    err = assert_error(descent(api, rate=0.1, method="momentum,adam", opt={"gamma": 0.5}))
    assert err["message"] == "unknown parameter 'gamma' for momentum, adam"
    assert "β (beta)" in err["hint"] and "β1 (beta1)" in err["hint"] and "ε (eps)" in err["hint"]
    # the same with a line search per method (the methods then run in groups)
    err = assert_error(descent(api, rate=0.1, method="gd,momentum", opt={"gamma": 0.5},
                               line_search={"gd": "armijo"}))
    assert err["message"] == "unknown parameter 'gamma' for gd, momentum"


@pytest.mark.parametrize(("opt", "words"), [
    ({"beta": 1.0}, "β (beta) = 1 is out of range for momentum: it must be in [0, 1)"),
    ({"β": 1.5}, "β (beta) = 1.5 is out of range for momentum: it must be in [0, 1)"),
    ({"beta2": 1.0}, "β2 (beta2) = 1 is out of range for adam: it must be in [0, 1)"),
    ({"eps": 0.0}, "ε (eps) = 0 is out of range for adam: it must be in (0, ∞)"),
])
def test_a_parameter_out_of_range_is_refused_with_the_valid_range(api, opt, words):
    err = assert_error(descent(api, rate=0.1, method="momentum,adam", opt=opt))
    assert err["message"] == words and err["hint"]


@pytest.mark.parametrize("rate", [0, -0.5])
def test_a_rate_that_is_not_positive_is_refused_with_the_valid_range(api, rate):
    err = assert_error(descent(api, rate=rate, method="gd,adam"))
    assert err["message"].startswith("the learning rate η must be a positive number (at most")
    assert "η = 0.1" in err["hint"]


def test_first_order_methods_need_a_rate(api):
    err = assert_error(descent(api, method="gd"))
    assert err["message"] == "gd needs a learning rate η"


def test_line_search_errors_name_the_methods_that_take_one(api):
    err = assert_error(descent(api, rate=0.1, method="gd,adam", line_search="armijo"))
    assert err["message"] == "a armijo line search is for gd and newton, not adam"
    err = assert_error(descent(api, rate=0.1, method="adam", line_search={"adam": "armijo"}))
    assert err["message"] == "a line search is for gd and newton, not adam"
    err = assert_error(descent(api, rate=0.1, method="gd", line_search={"newton": "wolfe"}))
    assert "newton" in err["message"] and "not among the methods" in err["message"]
    err = assert_error(descent(api, rate=0.1, line_search="exact"))
    assert err["message"] == "unknown line search 'exact'"
    assert err["hint"] == "the step sizes are fixed, armijo, wolfe"


# -- the computational graph ----------------------------------------------------------------
CHAPTER = "x^2 y + sin(xy)"


def test_graph_on_gradient_is_the_command_lines_graph_and_its_adjoints_are_the_gradient(api, capsys):
    r = api.post("/api/gradient", json={"text": CHAPTER, "at": "x=1,y=2", "graph": True})
    assert r.status_code == 200, r.text
    body = strict_json(r)
    graph = body.pop("graph")
    # the rest is exactly the answer without the graph
    assert body == strict_json(api.post("/api/gradient", json={"text": CHAPTER, "at": "x=1,y=2"}))
    capsys.readouterr()
    assert main(["grad", CHAPTER, "--at", "x=1,y=2", "--graph", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["graph"] == graph
    x, y = sympy.symbols("x y")
    f = x**2 * y + sympy.sin(x * y)
    exact = [float(sympy.diff(f, v).subs({x: 1, y: 2})) for v in (x, y)]
    by_name = {n["name"]: n for n in graph["nodes"] if n.get("name")}
    assert [by_name[v]["adjoint"] for v in graph["variables"]] == pytest.approx(exact, rel=1e-12)
    assert graph["gradient"] == pytest.approx(exact, rel=1e-12)
    assert graph["value"] == pytest.approx(float(f.subs({x: 1, y: 2})), rel=1e-12)
    # xy is one node, read by sin and by nothing else twice; the output is visited first
    xy = [n for n in graph["nodes"] if n["expression"] == "x*y"]
    assert len(xy) == 1
    assert graph["backward"][0] == graph["output"]
    assert {n["rule"] for n in graph["nodes"]} >= {"sum", "product", "power", "sin", "variable"}


def test_graph_adjoints_redone_from_the_local_derivatives_give_the_gradient(api):
    """The backward pass recomputed here from each node's inputs and local derivatives, in the
    answer's order, for a function with a shared subexpression used twice."""
    text = "exp(x y) + sin(x y) + log(1 + y)"
    graph = strict_json(api.post("/api/gradient", json={"text": text, "at": {"x": 0.5, "y": 1.5},
                                                        "graph": True}))["graph"]
    adj = [0.0] * len(graph["nodes"])
    adj[graph["output"]] = 1.0
    for i in graph["backward"]:
        node = graph["nodes"][i]
        for j, d in zip(node["inputs"], node["local"], strict=True):
            adj[j] += adj[i] * d
    x, y = sympy.symbols("x y")
    f = sympy.exp(x * y) + sympy.sin(x * y) + sympy.log(1 + y)
    exact = [float(sympy.diff(f, v).subs({x: 0.5, y: 1.5})) for v in (x, y)]
    by_name = {n["name"]: n["id"] for n in graph["nodes"] if n.get("name")}
    assert [adj[by_name[v]] for v in ("x", "y")] == pytest.approx(exact, rel=1e-12)
    shared = [n for n in graph["nodes"] if n["expression"] == "x*y"]
    assert len(shared) == 1
    readers = [n for n in graph["nodes"] if shared[0]["id"] in n["inputs"]]
    assert len(readers) == 2  # exp(xy) and sin(xy) read the one node


def test_graph_on_lab_equals_graph_on_gradient(api):
    body = {"text": CHAPTER, "at": "x=1,y=2", "graph": True}
    lab = strict_json(api.post("/api/lab", json=body))
    alone = strict_json(api.post("/api/gradient", json=body))
    assert lab["gradient"]["graph"] == alone["graph"]


def test_graph_needs_a_point(api):
    err = assert_error(api.post("/api/gradient", json={"text": CHAPTER, "graph": True}))
    assert err["message"] == "graph needs a point" and "at" in err["hint"]
