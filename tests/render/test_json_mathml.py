"""MathML next to LaTeX in the JSON (``nablab grad --json`` and the HTTP API)."""

from __future__ import annotations

import sympy

import nablab
import nablab.render.json as J
from nablab.render.mathml import matrix_mathml, to_mathml

x, y, n, N = sympy.symbols("x y n N")


def test_matrix_from_its_entries_is_sympys_matrix():
    for rows in ([[2 * x * y], [x**2 + sympy.cos(x)]],
                 [[sympy.Rational(1, 2), -x], [sympy.Sum(x, (n, 1, N)), sympy.sqrt(y) / x]]):
        assert matrix_mathml(rows) == to_mathml(sympy.Matrix(rows))
        assert matrix_mathml(rows, True) == to_mathml(sympy.Matrix(rows), True)


def test_gradient_json_carries_mathml():
    d = J.to_json(nablab.gradient("x^2 y", at="x=1,y=2", hessian=True))
    assert d["partials"][0]["mathml"] == to_mathml(2 * x * y)
    assert d["gradient"]["mathml"] == to_mathml(sympy.Matrix([2 * x * y, x**2]))
    assert d["hessian"]["mathml"] == to_mathml(sympy.Matrix([[2 * y, 2 * x], [2 * x, 0]]))
    assert [g["mathml"] for g in d["at"]["gradient"]] == [to_mathml(sympy.Integer(4)),
                                                           to_mathml(sympy.Integer(1))]


def test_large_formulas_get_null(monkeypatch):
    from nablab.dag import tree_size

    assert tree_size(x**2) == 3 and tree_size(2 * x * y + sympy.exp(x)) > 3
    monkeypatch.setattr(J, "MATHML_MAX_NODES", 3)
    d = J.to_json(nablab.gradient("x^2 y + exp(x)"))
    by_var = {p["variable"]: p for p in d["partials"]}
    assert by_var["x"]["mathml"] is None and by_var["x"]["latex"]  # LaTeX is always there
    assert by_var["y"]["mathml"] == to_mathml(x**2)
    assert d["expression"]["mathml"] is None and d["gradient"]["mathml"] is None
