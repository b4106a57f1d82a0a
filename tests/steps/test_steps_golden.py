"""Golden step trees: the chapter's worked example f = x²y + sin(xy) and its MSE, both partials.

The rule trees are pinned exactly (rule, variable, substitution letter, and expression and result
as SymPy expressions: the JSON text is read back with ``sympify`` and compared structurally, so a
change in the text printer's spacing does not matter but any change of the math does); the final
``simplify`` step is the gradient core's answer, so it is pinned by value: it must equal the
chapter's printed partials.
"""

from __future__ import annotations

import random

import sympy
from steps_helpers import instantiate, make

from nablab.render.json import to_json
from nablab.render.steps import to_text
from nablab.steps import derive_partial

x, y, N, n = sympy.symbols("x y N n")
t0, t1 = sympy.symbols("theta_0 theta_1")
Y, X = sympy.Function("y"), sympy.Function("x")
WORKED = make(x**2 * y + sympy.sin(x * y), "x y", source="x^2 y + sin(xy)")
MSE = make(sympy.Sum((Y(n) - (t0 + t1 * X(n))) ** 2, (n, 1, N)) / N, "theta_0 theta_1", "N",
           source="(1/N) sum((y_n - (theta_0 + theta_1 x_n))^2, n, 1, N)")


def _norm(tree):
    """Text fields read back by SymPy, so trees compare by structure, not by spelling."""
    if isinstance(tree, tuple):
        rule, var, expr, result, *rest = tree
        out = (rule, var, sympy.sympify(expr), sympy.sympify(result))
        for part in rest:
            if isinstance(part, dict):
                out += ({"let": part["let"], "be": sympy.sympify(part["be"])},)
            else:
                out += ([_norm(t) for t in part],)
        return out
    raise TypeError(tree)


def compact(d: dict) -> tuple:
    out = (d["rule"], d["variable"], d["expression"]["text"], d["result"]["text"])
    if d["substitution"]:
        out += ({"let": d["substitution"]["variable"], "be": d["substitution"]["text"]},)
    if d["substeps"]:
        out += ([compact(s) for s in d["substeps"]],)
    return out


WORKED_X = (
    "sum", "x", "x**2*y + sin(x*y)", "2*x*y + y*cos(x*y)",
    [("constant_multiple", "x", "x**2*y", "2*x*y", [("power", "x", "x**2", "2*x")]),
     ("chain", "x", "sin(x*y)", "y*cos(x*y)", {"be": "x*y", "let": "u"},
      [("sin", "u", "sin(u)", "cos(u)"),
       ("constant_multiple", "x", "x*y", "y", [("variable", "x", "x", "1")])])])

WORKED_Y = (
    "sum", "y", "x**2*y + sin(x*y)", "x**2 + x*cos(x*y)",
    [("constant_multiple", "y", "x**2*y", "x**2", [("variable", "y", "y", "1")]),
     ("chain", "y", "sin(x*y)", "x*cos(x*y)", {"be": "x*y", "let": "u"},
      [("sin", "u", "sin(u)", "cos(u)"),
       ("constant_multiple", "y", "x*y", "x", [("variable", "y", "y", "1")])])])

_J = "Sum((-theta_0 - theta_1*x(n) + y(n))**2, (n, 1, Symbol('N')))"
_R = "-theta_0 - theta_1*x(n) + y(n)"

MSE_T0 = (
    "constant_multiple", "theta_0", f"{_J}/Symbol('N')",
    "Sum(2*theta_0 + 2*theta_1*x(n) - 2*y(n), (n, 1, Symbol('N')))/Symbol('N')",
    [("sum_over_data", "theta_0", _J,
      "Sum(2*theta_0 + 2*theta_1*x(n) - 2*y(n), (n, 1, Symbol('N')))",
      [("chain", "theta_0", f"({_R})**2", "2*theta_0 + 2*theta_1*x(n) - 2*y(n)",
        {"let": "u", "be": _R},
        [("power", "u", "u**2", "2*u"),
         ("sum", "theta_0", _R, "-1",
          [("constant_multiple", "theta_0", "-theta_0", "-1",
            [("variable", "theta_0", "theta_0", "1")]),
           ("constant", "theta_0", "-theta_1*x(n) + y(n)", "0")])])])])

