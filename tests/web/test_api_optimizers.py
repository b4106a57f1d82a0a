"""``/api/descent`` and ``/api/regress`` with every optimizer of issue 14 and ``graph: true`` on
``/api/gradient`` and ``/api/lab``: the request shapes, the errors (in the core's words, as the
error object), and the values — runs equal to the Python API's own, first steps equal to the
update rules written out here, line-search steps that satisfy the Armijo condition, the Hessian
advice equal to NumPy's eigenvalues, graph adjoints equal to SymPy's ∇f at the point, every
regression method's θ equal to numpy.linalg.lstsq's and its answer to `nablab regress --json`'s."""

from __future__ import annotations

import json
import math
from typing import get_args

import numpy as np
import pytest
import sympy

from nablab import api as nablab_api
from nablab.errors import NablabError
from nablab.interfaces.cli import main
from nablab.interfaces.web import schemas
from nablab.optimize.linear import BATCH_METHODS
from nablab.optimize.methods import LINE_SEARCHES, METHODS
from nablab.optimize.regression import REGRESSION_METHODS, check_method
from nablab.render.json import error_body, to_json

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


def test_an_option_that_is_no_method_parameter_is_the_cores_refusal_not_a_crash(api):
    """``opt`` becomes keyword arguments only after the core has checked its names: ``rate``
    there once clashed with the call's own ``rate`` (a TypeError, answered 500)."""
    err = assert_error(descent(api, rate=0.1, opt={"rate": 0.2}))
    assert err == {"message": "unknown parameter 'rate' for gd", "column": None,
                   "hint": "gd takes η (rate)"}
    err = assert_error(descent(api, rate=0.1, method="adam", opt={"steps": 5.0}))
    assert err["message"] == "unknown parameter 'steps' for adam"


# -- /api/regress with the same optimizers --------------------------------------------------
def chapter_data(n: int = 40) -> tuple[str, np.ndarray, np.ndarray]:
    """The chapter's regression ŷ = θ0 + θ1 x on noisy data, as CSV text, with the
    least-squares θ and J at it computed here (numpy.linalg.lstsq)."""
    rng = np.random.default_rng(5)
    x = np.round(rng.uniform(0, 10, n), 6)
    y = np.round(2.0 + 3.0 * x + rng.normal(0, 0.5, n), 6)
    text = "x,y\n" + "\n".join(f"{a:.6f},{b:.6f}" for a, b in zip(x, y, strict=True))
    A = np.column_stack([np.ones(n), x])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    return text, theta, np.array([np.mean((y - A @ theta) ** 2)])


def regress(api, **body):
    return api.post("/api/regress", json={"data": chapter_data()[0], "x": "x", "y": "y",
                                          **body})


def test_the_regress_schema_states_the_methods_their_parameters_and_ranges(api):
    assert get_args(schemas.RegressMethod) == REGRESSION_METHODS
    assert get_args(schemas.BatchMethod) == BATCH_METHODS
    spec = api.get("/openapi.json").json()["components"]["schemas"]
    fields = spec["RegressRequest"]["properties"]

    def branch(name: str) -> dict:
        return next(b for b in fields[name]["anyOf"] if b.get("type") != "null")
    assert branch("method")["enum"] == list(REGRESSION_METHODS)
    assert branch("batch_method")["enum"] == list(BATCH_METHODS)
    assert branch("seed")["minimum"] == 0 and branch("shuffle")["type"] == "boolean"
    opt = branch("opt")
    assert set(opt["properties"]) == {"beta", "mu", "rho", "beta1", "beta2", "eps"}  # no α
    for name in ("beta", "mu", "rho", "beta1", "beta2"):
        assert (opt["properties"][name]["minimum"], opt["properties"][name]["exclusiveMaximum"]) == (0, 1)
    assert opt["properties"]["eps"]["exclusiveMinimum"] == 0
    assert opt["properties"]["beta2"]["default"] == 0.999
    assert opt["additionalProperties"] == {"type": "number"}  # "β1" and the like, too
    # the same shape as /api/descent's opt, which adds newton's α
    descent_opt = next(b for b in spec["DescentRequest"]["properties"]["opt"]["anyOf"]
                       if b.get("type") == "object")
    assert set(descent_opt["properties"]) == set(opt["properties"]) | {"alpha"}
    assert descent_opt["properties"]["beta"] == opt["properties"]["beta"]
    answer = spec["RegressResponse"]["properties"]
    assert {"method", "hyper", "shuffle", "seed", "batch", "max_rel_diff"} <= set(answer)


