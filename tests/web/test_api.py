"""The API endpoints against a live server: good and bad input for each, answers checked
against the command line's ``--json`` (the same object) and against independent arithmetic.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sympy

from nablab.interfaces.cli import main
from nablab.render.json import error_body, to_json

ERROR_KEYS = {"message", "column", "hint"}
CHAPTER = "x^2 y + sin(xy)"


def strict_json(response) -> object:
    """Parse as strict JSON: NaN or Infinity anywhere is a failure."""
    def bad(constant):
        raise AssertionError(f"{constant} in JSON")
    return json.loads(response.text, parse_constant=bad)


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = strict_json(response)
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    assert body["error"]["message"]
    return body["error"]


def cli_json(capsys, *argv: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


# -- /api/parse --------------------------------------------------------------------------
def test_parse_the_chapter_example(api):
    r = api.post("/api/parse", json={"text": CHAPTER})
    assert r.status_code == 200, r.text
    body = strict_json(r)
    x, y = sympy.symbols("x y")
    assert sympy.sympify(body["expression"]["text"]) == x**2 * y + sympy.sin(x * y)
    assert body["variables"] == ["x", "y"] and body["parameters"] == []
    assert "x y" in body["expression"]["latex"]
    assert all(set(w) == {"message", "column"} for w in body["warnings"])


def test_parse_variables_as_string_or_list_agree(api):
    a = api.post("/api/parse", json={"text": "a x^2 + y", "variables": "x,y"})
    b = api.post("/api/parse", json={"text": "a x^2 + y", "variables": ["x", "y"]})
    assert a.status_code == 200 and a.json() == b.json()
    assert a.json()["variables"] == ["x", "y"] and a.json()["parameters"] == ["a"]


def test_parse_error_has_message_column_hint(api):
    err = assert_error(api.post("/api/parse", json={"text": "x^2 +* y"}), 422)
    assert err["column"] == 6 and err["hint"]
    from nablab.api import parse
    from nablab.errors import NablabError

    with pytest.raises(NablabError) as info:
        parse("x^2 +* y")
    assert err == error_body(info.value)  # the same error object as the CLI reports


def test_parse_latex(api):
    r = api.post("/api/parse", json={"text": r"\frac{x^2}{y} + \sin(x y)"})
    assert r.status_code == 200, r.text
    x, y = sympy.symbols("x y")
    assert sympy.simplify(sympy.sympify(r.json()["expression"]["text"])
                          - (x**2 / y + sympy.sin(x * y))) == 0


# -- /api/gradient -------------------------------------------------------------------------
def test_gradient_of_the_chapter_example(api):
    r = api.post("/api/gradient", json={"text": CHAPTER, "at": {"x": 1, "y": 2}})
    assert r.status_code == 200, r.text
    body = strict_json(r)
    x, y = sympy.symbols("x y")
    parts = {p["variable"]: sympy.sympify(p["text"]) for p in body["partials"]}
    assert sympy.simplify(parts["x"] - (2 * x * y + y * sympy.cos(x * y))) == 0
    assert sympy.simplify(parts["y"] - (x**2 + x * sympy.cos(x * y))) == 0
    from nablab.api import gradient

    assert body == json.loads(json.dumps(
        to_json(gradient(CHAPTER, None, at={"x": 1, "y": 2}))))
    same = api.post("/api/gradient", json={"text": CHAPTER, "at": "x=1,y=2"})
    assert same.json() == body


def test_gradient_bad_input(api):
    r = api.post("/api/gradient", json={"text": "sin(x"})
    assert assert_error(r, 422)["column"] is not None
    assert_error(api.post("/api/gradient", json={"text": "x", "form": "pretty"}), 422)
    assert_error(api.post("/api/gradient", json={"text": "x", "at": "x"}), 422)


# -- /api/check ----------------------------------------------------------------------------
def test_check_answer_right_and_wrong(api, capsys):
    right = api.post("/api/check", json={"text": CHAPTER, "var": "x",
                                        "answer": "y (2x + cos(xy))"})
    assert right.status_code == 200, right.text
    assert right.json()["equivalent"] is True
    wrong = api.post("/api/check", json={"text": CHAPTER, "var": "x",
                                        "answer": "2xy - y cos(xy)"})
    body = strict_json(wrong)
    assert body["equivalent"] is False and body["counterexample"] is not None
    code, cli = cli_json(capsys, "check", CHAPTER, "--var", "x", "--answer", "2xy - y cos(xy)")
    assert cli == body  # the same object as `nablab check … --json` (exit 1: not equivalent)
    assert code == 1


def test_check_bad_answer_points_into_the_answer(api):
    r = api.post("/api/check", json={"text": CHAPTER, "var": "x", "answer": "2x y +"})
    err = assert_error(r, 422)
    assert err["column"] is not None and err["column"] >= 5
    assert_error(api.post("/api/check", json={"text": CHAPTER, "answer": "x"}), 422)


# -- /api/descent --------------------------------------------------------------------------
def test_descent_converges_and_matches_the_cli(api, capsys):
    req = {"text": "x^2 + 10 y^2", "start": {"x": 1, "y": 1}, "rate": 0.05}
    r = api.post("/api/descent", json=req)
    assert r.status_code == 200, r.text
    body = strict_json(r)
    assert body["converged"] is True and body["diverged"] is False
    assert max(abs(v) for v in body["path"][-1]) < 1e-6
    assert body["values"][0] == pytest.approx(11.0)
    code, cli = cli_json(capsys, "descent", "x^2 + 10 y^2", "--from", "x=1,y=1", "--rate", "0.05")
    assert code == 0 and cli == body


def test_descent_divergence_is_explained(api):
    r = api.post("/api/descent", json={"text": "x^2 + 10 y^2", "start": "x=1,y=1", "rate": 0.2,
                                       "iterations": 200})
    body = strict_json(r)
    assert r.status_code == 200 and body["diverged"] is True and body["reason"]


def test_descent_bad_input(api):
    r = api.post("/api/descent", json={"text": "x^2", "start": {"q": 1}, "rate": 0.1})
    assert_error(r, 422)
    assert_error(api.post("/api/descent", json={"text": "x^2", "start": "x=1", "rate": 0.1,
                                               "iterations": 10**9}), 422)


@pytest.mark.parametrize(("field", "value", "words"), [
    ("rate", -1, "the learning rate η must be a positive number"),
    ("rate", 0, "the learning rate η must be a positive number"),
    ("rate", "fast", "the learning rate η must be a positive number"),
    ("rate", 1e9, "the learning rate η must be a positive number (at most 1,000,000)"),
    ("iterations", 0, "iterations must be a whole number from 1 to 10,000"),
    ("iterations", 20_000, "iterations must be a whole number from 1 to 10,000"),
    ("iterations", 2.5, "iterations must be a whole number from 1 to 10,000"),
])
def test_descent_bad_numbers_get_human_messages(api, field, value, words):
    """What the page shows for η = −1 or 0 iterations: the quantity, the rule and a way on,
    not pydantic's wording and no pointer to /docs."""
    body = {"text": "x^2 + y^2", "start": "x=1,y=1", "rate": 0.1,
            "iterations": 10} | {field: value}
    err = assert_error(api.post("/api/descent", json=body), 422)
    assert err["message"].startswith(words)
    assert err["hint"] and "/docs" not in err["hint"]
    assert ("η = 0.1" if field == "rate" else "100 steps") in err["hint"]