MSE_T1 = (
    "constant_multiple", "theta_1", f"{_J}/Symbol('N')",
    f"Sum(-2*x(n)*({_R}), (n, 1, Symbol('N')))/Symbol('N')",
    [("sum_over_data", "theta_1", _J, f"Sum(-2*x(n)*({_R}), (n, 1, Symbol('N')))",
      [("chain", "theta_1", f"({_R})**2", f"-2*x(n)*({_R})",
        {"let": "u", "be": _R},
        [("power", "u", "u**2", "2*u"),
         ("sum", "theta_1", _R, "-x(n)",
          [("constant_multiple", "theta_1", "-theta_1*x(n)", "-x(n)",
            [("variable", "theta_1", "theta_1", "1")]),
           ("constant", "theta_1", "-theta_0 + y(n)", "0")])])])])


def _equal_value(a: sympy.Expr, b: sympy.Expr) -> None:
    """Equal as functions: for sums, with N = 3 and random data, several times."""
    a, b = (sympy.sympify(v) for v in (a, b))
    for seed in range(3):
        ea, eb = instantiate(sympy.Tuple(a, b), random.Random(seed)).args
        vals = {s: sympy.Rational(random.Random(seed + 10 * i).randint(-300, 300), 100)
                for i, s in enumerate(sorted(ea.free_symbols | eb.free_symbols, key=str))}
        assert sympy.simplify((ea - eb).xreplace(vals)) == 0


def _check(expression, variable, golden, chapter):
    root = to_json(derive_partial(expression, variable))
    assert root["rule"] == "partial"
    assert root["variable"] == variable
    assert [s["rule"] for s in root["substeps"]] == [golden[0], "simplify"]
    assert _norm(compact(root["substeps"][0])) == _norm(golden)
    final = root["substeps"][1]
    assert sympy.sympify(final["expression"]["text"]) == sympy.sympify(golden[3])
    assert final["result"] == root["result"]
    # the final answer is the chapter's, whatever form the core writes it in
    _equal_value(sympy.sympify(root["result"]["text"]), chapter)
    return root


def test_worked_example_df_dx():
    root = _check(WORKED, "x", WORKED_X, 2 * x * y + y * sympy.cos(x * y))
    assert root["constants"] == ["y"]


def test_worked_example_df_dy():
    root = _check(WORKED, "y", WORKED_Y, x**2 + x * sympy.cos(x * y))
    assert root["constants"] == ["x"]


def test_mse_dj_dtheta0():
    yhat = t0 + t1 * X(n)
    root = _check(MSE, "theta_0", MSE_T0, -2 / N * sympy.Sum(Y(n) - yhat, (n, 1, N)))
    assert root["constants"] == ["theta_1", "Symbol('N')", "x(n)", "y(n)"]


def test_mse_dj_dtheta1():
    yhat = t0 + t1 * X(n)
    _check(MSE, "theta_1", MSE_T1, -2 / N * sympy.Sum(X(n) * (Y(n) - yhat), (n, 1, N)))


def test_worked_example_as_terminal_text():
    lines = to_text(derive_partial(WORKED, "x")).splitlines()
    assert lines[0] == "∂f/∂x, treating y as a constant, where f = x^2·y + sin(x·y):"
    assert lines[1:8] == [
        "  sum rule: ∂/∂x (x^2·y + sin(x·y)) = 2·x·y + y·cos(x·y)",
        "    constant multiple rule: ∂/∂x (x^2·y) = 2·x·y",
        "      power rule: ∂/∂x (x^2) = 2·x",
        "    chain rule, let u = x·y: ∂/∂x (sin(x·y)) = y·cos(x·y)",
        "      derivative of sine: d/du (sin(u)) = cos(u)",
        "      constant multiple rule: ∂/∂x (x·y) = y",
        "        the variable itself: ∂/∂x (x) = 1",
    ]
    assert lines[8:] == ["  simplify: 2·x·y + y·cos(x·y) is already in simplified form",
                         "  so ∂f/∂x = 2·x·y + y·cos(x·y)"]
    assert not any("  " in line.strip() for line in lines)  # no stray double spaces
