"""Renderers of parsed expressions: the JSON head, LaTeX of data and features, the echo."""

from __future__ import annotations

import pytest
import sympy

import nablab
from nablab.printing.text import to_echo, to_text
from nablab.render.json import expression_dict
from nablab.render.latex import to_latex


def test_expression_dict_shape():
    e = nablab.parse("f(x, y) = x^2 y + sin(xy)")
    d = expression_dict(e)
    mathml = d["expression"].pop("mathml")  # MathML next to the LaTeX, for the notebook
    assert mathml.startswith("<math") and mathml.count("<mi>x</mi>") == 2 and "<mi>sin</mi>" in mathml
    assert d == {
        "input": "f(x, y) = x^2 y + sin(xy)",
        "expression": {"text": "x**2*y + sin(x*y)",
                       "latex": r"x^{2} y + \sin{\left(x y \right)}",
                       "echo": "x^2·y + sin(x·y)"},
        "variables": ["x", "y"],
        "parameters": [],
        "warnings": [],
        "sums_over_data": False,
    }


def test_warnings_in_dict_have_message_and_column():
    d = expression_dict(nablab.parse("a/bc"))
    assert d["warnings"] and set(d["warnings"][0]) == {"message", "column"}
    assert sorted(w["column"] for w in d["warnings"]) == [2, 3]  # the '/' and the word 'bc'


def test_latex_of_data_and_features():
    e = nablab.parse("sum(theta_1 x_{1,n} + theta_2 x2_n - y_n, n, 1, N)")
    latex = to_latex(e.expr)
    assert "x_{1,n}" in latex and "x_{2,n}" in latex and "y_{n}" in latex
    assert r"\theta_{1}" in latex


def test_text_names_that_sympy_would_misread():
    e = nablab.parse("lambda N + gamma + beta S", "lambda,gamma,beta,S,N")
    text = to_text(e.expr)
    assert "Symbol('lambda')" in text and "Symbol('N')" in text and "Symbol('S')" in text
    assert sympy.sympify(text) == e.expr


def test_big_sums_print_flat_and_read_back():
    e = nablab.parse(" + ".join(f"x{i}^2" for i in range(1, 301)))
    text = to_text(e.expr)
    assert text.startswith("Add(")
    assert sympy.sympify(text) == e.expr


def test_products_with_sums_read_back():
    for src in ("-(x+y)(x+z)", "2(x+y)(x+z)", "-(x+1)/(2(y+1))", "3x(x+y)/(x-y)"):
        e = nablab.parse(src)
        assert sympy.sympify(to_text(e.expr)) == e.expr, (src, to_text(e.expr))


def test_echo_is_readable():
    assert to_echo(nablab.parse("|x| + max(x, 2) + e^x + pi").expr) == "exp(x) + |x| + max(2, x) + π"


@pytest.mark.parametrize(("text", "reading", "warned"), [
    ("√x y", "sqrt(x*y)", True),         # the radical's bar would cover only x on paper
    ("sin x y", "sin(x*y)", True),
    ("sin x^2 y", "sin(x**2*y)", True),
    ("sin 2x", "sin(2*x)", False),       # a number and a glued name: one argument, as usual
    ("sin 2 x", "sin(2*x)", False),
    ("cos x sin y", "sin(y)*cos(x)", False),
    ("√x·y", "sqrt(x)*y", False),
])
def test_a_function_without_parentheses_over_a_spaced_product_is_a_warned_guess(text, reading,
                                                                              warned):
    e = nablab.parse(text)
    assert e.expr == sympy.sympify(reading)
    says = [w.message for w in e.warnings if "without parentheses" in w.message]
    assert bool(says) == warned
    if warned:
        assert says[0].startswith(f"read '{text}' as ") and "·…" in says[0]