@pytest.mark.parametrize(("endpoint", "body", "words"), [
    ("gradient", {"text": "x + " * 600 + "y"}, "the function is too long (2,401 characters; the limit is 2,000)"),
    ("parse", {"text": ""}, "the function is empty"),
    ("check", {"text": "x^2", "var": "x", "answer": "2x" * 1500}, "the answer is too long"),
])
def test_text_too_long_or_empty_gets_a_human_message(api, endpoint, body, words):
    err = assert_error(api.post(f"/api/{endpoint}", json=body), 422)
    assert err["message"].startswith(words)
    assert err["hint"] and "/docs" not in err["hint"]


def test_descent_missing_start_value_message_suits_the_page(api):
    err = assert_error(api.post("/api/descent", json={"text": "x^2 y + sin(xy)", "start": "x=1",
                                                      "rate": 0.1}), 422)
    assert "no value for y" in err["message"] and "x=1, y=1" in err["hint"]
    assert "params=" not in err["hint"] and "--set" not in err["hint"]


# -- /api/regress --------------------------------------------------------------------------
def _csv() -> tuple[str, np.ndarray]:
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 10, 40)
    y = 2.0 + 3.0 * x + rng.normal(0, 0.5, 40)
    text = "x,y\n" + "\n".join(f"{a:.6f},{b:.6f}" for a, b in zip(x, y, strict=True))
    data = np.loadtxt(text.splitlines()[1:], delimiter=",")
    A = np.column_stack([np.ones(len(data)), data[:, 0]])
    theta = np.linalg.lstsq(A, data[:, 1], rcond=None)[0]
    return text, theta