# (method, η, parameters, what the run must reach): the full-batch rules converge to the
# least-squares θ (‖∇J‖ ≤ 1e-10·‖∇J(θ₀)‖); RMSProp at a fixed η keeps stepping ≈ η per
# coordinate, so it ends within a few η of it
REGRESSION_RUNS = [
    ("gd", 0.1, {}, {}, 1e-7),
    ("momentum", 0.1, {"beta": 0.5}, {"beta": 0.5}, 1e-7),
    ("nesterov", 0.1, {}, {"mu": 0.9}, 1e-7),
    ("adagrad", 1.0, {}, {"eps": 1e-8}, 1e-7),
    ("rmsprop", 0.01, {"ρ": 0.9}, {"rho": 0.9, "eps": 1e-8}, None),
    ("adam", 0.1, {"beta2": 0.99}, {"beta1": 0.9, "beta2": 0.99, "eps": 1e-8}, 1e-7),
]


@pytest.mark.parametrize(("method", "rate", "opt", "hyper", "rtol"), REGRESSION_RUNS)
def test_every_method_fits_the_chapters_regression_to_least_squares(api, method, rate, opt,
                                                                    hyper, rtol):
    _, theta, loss = chapter_data()
    r = regress(api, method=method, rate=rate, opt=opt, scale=True, epochs=3000)
    assert r.status_code == 200, r.text
    body = strict_json(r)
    assert (body["method"], body["hyper"], body["rate"]) == (method, hyper, rate)
    assert body["closed_form"] == pytest.approx(theta.tolist(), rel=1e-9)
    assert body["closed_form_loss"] == pytest.approx(loss[0], rel=1e-9)
    if rtol is None:
        assert not body["converged"] and not body["diverged"]
        assert body["theta"] == pytest.approx(theta.tolist(), abs=3 * rate)
    else:
        assert body["converged"], body["reason"]
        assert body["theta"] == pytest.approx(theta.tolist(), rel=rtol)
        assert body["loss"] == pytest.approx(loss[0], rel=1e-9)
    assert body["losses"][0] > body["losses"][-1] >= loss[0] * (1 - 1e-12)
    assert len(body["losses"]) == len(body["path"]) == body["iterations"] + 1


def test_shuffled_mini_batches_are_reproducible_with_a_seed(api):
    _, theta, _ = chapter_data()
    runs = {seed: strict_json(regress(api, method="adam", rate=0.05, scale=True, batch=8,
                                      shuffle=True, seed=seed, epochs=300))
            for seed in (2, 3)}
    again = strict_json(regress(api, method="adam", rate=0.05, scale=True, batch=8,
                                shuffle=True, seed=2, epochs=300))
    assert again["theta"] == runs[2]["theta"] and again["losses"] == runs[2]["losses"]
    assert runs[2]["theta"] != runs[3]["theta"]
    for run in runs.values():
        assert (run["batch"], run["shuffle"], run["batch_method"]) == (8, True, "sgd")
        assert run["theta"] == pytest.approx(theta.tolist(), abs=0.1)
    # svrg at a constant rate converges to the least-squares θ itself
    svrg = strict_json(regress(api, method="nesterov", opt={"mu": 0.5}, scale=True, batch=8,
                               batch_method="svrg", shuffle=True, seed=1, epochs=300))
    assert svrg["converged"], svrg["reason"]
    assert svrg["theta"] == pytest.approx(theta.tolist(), rel=1e-6)