def test_regress_matches_least_squares(api):
    text, theta = _csv()
    r = api.post("/api/regress", json={"data": text, "x": "x", "y": "y", "scale": True})
    assert r.status_code == 200, r.text
    body = strict_json(r)
    assert body["theta"] == pytest.approx(list(theta), rel=1e-5)
    assert body["closed_form"] == pytest.approx(list(theta), rel=1e-9)


def test_regress_default_rate_path_and_scaling_comparison_for_the_page(api):
    """What the page's regression panel relies on: η = 1/L when left out, θ per epoch, and the
    run in the other coordinates (condition numbers checked against NumPy's eigenvalues)."""
    text, theta = _csv()
    r = api.post("/api/regress", json={"data": text, "x": "x", "y": "y", "scale": True,
                                       "epochs": 500, "compare_scaling": True})
    assert r.status_code == 200, r.text
    body = strict_json(r)
    assert body["rate_rule"] == "1/L" and body["rate"] == pytest.approx(0.5)  # Hessian 2·I
    assert body["converged"] and body["theta"] == pytest.approx(list(theta), rel=1e-6)
    assert len(body["path"]) == body["iterations"] + 1 == len(body["losses"])
    assert body["path"][0] == [0.0, 0.0] and body["path"][-1] == pytest.approx(body["theta"])
    x = np.loadtxt(text.splitlines()[1:], delimiter=",")[:, 0]
    eig = np.linalg.eigvalsh(np.array([[1, x.mean()], [x.mean(), (x**2).mean()]]))
    comparison = body["comparison"]
    assert comparison["unscaled"]["condition_number"] == pytest.approx(eig[-1] / eig[0], rel=1e-6)
    assert comparison["scaled"]["condition_number"] == pytest.approx(1.0)
    assert comparison["scaled"]["converged"] and not comparison["unscaled"]["converged"]


@pytest.mark.parametrize(("data", "needle"), [
    ("x,y\n1,2\n", None),
    ("x,y\n1,a\n2,b\n3,c\n", "y"),
    ("", None),
])
def test_regress_bad_data(api, data, needle):
    r = api.post("/api/regress", json={"data": data or " ", "x": "x", "y": "y"})
    err = assert_error(r, 422)
    if needle:
        assert needle in err["message"]


# -- /api/plot -----------------------------------------------------------------------------
def test_plot_samples_f_and_its_gradient(api):
    r = api.post("/api/plot", json={"text": CHAPTER, "x_range": [-2, 2], "y_range": [-1, 3],
                                    "n": 21, "arrows": 5})
    assert r.status_code == 200, r.text
    g = strict_json(r)
    assert (g["x_var"], g["y_var"]) == ("x", "y")
    xs, ys, z = np.array(g["x"]), np.array(g["y"]), np.array(g["z"], dtype=float)
    assert xs.shape == (21,) and ys.shape == (21,) and z.shape == (21, 21)
    assert (xs[0], xs[-1], ys[0], ys[-1]) == (-2, 2, -1, 3)
    X, Y = np.meshgrid(xs, ys)
    np.testing.assert_allclose(z, X**2 * Y + np.sin(X * Y), rtol=1e-12, atol=1e-12)
    a = g["arrows"]
    AX, AY = np.meshgrid(a["x"], a["y"])
    np.testing.assert_allclose(a["u"], 2 * AX * AY + AY * np.cos(AX * AY), atol=1e-12)
    np.testing.assert_allclose(a["v"], AX**2 + AX * np.cos(AX * AY), atol=1e-12)
    assert g["z_max"] == pytest.approx(z.max()) and g["z_min"] == pytest.approx(z.min())


def test_plot_gradient_agrees_with_finite_differences(api):
    """The arrows are the gradient of the sampled f: central differences on the f grid."""
    text = "exp(-(x^2 + y^2)/3) + x y / 4"
    r = api.post("/api/plot", json={"text": text, "n": 201, "arrows": 41})
    g = strict_json(r)
    z = np.array(g["z"], dtype=float)
    h = g["x"][1] - g["x"][0]
    dzdx = (z[:, 2:] - z[:, :-2]) / (2 * h)
    dzdy = (z[2:, :] - z[:-2, :]) / (2 * h)
    # arrow grid point (i, j) is f grid point (5i, 5j) (201 = 5·40 + 1)
    u, v = np.array(g["arrows"]["u"]), np.array(g["arrows"]["v"])
    for i in range(1, 40, 7):
        for j in range(1, 40, 7):
            assert u[i, j] == pytest.approx(dzdx[5 * i, 5 * j - 1], abs=2e-3)
            assert v[i, j] == pytest.approx(dzdy[5 * i - 1, 5 * j], abs=2e-3)


def test_plot_outside_the_domain_is_null(api):
    g = strict_json(api.post("/api/plot", json={
        "text": "log(x) + sqrt(y)", "variables": "x,y", "x_range": [-1, 1], "y_range": [-1, 1],
        "n": 5, "arrows": 3}))
    z = g["z"]
    for i, yv in enumerate(g["y"]):
        for j, xv in enumerate(g["x"]):
            if xv <= 0 or yv < 0:
                assert z[i][j] is None
            else:
                assert z[i][j] == pytest.approx(math.log(xv) + math.sqrt(yv))
    assert g["arrows"]["v"][1][2] is None  # ∂/∂y sqrt(y) at y = 0 is not finite


def test_plot_slices_with_fixed_values_and_parameters(api):
    g = strict_json(api.post("/api/plot", json={
        "text": "a x^2 + y z", "variables": "x,y,z", "x_var": "x", "y_var": "z",
        "fixed": {"y": 2, "a": 0.5}, "n": 3, "arrows": 0}))
    assert g["fixed"] == {"y": 2.0, "a": 0.5} and g["arrows"] == {}
    assert g["z"][0][0] == pytest.approx(0.5 * 9 + 2 * -3)


def test_plot_one_variable(api):
    g = strict_json(api.post("/api/plot", json={"text": "x^3", "n": 5, "arrows": 3}))
    assert g["y"] is None and g["z"] == pytest.approx([-27, -3.375, 0, 3.375, 27])
    assert g["arrows"]["u"] == pytest.approx([27, 0, 27])


@pytest.mark.parametrize(("body", "needle"), [
    ({"text": "a x + y"}, "give a value for"),
    ({"text": "x y", "x_var": "q"}, "not a variable"),
    ({"text": "x y", "x_range": [1, 1]}, "low < high"),
    ({"text": "x y", "x_range": [0, 1e300]}, "finite"),
    ({"text": "x y", "n": 202}, "n:"),
    ({"text": "(1/N) sum((y_n - (t0 + t1 x_n))^2, n, 1, N)", "variables": "t0,t1",
      "fixed": {"N": 3}}, "sums over data"),
    ({"text": "x +"}, ""),
])
def test_plot_bad_requests(api, body, needle):
    err = assert_error(api.post("/api/plot", json=body), 422)
    assert needle in err["message"]


# -- hostile input through the real core ---------------------------------------------------
@pytest.mark.parametrize("body", [
    {"text": "(x + y + 1)^40 (x - y + 2)^40"},
    {"text": "x^999999999 y"},
    {"text": "sin(" * 40 + "x y" + ")" * 40},
    {"text": " + ".join(f"x^{i} y^{i}" for i in range(1, 120))},
])
def test_hostile_input_answers_or_refuses_clearly_within_the_limit(strict, body):
    import time

    t = time.perf_counter()
    r = strict.post("/api/gradient", json=body)
    elapsed = time.perf_counter() - t
    assert elapsed < 10.0  # the server's limit is 1 s; the rest is margin for a busy machine
    if r.status_code != 200:
        assert r.status_code in (422, 503)  # refused, or shed as heavy work
        assert set(strict_json(r)["error"]) == ERROR_KEYS
    ok = strict.post("/api/parse", json={"text": f"x^2 + y + {len(body['text'])}"})
    assert ok.status_code == 200  # a fresh request: it needs a live worker
    assert strict.get("/api/health").json()["alive"] == 1