@pytest.mark.parametrize(("body", "flags"), [
    ({"method": "adam", "opt": {"beta1": 0.8, "eps": 1e-7}, "rate": 0.05, "batch": 10,
      "shuffle": True, "seed": 2, "epochs": 200, "scale": True},
     ["--method", "adam", "--opt", "beta1=0.8,eps=1e-7", "--rate", "0.05", "--batch", "10",
      "--shuffle", "--seed", "2", "--epochs", "200", "--scale"]),
    ({"method": "momentum", "opt": {"β": 0.7}, "epochs": 300, "compare_scaling": True},
     ["--method", "momentum", "--opt", "β=0.7", "--epochs", "300", "--compare-scaling"]),
    ({"method": "rmsprop", "rate": 0.02, "batch": 7, "batch_method": "svrg", "epochs": 50},
     ["--method", "rmsprop", "--rate", "0.02", "--batch", "7", "--batch-method", "svrg",
      "--epochs", "50"]),
])
def test_the_answer_is_what_the_command_line_prints(api, tmp_path, capsys, body, flags):
    text = chapter_data()[0]
    path = tmp_path / "chapter.csv"
    path.write_text(text)
    answer = strict_json(api.post("/api/regress", json={"data": text, "x": "x", "y": "y",
                                                        **body}))
    capsys.readouterr()
    assert main(["regress", str(path), "--x", "x", "--y", "y", *flags, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == answer


def library_error(**kwargs) -> dict:
    """The error object the Python API raises for the same regression."""
    text = chapter_data()[0]
    data = np.loadtxt(text.splitlines()[1:], delimiter=",")
    with pytest.raises(NablabError) as info:
        nablab_api.regress({"x": data[:, 0], "y": data[:, 1]}, "x", "y", **kwargs)
    return error_body(info.value)


@pytest.mark.parametrize(("body", "message"), [
    ({"method": "lbfgs"}, "unknown method 'lbfgs'"),
    ({"method": "newton"}, "newton is not offered for regression: J is quadratic, so one "
     "Newton step is the closed form, which is already shown"),
    ({"method": "gd,adam"}, "regression runs one method at a time"),
    ({"method": "adam", "opt": {"gamma": 0.5}}, "unknown parameter 'gamma' for adam"),
    ({"method": "momentum", "opt": {"beta": 1.0}},
     "β (beta) = 1 is out of range for momentum: it must be in [0, 1)"),
    ({"method": "adam", "opt": {"β2": 1.5}},
     "β2 (beta2) = 1.5 is out of range for adam: it must be in [0, 1)"),
    ({"method": "rmsprop", "opt": {"eps": 0.0}},
     "ε (eps) = 0 is out of range for rmsprop: it must be in (0, ∞)"),
    ({"seed": 3}, "a seed is for shuffled mini-batches"),
])
def test_bad_input_is_the_librarys_error_object(api, body, message):
    err = assert_error(regress(api, **body))
    assert err["message"] == message
    kwargs = {k: v for k, v in body.items() if k != "opt"} | body.get("opt", {})
    assert err == library_error(**kwargs)


def test_an_option_named_like_an_argument_is_an_unknown_parameter(api):
    """``opt`` holds the method's parameters only: ``epochs`` there is not the epochs."""
    err = assert_error(regress(api, opt={"epochs": 5.0}))
    with pytest.raises(NablabError) as info:
        check_method("gd", {"epochs": 5.0})
    assert err == error_body(info.value)
    assert err["message"] == "unknown parameter 'epochs' for gd"


def test_an_unknown_method_names_the_ones_regression_offers(api):
    err = assert_error(regress(api, method="lbfgs"))
    assert err["hint"] == "the methods are gd, momentum, nesterov, adagrad, rmsprop, adam"
    assert assert_error(regress(api, method="newton"))["hint"] == err["hint"]
    # the API takes the names as listed, even a spelling the library would read
    for method in ("Adam", "adam,"):
        assert assert_error(regress(api, method=method)) == {
            "message": f"unknown method {method!r}", "column": None, "hint": err["hint"]}
    assert assert_error(regress(api, method=["adam"]))["message"] == \
        'method takes one method\'s name, e.g. "adam"'
    err = assert_error(regress(api, method="adam", opt={"gamma": 0.5}))
    assert err["hint"] == "adam takes η (rate) and β1 (beta1), β2 (beta2), ε (eps)"


@pytest.mark.parametrize(("body", "message", "hint"), [
    ({"rate": -0.5}, "the learning rate η must be a positive number (at most 1,000,000)",
     "try η = 0.1"),
    ({"rate": 0}, "the learning rate η must be a positive number (at most 1,000,000)",
     "try η = 0.1"),
    ({"seed": -1, "shuffle": True}, "the seed must be a whole number from 0 to 2⁶³ − 1",
     "same seed"),
    ({"batch": 0}, "the batch size must be a whole number from 1 to 1,000,000", "full batch"),
    ({"batch_method": "saga"}, "unknown batch method 'saga'", "the batch methods are sgd, svrg"),
])
def test_numbers_out_of_range_are_refused_naming_the_range(api, body, message, hint):
    err = assert_error(regress(api, method="adam", **body))
    assert err["message"] == message and hint in err["hint"]
